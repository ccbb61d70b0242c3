from enum import StrEnum


class SettlementsListStatus(StrEnum):
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    FAILED = "failed"
    PENDING = "pending"
    REFUNDED = "refunded"
    VOIDED = "voided"

    def __str__(self) -> str:
        return str(self.value)
