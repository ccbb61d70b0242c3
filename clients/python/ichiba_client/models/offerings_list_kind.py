from enum import StrEnum


class OfferingsListKind(StrEnum):
    LICENCE = "licence"
    SUBSCRIPTION = "subscription"

    def __str__(self) -> str:
        return str(self.value)
