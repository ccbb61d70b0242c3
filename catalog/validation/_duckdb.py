"""DuckDB opened the one way the market uses it: in memory, out of core past a memory limit, offline.

k-anonymity's group-by (``_kanon``) and profiling's gaps and distinct estimates (``catalog.profiling``) both need
work that outgrows memory on a large file; DuckDB does it within ``memory_limit``, spilling to ``temp_directory``
(a folder of the task's own, removed with it). One thread by default: a worker runs one task per process. No
extension is installed or loaded on demand (the machines may have no network), and no progress bar is drawn,
which DuckDB otherwise prints on stdout for a query past two seconds.

DuckDB is imported when a connection is first made, not with the validators: it costs a process about 50 MB,
which a validation of IoT data (no k-anonymity to count) never needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb


def connect(*, memory_limit: str, temp_directory: str, threads: int = 1) -> duckdb.DuckDBPyConnection:
    import duckdb

    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": memory_limit,
        "threads": threads,
        "temp_directory": temp_directory,
        "preserve_insertion_order": False,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    connection = duckdb.connect(":memory:", config=config)
    connection.execute("SET enable_progress_bar = false")
    return connection
