from enum import StrEnum


class DspNegotiationStateEnum(StrEnum):
    ACCEPTED = "ACCEPTED"
    AGREED = "AGREED"
    FINALIZED = "FINALIZED"
    OFFERED = "OFFERED"
    REQUESTED = "REQUESTED"
    TERMINATED = "TERMINATED"
    VERIFIED = "VERIFIED"

    def __str__(self) -> str:
        return str(self.value)
