from enum import StrEnum


class TypeEnum(StrEnum):
    LIMIT = "limit"
    MARKET = "market"

    def __str__(self) -> str:
        return str(self.value)
