from enum import StrEnum


class DataRequestsListStatus(StrEnum):
    CLOSED = "closed"
    EXPIRED = "expired"
    OPEN = "open"

    def __str__(self) -> str:
        return str(self.value)
