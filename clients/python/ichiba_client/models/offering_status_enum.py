from enum import StrEnum


class OfferingStatusEnum(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"

    def __str__(self) -> str:
        return str(self.value)
