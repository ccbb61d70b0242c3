from enum import StrEnum


class SubscriptionStatusEnum(StrEnum):
    ACTIVE = "active"
    CANCELLING = "cancelling"
    ENDED = "ended"
    PAST_DUE = "past_due"

    def __str__(self) -> str:
        return str(self.value)
