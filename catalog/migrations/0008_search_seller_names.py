"""A dataset's search tokens hold its seller's name (catalog.services.datasets._refresh_search_text), so a buyer finds
a seller's datasets by its name: the tokens of the datasets already listed, recomputed in batches (PostgreSQL's
generated ``search_vector`` follows ``search_text``)."""

from django.db import migrations

from catalog import search


def backfill(apps, schema_editor):
    Dataset = apps.get_model("catalog", "Dataset")
    SearchWord = apps.get_model("catalog", "SearchWord")
    batch, words = [], set()
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
