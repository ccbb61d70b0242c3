from enum import StrEnum


class ProposedViaEnum(StrEnum):
    DSP = "dsp"
    MARKET = "market"

    def __str__(self) -> str:
        return str(self.value)
