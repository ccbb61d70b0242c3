"""k-anonymity in bounded memory: peak RSS and seconds of the counter over (a) rows that are all unique over three
quasi-identifier columns, the worst case, and (b) a realistic file with few groups (age band x prefecture x
gender), the DuckDB counter of ``catalog.validation._kanon`` beside the hand-written spilling counter it replaced
(``tests/bench/kanon_spill.py``), in one run.

Each measurement runs in a fresh interpreter of its own, whose peak RSS (``ru_maxrss``) is its own: it makes the
rows in Arrow batches of 64 Ki rows (as the readers hand them over: Arrow arrays to the DuckDB counter, Python
lists to the old one, as Arrow's CSV path used to convert them), counts them and prints its figures. A run that
only makes the rows is the baseline of both. ``ICHIBA_BENCH_KANON_ROWS`` (default 10,000,000) sets the rows;
``ICHIBA_BENCH_KANON_SCALE`` (default 4) the factor of a second, larger run of the new counter alone on unique
rows, to show that its memory stays flat and its time grows linearly (0 skips it). Temporary files go to
``ICHIBA_BENCH_DIR`` (``var/bench``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from tests.bench.common import ROOT, WORK, emit

ROWS = int(os.environ.get("ICHIBA_BENCH_KANON_ROWS", 10_000_000))
SCALE = int(os.environ.get("ICHIBA_BENCH_KANON_SCALE", 4))

_CHILD = r"""
import json, os, resource, shutil, sys, time
import pyarrow as pa
import pyarrow.compute as pc

case, counter, rows, spill = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
BATCH = 1 << 16
PREFECTURES = pa.array(["北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県",
    "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県",
    "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県",
    "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県"])
BANDS = pa.array([f"{d}-{d + 9}" for d in range(10, 90, 10)])
GENDERS = pa.array(["female", "male", "other"])

def batches():
    for start in range(0, rows, BATCH):
        ids = pa.array(range(start, min(rows, start + BATCH)), pa.int64())
        if case == "unique":  # member ids: every row is its own group
            text = pc.cast(ids, pa.string())
            yield [
                pc.binary_join_element_wise("member-", pc.utf8_lpad(text, 9, "0"), ""),
                pc.take(BANDS, pc.bit_wise_and(ids, 7)),
                pc.utf8_lpad(pc.cast(pc.bit_wise_and(ids, 0xFFFFF), pa.string()), 7, "0"),
            ]
        else:  # a skewed mix of 8 x 47 x 3 = 1,128 groups, every one of them large
            mixed = pc.bit_wise_and(pc.multiply(ids, 2654435761), 0xFFFFFFFF)
            yield [
                pc.take(BANDS, pc.remainder(mixed, 8)),
                pc.take(PREFECTURES, pc.remainder(pc.divide(mixed, 8), 47)),
                pc.take(GENDERS, pc.remainder(pc.divide(mixed, 376), 3)),
            ]

names = ["member", "age_band", "zip"] if case == "unique" else ["age_band", "prefecture", "gender"]
os.makedirs(spill, exist_ok=True)
started, cpu_started = time.perf_counter(), time.process_time()
detail = None
if counter == "baseline":
    for columns in batches():
        pass
elif counter == "old":
    from tests.bench.kanon_spill import KAnonymity as Old
    old = Old(names, spill, text_only=True)
    for columns in batches():
        old.add([column.to_pylist() for column in columns])
    detail = old.detail(5)
else:
    from catalog.validation._kanon import KAnonymity
    new = KAnonymity(names, spill, text_only=True)
    for columns in batches():
        new.add(columns)
    detail = new.detail(5)
print(json.dumps({
    "seconds": round(time.perf_counter() - started, 2),
    "cpu_seconds": round(time.process_time() - cpu_started, 2),
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    "detail": detail and detail[1][:160],
}))
"""


def _measure(case: str, counter: str, rows: int) -> dict[str, Any]:
    spill = WORK / "kanon"
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, case, counter, str(rows), str(spill)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(done.stderr)
    return dict(json.loads(done.stdout))


def _one(case: str, rows: int, counters: tuple[str, ...]) -> None:
    baseline = _measure(case, "baseline", rows)
    figures = {counter: _measure(case, counter, rows) for counter in counters}
    if "old" in figures and figures["old"]["detail"] != figures["new"]["detail"]:
        raise AssertionError(f"the counters disagree: {figures['old']['detail']!r} != {figures['new']['detail']!r}")
    for counter, figure in figures.items():
        emit(
            bench="kanon",
            case=case,
            rows=rows,
            counter="duckdb" if counter == "new" else "hand-written spill",
            seconds=figure["seconds"],
            cpu_seconds=figure["cpu_seconds"],
            peak_rss_mb=figure["peak_rss_mb"],
            baseline_seconds=baseline["seconds"],
            baseline_cpu_seconds=baseline["cpu_seconds"],
            baseline_peak_rss_mb=baseline["peak_rss_mb"],
            detail=figure["detail"],
        )


def run() -> None:
    _one("unique", ROWS, ("old", "new"))
    _one("few", ROWS, ("old", "new"))
    if SCALE > 1:
        _one("unique", ROWS * SCALE, ("new",))
