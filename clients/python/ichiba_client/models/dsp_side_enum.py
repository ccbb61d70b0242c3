from enum import StrEnum


class DspSideEnum(StrEnum):
    CONSUMER = "consumer"
    PROVIDER = "provider"

    def __str__(self) -> str:
        return str(self.value)
