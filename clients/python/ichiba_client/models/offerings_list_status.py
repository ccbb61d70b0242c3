from enum import StrEnum


class OfferingsListStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"

    def __str__(self) -> str:
        return str(self.value)
