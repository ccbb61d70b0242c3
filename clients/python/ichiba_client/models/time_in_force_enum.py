from enum import StrEnum


class TimeInForceEnum(StrEnum):
    FOK = "fok"
    GTC = "gtc"
    GTD = "gtd"
    IOC = "ioc"

    def __str__(self) -> str:
        return str(self.value)
