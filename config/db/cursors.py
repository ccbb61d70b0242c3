"""A cursor for the hot paths' hand-written statements, which PostgreSQL parses and plans once per connection.

The ORM binds parameters on the client (Django's default for psycopg 3), so PostgreSQL parses and plans every query
it receives. That is right for the ORM's endless variety of queries, and for connection poolers; but the few
statements ``config.db.reads`` and ``config.db.writes`` send on every order are the same text every time, and the
matching transaction's write (data-modifying CTEs over eight tables) took longer to plan than to run. Through
``statement_cursor`` they are bound on the server and prepared on their first run on a connection (settings:
``prepare_threshold`` 0, which only server-bound cursors heed), then executed by name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.db import NotSupportedError
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


def statement_cursor(connection: Any) -> CursorWrapper:
    """A cursor on ``connection`` (a Django connection) for a statement the hot path sends again and again.

    PostgreSQL: parameters bound on the server, the statement prepared where the settings allow it
    (``DATABASE_PREPARED_STATEMENTS``). Opened as ``connection.cursor()`` opens Django's (the health check of a
    persistent connection first) and wrapped as Django wraps its own: errors come as Django's, execute wrappers
    and the query log see the statement. One statement per ``execute`` (several in one message need client-side
    binding: ``config.db.reads.read_together`` keeps Django's cursor for those). Elsewhere, the connection's usual
    cursor."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = psycopg.Cursor(connection.connection)  # psycopg's own cursor binds on the server
    return _LoggedAsWritten(cursor, connection) if connection.queries_logged else _Statements(cursor, connection)


@contextmanager
def _stale_plans_dropped(connection: Any) -> Iterator[None]:
    """A migration that changed the type of a column a prepared statement reads makes it fail ("cached plan must
    not change result type"). In a transaction, the rollback that follows drops the connection's prepared
    statements (psycopg); outside one nothing would, and every later run would fail the same way, so the
    connection is closed: the next use opens a fresh one."""
    try:
        yield
    except NotSupportedError as exc:
        if "cached plan" in str(exc) and connection.get_autocommit():
            connection.close()
        raise


class _Statements(CursorWrapper):
    def execute(self, sql: Any, params: Any = None) -> Any:
        with _stale_plans_dropped(self.db):
            return super().execute(sql, params)


class _LoggedAsWritten(CursorDebugWrapper):
    """The query log (DEBUG, tests) records the statement as written, placeholders and all: psycopg keeps no
    query text on a cursor whose statement ran prepared, which Django's log would otherwise read."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(sql, params), _stale_plans_dropped(self.db):
            return CursorWrapper.execute(self, sql, params)
