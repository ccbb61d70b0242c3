from enum import StrEnum


class ScopesEnum(StrEnum):
    MANAGE = "manage"
    READ = "read"
    SELL = "sell"
    TRADE = "trade"

    def __str__(self) -> str:
        return str(self.value)
