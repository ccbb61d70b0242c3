"""GIN index for catalog search on PostgreSQL (SQLite searches by substring; see catalog/search.py)."""

from django.db import migrations


def _on_postgres(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


CREATE = (
    "CREATE INDEX IF NOT EXISTS dataset_search_gin ON catalog_dataset "
    "USING gin (to_tsvector('simple'::regconfig, search_text))"
)
DROP = "DROP INDEX IF EXISTS dataset_search_gin"


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(_on_postgres(CREATE), _on_postgres(DROP), elidable=False)]
