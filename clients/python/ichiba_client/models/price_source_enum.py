from enum import StrEnum


class PriceSourceEnum(StrEnum):
    BEST_ASK = "best_ask"
    LIMIT = "limit"

    def __str__(self) -> str:
        return str(self.value)
