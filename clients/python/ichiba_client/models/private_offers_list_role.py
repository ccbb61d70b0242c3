from enum import StrEnum


class PrivateOffersListRole(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"

    def __str__(self) -> str:
        return str(self.value)
