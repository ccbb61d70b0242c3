from enum import StrEnum


class UpdateFrequencyEnum(StrEnum):
    DAILY = "daily"
    HOURLY = "hourly"
    IRREGULAR = "irregular"
    MONTHLY = "monthly"
    ONCE = "once"
    QUARTERLY = "quarterly"
    REALTIME = "realtime"
    WEEKLY = "weekly"
    YEARLY = "yearly"

    def __str__(self) -> str:
        return str(self.value)
