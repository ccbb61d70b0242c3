"""Catalog search on PostgreSQL: a stored tsvector of the search tokens and its GIN index.

The column exists only on PostgreSQL (SQLite searches ``search_text`` by substring; see catalog/search.py),
so the model does not declare it; PostgreSQL keeps it up to date as a generated column. Storing the
vector matters: a plan that walks the newest datasets and tests each one must not re-tokenise every row.
"""

from django.db import migrations


def _on_postgres(*statements: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


CREATE = (
    "ALTER TABLE catalog_dataset ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX dataset_search_gin ON catalog_dataset USING gin (search_vector)",
)
DROP = (
    "DROP INDEX IF EXISTS dataset_search_gin",
    "ALTER TABLE catalog_dataset DROP COLUMN IF EXISTS search_vector",
)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(_on_postgres(*CREATE), _on_postgres(*DROP), elidable=False)]
