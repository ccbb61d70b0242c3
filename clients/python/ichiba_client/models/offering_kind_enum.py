from enum import StrEnum


class OfferingKindEnum(StrEnum):
    LICENCE = "licence"
    SUBSCRIPTION = "subscription"

    def __str__(self) -> str:
        return str(self.value)
