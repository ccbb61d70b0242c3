from enum import StrEnum


class AuctionsListStatus(StrEnum):
    CLOSED = "closed"
    NO_SALE = "no_sale"
    OPEN = "open"

    def __str__(self) -> str:
        return str(self.value)
