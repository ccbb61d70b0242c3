"""An issued invoice is never edited, in the database itself: updating (and on PostgreSQL, deleting) an invoice row is
refused by a trigger, as the ledger's rows are (settlement 0003). A correction is a new document."""

from django.db import migrations

TABLE = "invoices_invoice"

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION ichiba_invoice_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'an issued invoice is never changed: %% on %% refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_immutable BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION ichiba_invoice_immutable()"
        )
    elif vendor == "sqlite":
        # UPDATE only: the test runner empties tables with DELETE between transactional tests on SQLite.
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_immutable BEFORE UPDATE ON {TABLE} "
            "BEGIN SELECT RAISE(ABORT, 'an issued invoice is never changed'); END"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_immutable ON {TABLE}")
        schema_editor.execute("DROP FUNCTION IF EXISTS ichiba_invoice_immutable()")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_immutable")


class Migration(migrations.Migration):
    dependencies = [("invoices", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
