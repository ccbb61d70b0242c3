from enum import StrEnum


class JwksFormat(StrEnum):
    JSON = "json"
    JWKS = "jwks"

    def __str__(self) -> str:
        return str(self.value)
