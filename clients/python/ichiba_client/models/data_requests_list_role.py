from enum import StrEnum


class DataRequestsListRole(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"

    def __str__(self) -> str:
        return str(self.value)
