from enum import StrEnum


class LicenseTypeEnum(StrEnum):
    EXCLUSIVE = "exclusive"
    NON_EXCLUSIVE = "non_exclusive"

    def __str__(self) -> str:
        return str(self.value)
