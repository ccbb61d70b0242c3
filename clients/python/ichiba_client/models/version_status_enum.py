from enum import StrEnum


class VersionStatusEnum(StrEnum):
    PUBLISHED = "published"
    REJECTED = "rejected"
    VALIDATING = "validating"

    def __str__(self) -> str:
        return str(self.value)
