from enum import StrEnum


class OfferingDeliveryEnum(StrEnum):
    HOSTED = "hosted"
    PROVIDER = "provider"

    def __str__(self) -> str:
        return str(self.value)
