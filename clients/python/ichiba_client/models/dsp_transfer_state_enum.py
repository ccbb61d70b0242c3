from enum import StrEnum


class DspTransferStateEnum(StrEnum):
    COMPLETED = "COMPLETED"
    REQUESTED = "REQUESTED"
    STARTED = "STARTED"
    SUSPENDED = "SUSPENDED"
    TERMINATED = "TERMINATED"

    def __str__(self) -> str:
        return str(self.value)
