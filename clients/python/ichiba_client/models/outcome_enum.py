from enum import StrEnum


class OutcomeEnum(StrEnum):
    CHARGED = "charged"
    MISSED = "missed"
    OPEN = "open"
    UNPAID = "unpaid"

    def __str__(self) -> str:
        return str(self.value)
