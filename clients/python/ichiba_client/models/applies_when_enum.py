from enum import StrEnum


class AppliesWhenEnum(StrEnum):
    STREAM = "stream"
    SUBSCRIPTION = "subscription"

    def __str__(self) -> str:
        return str(self.value)
