"""The shared texts are filled in (0002): require them, drop the per-contract copies."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0002_contract_texts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contract",
            name="clauses_text",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contracts.contracttext"
            ),
        ),
        migrations.AlterField(
            model_name="contract",
            name="document_en_base",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contracts.contracttext"
            ),
        ),
        migrations.AlterField(
            model_name="contract",
            name="document_ja_base",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contracts.contracttext"
            ),
        ),
        migrations.RemoveField(model_name="contract", name="clauses"),
        migrations.RemoveField(model_name="contract", name="document_en"),
        migrations.RemoveField(model_name="contract", name="document_ja"),
    ]
