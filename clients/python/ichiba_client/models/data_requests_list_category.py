from enum import StrEnum


class DataRequestsListCategory(StrEnum):
    AGRICULTURE = "agriculture"
    ENERGY = "energy"
    HEALTHCARE = "healthcare"
    INFRASTRUCTURE = "infrastructure"
    MANUFACTURING = "manufacturing"
    MOBILITY = "mobility"
    OTHER = "other"
    RETAIL = "retail"
    WEATHER = "weather"

    def __str__(self) -> str:
        return str(self.value)
