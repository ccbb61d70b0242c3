from enum import StrEnum


class QuoteRequestSideEnum(StrEnum):
    BUY = "buy"

    def __str__(self) -> str:
        return str(self.value)
