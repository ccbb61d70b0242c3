"""Ranked search (docs/adr/0014): the title's and the tags' tokens in columns of their own, the weighted tsvector
built from them, and the vocabulary a misspelt English word is corrected against (pg_trgm on PostgreSQL).

On PostgreSQL the generated ``search_vector`` of 0002 is rebuilt with weights: A for the title, B for the tags and
region, D for all the tokens (which the matching reads, as before). pg_trgm is a trusted extension (PostgreSQL 13+),
so the database owner may create it. SQLite gets the columns and the vocabulary, and ranks without them
(catalog/ranking.py).
"""

from django.db import migrations, models

from catalog import search


def _on_postgres(*statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


WEIGHTED = (
    "DROP INDEX IF EXISTS dataset_search_gin",
    "ALTER TABLE catalog_dataset DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE catalog_dataset ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, search_title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, search_tags), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, search_text), 'D')) STORED",
    "CREATE INDEX dataset_search_gin ON catalog_dataset USING gin (search_vector)",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX searchword_trgm ON catalog_searchword USING gin (word gin_trgm_ops)",
)
UNWEIGHTED = (
    "DROP INDEX IF EXISTS searchword_trgm",
    "DROP INDEX IF EXISTS dataset_search_gin",
    "ALTER TABLE catalog_dataset DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE catalog_dataset ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX dataset_search_gin ON catalog_dataset USING gin (search_vector)",
)


def backfill(apps, schema_editor):
    """The new columns and the vocabulary for the datasets already listed, in batches."""
    Dataset = apps.get_model("catalog", "Dataset")
    SearchWord = apps.get_model("catalog", "SearchWord")
    batch, words = [], set()
    for dataset in Dataset.objects.prefetch_related("tags").order_by("pk").iterator(chunk_size=1000):
        tags = [tag.name for tag in dataset.tags.all()]
        dataset.search_title = search.title_tokens(dataset.title)
        dataset.search_tags = search.tag_tokens(tags, dataset.region)
        words |= search.vocabulary_words(dataset.search_text)
        batch.append(dataset)
        if len(batch) == 1000:
            Dataset.objects.bulk_update(batch, ["search_title", "search_tags"])
            batch = []
    Dataset.objects.bulk_update(batch, ["search_title", "search_tags"])
    SearchWord.objects.bulk_create([SearchWord(word=word) for word in sorted(words)], ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0004_version_format_parquet'),
        ('marketplace', '0007_deal_offerings'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchWord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('word', models.CharField(max_length=40, unique=True)),
            ],
        ),
        migrations.AddField(
            model_name='dataset',
            name='search_tags',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name='dataset',
            name='search_title',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddIndex(
            model_name='dataset',
            index=models.Index(fields=['search_title'], name='dataset_search_title_idx'),
        ),
        migrations.RunPython(_on_postgres(*WEIGHTED), _on_postgres(*UNWEIGHTED), elidable=False),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
