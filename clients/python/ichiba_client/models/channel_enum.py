from enum import StrEnum


class ChannelEnum(StrEnum):
    AUCTION = "auction"
    BOOK = "book"
    PRIVATE = "private"

    def __str__(self) -> str:
        return str(self.value)
