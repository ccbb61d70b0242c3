from enum import StrEnum


class SubscriptionsListRole(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"

    def __str__(self) -> str:
        return str(self.value)
