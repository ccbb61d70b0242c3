from enum import StrEnum


class TaxTreatmentEnum(StrEnum):
    EXPORT = "export"
    OUT_OF_SCOPE = "out_of_scope"
    REVERSE_CHARGE = "reverse_charge"
    STANDARD = "standard"

    def __str__(self) -> str:
        return str(self.value)
