from enum import StrEnum


class OrderStatusEnum(StrEnum):
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    FILLED = "filled"
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    REJECTED = "rejected"

    def __str__(self) -> str:
        return str(self.value)
