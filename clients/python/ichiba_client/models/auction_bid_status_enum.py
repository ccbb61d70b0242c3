from enum import StrEnum


class AuctionBidStatusEnum(StrEnum):
    ACTIVE = "active"
    FORFEITED = "forfeited"
    LOST = "lost"
    WITHDRAWN = "withdrawn"
    WON = "won"

    def __str__(self) -> str:
        return str(self.value)
