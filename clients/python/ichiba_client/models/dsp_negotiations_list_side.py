from enum import StrEnum


class DspNegotiationsListSide(StrEnum):
    CONSUMER = "consumer"
    PROVIDER = "provider"

    def __str__(self) -> str:
        return str(self.value)
