from enum import StrEnum


class DataClassEnum(StrEnum):
    ANONYMIZED = "anonymized"
    IOT = "iot"

    def __str__(self) -> str:
        return str(self.value)
