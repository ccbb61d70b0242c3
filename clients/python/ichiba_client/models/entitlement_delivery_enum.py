from enum import StrEnum


class EntitlementDeliveryEnum(StrEnum):
    HOSTED = "hosted"
    PROVIDER = "provider"

    def __str__(self) -> str:
        return str(self.value)
