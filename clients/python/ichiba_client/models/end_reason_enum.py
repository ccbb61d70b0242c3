from enum import StrEnum


class EndReasonEnum(StrEnum):
    CANCELLED = "cancelled"
    PAYMENT_FAILED = "payment_failed"
    REFUNDED = "refunded"
    RELEASED = "released"
    REVOKED = "revoked"
    TERM = "term"
    UNDELIVERABLE = "undeliverable"
    UNPAID = "unpaid"

    def __str__(self) -> str:
        return str(self.value)
