"""A RUM index over the weighted search vector, where the server can have one (docs/adr/0016).

RUM (``postgresql-15-rum``) is not a trusted extension and not part of PostgreSQL: a server without its package, or
a database owner who may not create it, gets no index, and the search ranks as before (catalog/ranking.py checks
for the index when it runs, so an operator may also create it later with the statements below). The extension is
tried in a savepoint, so its absence never fails the migration.

SQLite gets nothing: it ranks without an index.
"""

from django.db import DatabaseError, migrations, transaction

INDEX = "dataset_search_rum"
# Over an expression of the vector (the vector itself, concatenated with nothing), not the column: a plain match on
# the column keeps the GIN index of 0005, which the planner would otherwise leave for this one, four times slower
# to match a query of many words; only the ranked search names the expression (catalog/ranking.py).
CREATE_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalog_dataset "
    "USING rum ((search_vector || ''::tsvector) rum_tsvector_ops)"
)


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        if cursor.fetchone() is None:
            return
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS rum")
        except DatabaseError:  # not allowed to: the search ranks without it
            return
        cursor.execute(CREATE_INDEX)
        # The expression's statistics: without them the planner guesses its matches and sorts outside the index.
        cursor.execute("ANALYZE catalog_dataset")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0006_version_quality_and_renditions'),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
