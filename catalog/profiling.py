"""What is made of a version's file when it passes validation, before it is published: its quality figures
(``catalog.quality``) and its renditions, the same data in the other formats a buyer may download
(``?format=parquet|csv``), each an ordinary file with its own size and checksum.

Interface only so far: ``profile_file`` is filled in by the work on quality figures and conversions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from catalog.quality import Quality


@dataclass(frozen=True, slots=True)
class RenditionFile:
    """One converted file, written to a temporary path the caller moves into storage (and removes)."""

    file_format: str  # a catalog.models.FileFormat value other than the original's
    path: Path
    size_bytes: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Profile:
    quality: Quality
    renditions: list[RenditionFile]


def profile_file(
    path: Path,
    *,
    fmt: str,
    schema: list[dict[str, Any]],
    encoding: str | None,
    published_at: datetime,
    work_dir: Path,
) -> Profile:
    """Measure the validated file at ``path`` (format ``fmt``, columns ``schema`` as validation typed them, text
    in ``encoding`` for CSV) and convert it to the formats a buyer may ask for, in bounded memory."""
    raise NotImplementedError
