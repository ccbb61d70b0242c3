from enum import StrEnum


class DspPartyEnum(StrEnum):
    CONSUMER = "consumer"
    PROVIDER = "provider"
    SYSTEM = "system"

    def __str__(self) -> str:
        return str(self.value)
