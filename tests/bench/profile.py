"""Profiling of a published version (catalog.profiling.profile_file): the quality figures and the renditions of
the generated 1 GB CSV (the upload bench's), beside ``sha256sum`` of the same file; then the same rows as Parquet
and as a Shift_JIS (cp932) CSV, each beside its own ``sha256sum``.

Each variant is profiled in a fresh subprocess whose peak RSS (VmHWM) is read from /proc, so the figure is the
profiling's alone. The schema is validation's for these columns (taken from a validated head of the file, whose
types are the whole file's: the generator repeats one day's shapes).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.bench.common import ROOT, WORK, emit
from tests.bench.upload import _as_cp932, _as_parquet, _generate, _sha256sum_seconds

HEAD_BYTES = 4 << 20
PEAK_RSS_LIMIT_MB = 600


def _schema(path: Path, fmt: str) -> list[dict[str, object]]:
    """Validation's schema of the file: from a head of the text formats, from the metadata of Parquet."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        from catalog.validation._parquet import column_kind
        from catalog.validation._types import KIND_NAMES

        return [
            {"name": field.name, "type": KIND_NAMES[column_kind(field.type)], "nullable": True}
            for field in pq.read_schema(path)
        ]
    import io

    from catalog.validation import validate_stream

    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
    head = head[: head.rfind(b"\n") + 1]
    report = validate_stream(io.BytesIO(head), fmt="csv", data_class="iot")
    assert report.passed, report.checks
    return [dict(column) for column in report.schema]


def _child(path: str, fmt: str, encoding: str, schema_file: str, work_dir: str) -> None:
    """Run in the subprocess: profile one file and print seconds and the peak RSS."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    import django

    django.setup()
    from catalog.profiling import profile_file
    from tests.bench.common import peak_rss_mb

    started = time.perf_counter()
    profile = profile_file(
        Path(path),
        fmt=fmt,
        schema=json.loads(Path(schema_file).read_text()),
        encoding=encoding or None,
        published_at=datetime.now(UTC),
        work_dir=Path(work_dir),
    )
    seconds = time.perf_counter() - started
    timing: dict[str, Any] = dict(profile.quality["timing"] or {})
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_mb": peak_rss_mb(os.getpid()),
                "rows": profile.quality["rows"],
                "renditions": {r.file_format: r.size_bytes for r in profile.renditions},
                "sensors": timing.get("sensors"),
                "interval_median_seconds": timing.get("interval_median_seconds"),
            }
        )
    )


def run() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    data = WORK / "strain-1g.csv"
    _generate(data)
    variants = [
        ("csv", data, "csv", ""),
        ("parquet", WORK / "strain-1g.parquet", "parquet", ""),
        ("csv_cp932", WORK / "strain-1g-cp932.csv", "csv", "cp932"),
    ]
    _as_parquet(data, variants[1][1])
    _as_cp932(data, variants[2][1])
    for variant, path, fmt, encoding in variants:
        work_dir = WORK / f"profile-{variant}"
        schema_file = WORK / f"profile-{variant}.schema.json"
        schema_file.write_text(json.dumps(_schema(path, fmt)))
        size = path.stat().st_size
        reference_s = _sha256sum_seconds(path)  # in the same run, just before: the machine is shared and noisy
        command = [sys.executable, "-m", "tests.bench.profile", path, fmt, encoding, schema_file, work_dir]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
        child = subprocess.run([str(part) for part in command], cwd=ROOT, env=env, capture_output=True, text=True)
        if child.returncode:
            raise RuntimeError(f"profiling {variant} failed:\n{child.stderr[-3000:]}")
        result = json.loads(child.stdout.strip().splitlines()[-1])
        shutil.rmtree(work_dir, ignore_errors=True)
        seconds = float(result.pop("seconds"))
        rss = float(result.pop("peak_rss_mb"))
        emit(
            bench="catalog.profile" if variant == "csv" else f"catalog.profile.{variant}",
            format=variant,
            bytes=size,
            seconds=round(seconds, 2),
            mb_per_s=round(size / 1e6 / seconds, 1),
            rows_per_s=round(result["rows"] / seconds),
            peak_rss_mb=round(rss, 1),
            peak_rss_limit_mb=PEAK_RSS_LIMIT_MB,
            peak_rss_ok=rss < PEAK_RSS_LIMIT_MB,
            reference="sha256sum",
            reference_mb_per_s=round(size / 1e6 / reference_s, 1),
            ratio_to_reference=round(reference_s / seconds, 3),
            **result,
        )


if __name__ == "__main__":
    if len(sys.argv) == 6:
        _child(*sys.argv[1:6])
    else:
        run()
