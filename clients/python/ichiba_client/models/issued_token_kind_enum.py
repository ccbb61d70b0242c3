from enum import StrEnum


class IssuedTokenKindEnum(StrEnum):
    JWT = "jwt"
    OPAQUE = "opaque"

    def __str__(self) -> str:
        return str(self.value)
