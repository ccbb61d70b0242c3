"""A cursor for the matching transaction's write, which PostgreSQL parses and plans once per connection.

The ORM binds parameters on the client (Django's default for psycopg 3), so PostgreSQL parses and plans every query
it receives. That is right for the ORM's endless variety of queries, and for connection poolers; but the write
``config.db.writes.rows_write`` sends on every order (data-modifying CTEs over the ten tables a trade writes) is
one of a few dozen texts, and took longer to plan than to run. Through ``statement_cursor`` it is bound on the
server and prepared on its first run on a connection (settings: ``prepare_threshold`` 0, which only server-bound
cursors heed), then executed by name. Django's own ``server_side_binding`` option would do the same for every
query of the connection; measured against this cursor it was slower on the matching path and fails some of
Django's own migration statements (ADR 10).

A prepared statement whose columns changed type under it ("cached plan must not change result type", after a
migration) fails once: it runs inside a transaction, whose rollback makes psycopg drop the connection's prepared
statements, so the next order prepares it afresh.
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


def statement_cursor(connection: Any) -> CursorWrapper:
    """A cursor on ``connection`` (a Django connection) for a statement the matching sends again and again.

    PostgreSQL: parameters bound on the server, the statement prepared where the settings allow it
    (``DATABASE_PREPARED_STATEMENTS``). Opened as ``connection.cursor()`` opens Django's (the health check of a
    persistent connection first) and wrapped as Django wraps its own: errors come as Django's, execute wrappers
    and the query log see the statement. One statement per ``execute`` (several in one message would need
    client-side binding). Elsewhere, the connection's usual cursor."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = psycopg.Cursor(connection.connection)  # psycopg's own cursor binds on the server
    return _LoggedAsWritten(cursor, connection) if connection.queries_logged else CursorWrapper(cursor, connection)


class _LoggedAsWritten(CursorDebugWrapper):
    """The query log (DEBUG, tests) records the statement as written, placeholders and all: psycopg keeps no
    query text on a cursor whose statement ran prepared, which Django's log would otherwise read."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)
