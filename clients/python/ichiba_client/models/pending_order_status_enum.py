from enum import StrEnum


class PendingOrderStatusEnum(StrEnum):
    PENDING = "pending"

    def __str__(self) -> str:
        return str(self.value)
