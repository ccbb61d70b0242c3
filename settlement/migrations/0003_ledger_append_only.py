"""The ledger is append-only in the database itself, not only by convention: updating (and on PostgreSQL,
deleting) a ledger row is refused by a trigger. A correction is a new, balanced transaction."""

from django.db import migrations

TABLES = ("settlement_ledgertransaction", "settlement_ledgerentry")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION ichiba_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: %% on %% refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ichiba_ledger_append_only()"
            )
    elif vendor == "sqlite":
        # UPDATE only: the test runner empties tables with DELETE between transactional tests on SQLite.
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END"
            )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor in ("postgresql", "sqlite"):
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {table}_append_only" + (f" ON {table}" if vendor == "postgresql" else "")
            )
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS ichiba_ledger_append_only()")


class Migration(migrations.Migration):
    dependencies = [("settlement", "0002_settlement_pipeline")]

    operations = [migrations.RunPython(forwards, backwards)]
