from enum import StrEnum


class DatasetsSearchDataClass(StrEnum):
    ANONYMIZED = "anonymized"
    IOT = "iot"

    def __str__(self) -> str:
        return str(self.value)
