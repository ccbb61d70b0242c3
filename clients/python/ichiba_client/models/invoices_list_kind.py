from enum import StrEnum


class InvoicesListKind(StrEnum):
    FEE = "fee"
    FEE_RETURN = "fee_return"
    SALE = "sale"
    SALE_RETURN = "sale_return"

    def __str__(self) -> str:
        return str(self.value)
