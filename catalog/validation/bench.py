"""Throughput of :func:`validate_stream` on generated files, beside ``sha256sum`` of the same file in the same run.

    python -m catalog.validation.bench --mb 200 --runs 2 [--reference /path/to/another/checkout]

Generates (once, into ``--dir``) deterministic files of about ``--mb`` megabytes each: IoT data as a quoted CSV
(every text field quoted, some with commas, doubled quotes or line breaks inside), as a plain CSV (no quote, LF),
as a Shift_JIS (cp932) CSV and
as JSON Lines, and anonymized data as CSV and JSON Lines. Each validation runs in a subprocess of its own (so its
peak RSS is its own) and prints one JSON object per file and implementation: MB/s of CPU time and of wall time
(best of ``--runs``; 1 MB = 10^6 bytes), the peak RSS, and ``sha256sum``'s wall-time MB/s on the same file just
before. ``--reference`` validates the same files with the code of another checkout too (e.g. ``git archive main``
unpacked), in the same run: the machines here are shared, so only figures of one run compare.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

_JST = timezone(timedelta(hours=9))
_PREFECTURES = ("東京都", "大阪府", "北海道", "福岡県", "愛知県", "神奈川県", "鳥取県", "沖縄県")
_NOTES = ("", "", "", "", "ok", "bridge pier 3 inspection", "値が高い", "recalibrated, see log", 'cover "B" replaced')
_SITES = ("東京湾岸第3橋", "大阪北高架", "札幌駅前", "福岡港倉庫", "名古屋環状")

_CHILD = """
import json, resource, sys, time
from catalog.validation import validate_stream
path, fmt, data_class, runs, options = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), json.loads(sys.argv[5])
best_cpu = best_wall = float("inf")
for _ in range(runs):
    with open(path, "rb") as stream:
        cpu, wall = time.process_time(), time.perf_counter()
        report = validate_stream(stream, fmt=fmt, data_class=data_class, **options)
        best_cpu, best_wall = min(best_cpu, time.process_time() - cpu), min(best_wall, time.perf_counter() - wall)
print(json.dumps({"cpu_s": best_cpu, "wall_s": best_wall, "passed": report.passed, "rows": report.row_count,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


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
            "site": _SITES[i % 16 % len(_SITES)],
            "strain": round(rnd.uniform(-1e-3, 1e-3), 6),
            "temperature": round(rnd.uniform(-10, 40), 2),
            "status": rnd.random() < 0.9,
            "notes": note or None,
        }
        i += 1


def plain_iot_rows(rnd: random.Random) -> Iterator[dict[str, Any]]:
    """:func:`iot_rows` without a comma, a quote or a line break in a note: a CSV file that needs no quoting."""
    for row in iot_rows(rnd):
        if row["notes"]:
            row["notes"] = row["notes"].replace(",", "").replace('"', "").replace("\n", " ")
        yield row


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


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write(
    path: Path, rows: Iterator[dict[str, Any]], fmt: str, size: int, *, encoding: str = "utf-8", quoted: bool = True
) -> None:
    """About ``size`` bytes of ``rows``: JSON Lines, or CSV whose text fields are all quoted (QUOTE_NONNUMERIC, the
    way many exporters write them) with CRLF, or (``quoted`` False) CSV quoted only where needed, with LF."""
    written = 0
    with path.open("w", encoding=encoding, newline="") as out:
        first = next(rows)
        text = io.StringIO()
        ending = "\r\n" if quoted else "\n"
        quoting = csv.QUOTE_NONNUMERIC if quoted else csv.QUOTE_MINIMAL
        writer = csv.writer(text, quoting=quoting, lineterminator=ending)
        if fmt == "csv":
            csv.writer(text, lineterminator=ending).writerow(first)
        row: dict[str, Any] | None = first
        while written < size:
            for _ in range(1000):
                row = row or next(rows)
                if fmt == "csv":
                    writer.writerow([_csv_cell(value) for value in row.values()])
                else:
                    text.write(json.dumps(row, ensure_ascii=False) + "\n")
                row = None
            chunk = text.getvalue()
            text.seek(0)
            text.truncate()
            out.write(chunk)
            written += len(chunk.encode(encoding))


def sha256sum_rate(path: Path) -> float:
    started = time.perf_counter()
    subprocess.run(["sha256sum", str(path)], check=True, capture_output=True)  # noqa: S603, S607 (the reference)
    return path.stat().st_size / 1e6 / (time.perf_counter() - started)


def measure(root: Path, path: Path, fmt: str, data_class: str, runs: int, options: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 (this interpreter, this module's own script)
        [sys.executable, "-c", _CHILD, str(path), fmt, data_class, str(runs), json.dumps(options)],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(done.stdout)
    size = path.stat().st_size / 1e6
    return {
        "cpu_mb_s": round(size / result["cpu_s"], 1),
        "wall_mb_s": round(size / result["wall_s"], 1),
        "peak_rss_mb": result["peak_rss_mb"],
        "passed": result["passed"],
        "rows": result["rows"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "ichiba-validation-bench")
    parser.add_argument("--reference", type=Path, help="another checkout whose validation runs on the same files")
    parser.add_argument("--only", nargs="*", help="file names (without size) to run, e.g. iot-quoted iot-cp932")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    anonymized = {"quasi_identifiers": ["age_band", "prefecture", "gender"]}
    cases: list[tuple[str, Callable[[random.Random], Iterator[dict[str, Any]]], str, str, str, dict[str, Any]]] = [
        ("iot-plain", plain_iot_rows, "csv", "utf-8", "iot", {}),
        ("iot-quoted", iot_rows, "csv", "utf-8", "iot", {}),
        ("iot-cp932", iot_rows, "csv", "cp932", "iot", {}),
        ("iot", iot_rows, "jsonl", "utf-8", "iot", {}),
        ("anonymized-quoted", anonymized_rows, "csv", "utf-8", "anonymized", anonymized),
        ("anonymized", anonymized_rows, "jsonl", "utf-8", "anonymized", anonymized),
    ]
    here = Path(__file__).resolve().parents[2]
    for name, rows, fmt, encoding, data_class, options in cases:
        if args.only and name not in args.only:
            continue
        path = args.dir / f"{name}-{args.mb}mb.{fmt}"
        if not path.exists():
            quoted = name != "iot-plain"
            # S311: test data.
            write(path, rows(random.Random(1)), fmt, args.mb * 1_000_000, encoding=encoding, quoted=quoted)  # noqa: S311
        implementations = [("this", here)] + ([("reference", args.reference)] if args.reference else [])
        for label, root in implementations:
            figure = {"file": path.name, "mb": round(path.stat().st_size / 1e6, 1), "code": label}
            figure["sha256sum_mb_s"] = round(sha256sum_rate(path), 1)
            figure |= measure(root, path, fmt, data_class, args.runs, options)
            if "wall_mb_s" in figure:
                figure["ratio_to_sha256sum"] = round(figure["wall_mb_s"] / figure["sha256sum_mb_s"], 3)
            print(json.dumps(figure, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
