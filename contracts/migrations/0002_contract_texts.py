"""Shared contract texts: a document is stored as a base (shared by the contracts of an offering) plus the trade's
own facts, and the clauses snapshot once per template and data class. Existing contracts keep their exact text: each
document becomes a base of its own, without slots."""

import hashlib
import json

import django.db.models.deletion
from django.db import migrations, models


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def texts_from_columns(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    Contract = apps.get_model("contracts", "Contract")
    ContractText = apps.get_model("contracts", "ContractText")
    for contract in Contract.objects.all().iterator():
        clauses = json.dumps(contract.clauses, ensure_ascii=False)
        ids = {}
        for name, text in (("ja", contract.document_ja), ("en", contract.document_en), ("clauses", clauses)):
            ids[name] = _sha256(text)
            ContractText.objects.get_or_create(sha256=ids[name], defaults={"text": text})
        contract.document_ja_base_id = ids["ja"]
        contract.document_en_base_id = ids["en"]
        contract.clauses_text_id = ids["clauses"]
        contract.document_slots = {}
        contract.save(update_fields=["document_ja_base", "document_en_base", "clauses_text", "document_slots"])


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContractText",
            fields=[
                ("sha256", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("text", models.TextField()),
            ],
        ),
        migrations.AddField(
            model_name="contract",
            name="document_slots",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="contract",
            name="clauses_text",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contracts.contracttext"
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="document_en_base",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contracts.contracttext"
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="document_ja_base",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contracts.contracttext"
            ),
        ),
        migrations.RunPython(texts_from_columns, migrations.RunPython.noop, elidable=False),
    ]
