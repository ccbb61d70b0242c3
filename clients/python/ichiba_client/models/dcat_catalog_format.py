from enum import StrEnum


class DcatCatalogFormat(StrEnum):
    JSONLD = "jsonld"
    TTL = "ttl"

    def __str__(self) -> str:
        return str(self.value)
