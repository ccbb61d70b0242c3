"""Throughput benchmark of :func:`validate_stream` on generated IoT and anonymized data.

    python -m catalog.validation.bench --mb 100 --runs 3

Generates (once, into ``--dir``) CSV and JSON Lines files of about ``--mb`` megabytes each, validates
each ``--runs`` times and prints the best CPU time as MB/s (1 MB = 10^6 bytes). The data is
deterministic.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from catalog.validation import validate_stream

_JST = timezone(timedelta(hours=9))
_PREFECTURES = ("東京都", "大阪府", "北海道", "福岡県", "愛知県", "神奈川県", "鳥取県", "沖縄県")
_NOTES = ("", "", "", "", "ok", "bridge pier 3 inspection", "値が高い", "recalibrated, see log")


def iot_rows(rnd: random.Random) -> Iterator[dict[str, Any]]:
    start = datetime(2024, 1, 1, tzinfo=_JST)
    i = 0
    while True:
        note = rnd.choice(_NOTES)
        if i % 100_003 == 99_999:
            note = "multi-line note:\nsensor cover replaced"
        yield {
            "timestamp": (start + timedelta(seconds=10 * (i // 16))).isoformat(),
            "sensor_id": f"S-{i % 16:04d}",
            "strain": round(rnd.uniform(-1e-3, 1e-3), 6),
            "temperature": round(rnd.uniform(-10, 40), 2),
            "status": rnd.random() < 0.9,
            "notes": note or None,
        }
        i += 1


def anonymized_rows(rnd: random.Random) -> Iterator[dict[str, Any]]:
    i = 0
    while True:
        decade = rnd.randrange(20, 90, 10)
        comment = rnd.choice(
            (
                "",
                f"再診予定 {rnd.randint(1, 8)}週間後",
                f"follow-up on 2024-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}, dose {rnd.randint(5, 50)} mg",
                f"patient reported mild symptoms (score {rnd.randint(0, 100)})",
                f"紹介状あり No.{rnd.randint(1000, 99999)}",
            )
        )
        yield {
            "record_id": i,
            "age_band": f"{decade}-{decade + 9}",
            "prefecture": rnd.choice(_PREFECTURES),
            "gender": rnd.choice("MF"),
            "visit_date": f"2024-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
            "diagnosis_code": f"J{rnd.randint(0, 99):02d}.{rnd.randint(0, 9)}",
            "amount": rnd.randint(100, 99_999),
            "comment": comment or None,
        }
        i += 1


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write(path: Path, rows: Iterator[dict[str, Any]], fmt: str, size: int) -> None:
    written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        first = next(rows)
        if fmt == "csv":
            line = ",".join(first) + "\n"
            out.write(line)
            written += len(line.encode())
        while written < size:
            row = first if first else next(rows)
            first = {}
            if fmt == "csv":
                line = ",".join(map(_csv_cell, row.values())) + "\n"
            else:
                line = json.dumps(row, ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode())


def measure(path: Path, fmt: str, data_class: str, runs: int, **options: Any) -> tuple[float, str]:
    best = float("inf")
    summary = ""
    for _ in range(runs):
        with path.open("rb") as stream:
            # CPU time of this process: other work on the machine does not count against it.
            started = time.process_time()
            report = validate_stream(stream, fmt=fmt, data_class=data_class, **options)  # type: ignore[arg-type]
            best = min(best, time.process_time() - started)
        summary = f"passed={report.passed} rows={report.row_count:,}"
    return path.stat().st_size / 1e6 / best, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "ichiba-validation-bench")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    cases: list[tuple[str, Callable[[random.Random], Iterator[dict[str, Any]]], str, dict[str, Any]]] = [
        ("iot", iot_rows, "iot", {}),
        ("anonymized", anonymized_rows, "anonymized", {"quasi_identifiers": ["age_band", "prefecture", "gender"]}),
    ]
    for name, rows, data_class, options in cases:
        for fmt in ("csv", "jsonl"):
            path = args.dir / f"{name}-{args.mb}mb.{fmt}"
            if not path.exists():
                write(path, rows(random.Random(1)), fmt, args.mb * 1_000_000)  # noqa: S311 (test data)
            rate, summary = measure(path, fmt, data_class, args.runs, **options)
            print(f"{path.name:28} {path.stat().st_size / 1e6:7.1f} MB  {rate:6.1f} MB/s  {summary}")


if __name__ == "__main__":
    main()
