from enum import StrEnum


class SortEnum(StrEnum):
    NEWEST = "newest"
    PRICE = "price"
    RELEVANCE = "relevance"

    def __str__(self) -> str:
        return str(self.value)
