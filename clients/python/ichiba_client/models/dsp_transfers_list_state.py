from enum import StrEnum


class DspTransfersListState(StrEnum):
    COMPLETED = "COMPLETED"
    REQUESTED = "REQUESTED"
    STARTED = "STARTED"
    SUSPENDED = "SUSPENDED"
    TERMINATED = "TERMINATED"

    def __str__(self) -> str:
        return str(self.value)
