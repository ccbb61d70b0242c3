from enum import StrEnum


class TakedownCategoryEnum(StrEnum):
    POLICY = "policy"
    RIGHTS = "rights"
    SELLER_REQUEST = "seller_request"
    UNLAWFUL = "unlawful"

    def __str__(self) -> str:
        return str(self.value)
