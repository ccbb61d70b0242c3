from enum import StrEnum


class ContractStatusEnum(StrEnum):
    ACTIVE = "active"
    CONCLUDED = "concluded"
    EXPIRED = "expired"
    TERMINATED = "terminated"
    VOID = "void"

    def __str__(self) -> str:
        return str(self.value)
