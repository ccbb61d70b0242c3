"""A dataset's search tokens hold its seller's name (catalog.services.datasets._refresh_search_text), so a buyer finds
a seller's datasets by its name: the tokens of the datasets already listed get their seller's name's tokens appended,
each unless the dataset already holds it, which is what the service writes (``document_tokens`` keeps a token's first
place). PostgreSQL's generated ``search_vector`` follows ``search_text``.

On PostgreSQL one UPDATE per seller, in SQL: a Python pass over every row took over 20 minutes at 100,000 datasets on
the bench's machine (most of it updating the GIN and RUM indexes row batch by row batch). SQLite (``make run``'s
catalog) is rewritten row by row."""

from django.db import migrations

from catalog import search

APPEND_MISSING = """
UPDATE catalog_dataset SET search_text = search_text || COALESCE((
    SELECT string_agg(' ' || token, '' ORDER BY place)
    FROM unnest(%s::text[]) WITH ORDINALITY AS tokens(token, place)
    WHERE strpos(' ' || catalog_dataset.search_text || ' ', ' ' || token || ' ') = 0
), '')
WHERE seller_id = %s
"""


def backfill(apps, schema_editor):
    Dataset = apps.get_model("catalog", "Dataset")
    SearchWord = apps.get_model("catalog", "SearchWord")
    Organization = apps.get_model("marketplace", "Organization")
    sellers = Organization.objects.filter(datasets__isnull=False).distinct().values_list("id", "name")
    words = set()
    if schema_editor.connection.vendor == "postgresql":
        for seller_id, name in sellers:
            tokens = search.document_tokens(name).split()
            words |= search.vocabulary_words(" ".join(tokens))
            if tokens:
                schema_editor.execute(APPEND_MISSING, [tokens, seller_id])
    else:
        batch = []
        datasets = Dataset.objects.select_related("seller").prefetch_related("tags").order_by("pk")
        for dataset in datasets.iterator(chunk_size=1000):
            tags = " ".join(tag.name for tag in dataset.tags.all())
            dataset.search_text = search.document_tokens(
                dataset.title, dataset.description, tags, dataset.region, dataset.seller.name
            )
            words |= search.vocabulary_words(dataset.search_text)
            batch.append(dataset)
            if len(batch) == 1000:
                Dataset.objects.bulk_update(batch, ["search_text"])
                batch = []
        Dataset.objects.bulk_update(batch, ["search_text"])
    SearchWord.objects.bulk_create([SearchWord(word=word) for word in sorted(words)], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_search_rum_index"),
        ("marketplace", "0007_deal_offerings"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
