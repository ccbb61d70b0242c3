"""Validation's memory does not grow with the file: a file four times larger peaks no higher (the bench measures the
absolute figure on a gigabyte). Each validation runs in a subprocess of its own, whose peak RSS is its own.

Pure Python and Arrow: runs with ``pytest catalog/tests/test_memory.py -p no:django``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

# Growth allowed between the small and the large file: DuckDB, which counts the k-anonymity groups, fills up to
# its memory limit in both (lowered here to 16 MB, so that both files are past it; at the market's limit the
# plateau is reached past a million unique rows, which ``python -m tests.bench kanon`` measures), so what is left
# is noise of the allocator.
_GROWTH_MB = 40

_CHILD = """
import resource, sys
from catalog.validation import _kanon, validate_stream
_kanon.MEMORY_LIMIT = "16MB"
with open(sys.argv[1], "rb") as stream:
    report = validate_stream(stream, fmt=sys.argv[2], data_class="anonymized", quasi_identifiers=["id", "band"], k=2)
assert report.row_count == int(sys.argv[3]), report.checks
assert not report.check("k_anonymity").passed  # every row is its own group
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def _write(path: Path, fmt: str, rows: int) -> None:
    """Unique rows: the worst case of k-anonymity (one group per row), written a slice at a time."""
    step = 100_000
    writer: pq.ParquetWriter | pacsv.CSVWriter | None = None
    for start in range(0, rows, step):
        ids = range(start, min(rows, start + step))
        table = pa.table(
            {
                "id": [f"member-{i:09d}" for i in ids],
                "band": [f"{20 + i % 50}-{29 + i % 50}" for i in ids],
                "amount_jpy": [100 + i % 997 for i in ids],
                "note": [f"purchase {i} of a long enough text to weigh" for i in ids],
            }
        )
        if fmt == "jsonl":
            with path.open("a", encoding="utf-8") as out:
                out.writelines(json.dumps(row) + "\n" for row in table.to_pylist())
            continue
        if writer is None:
            if fmt == "parquet":
                writer = pq.ParquetWriter(path, table.schema)
            else:
                writer = pacsv.CSVWriter(path, table.schema, write_options=pacsv.WriteOptions(quoting_style="none"))
        if isinstance(writer, pq.ParquetWriter):
            writer.write_table(table, row_group_size=50_000)
        else:
            writer.write_table(table)
    if writer is not None:
        writer.close()


def _peak_mb(path: Path, fmt: str, rows: int) -> int:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(  # noqa: S603 (this interpreter, this module's own script)
        [sys.executable, "-c", _CHILD, str(path), fmt, str(rows)], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip())


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_validation_memory_does_not_grow_with_the_file(tmp_path: Path, fmt: str) -> None:
    peaks = []
    for rows in (250_000, 1_000_000):
        path = tmp_path / f"unique-{rows}.{fmt}"
        _write(path, fmt, rows)
        peaks.append(_peak_mb(path, fmt, rows))
        path.unlink()
    assert peaks[1] - peaks[0] < _GROWTH_MB, f"peak RSS {peaks[0]} MB for 250,000 rows, {peaks[1]} MB for 1,000,000"
