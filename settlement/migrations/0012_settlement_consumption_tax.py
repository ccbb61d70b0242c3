"""Consumption tax on settlements (marketplace/tax.py): a settlement's amount is the tax-inclusive total.

Settlements opened before carry their amount as the tax-exclusive amount too, no tax and a blank treatment (the
market charged none then); the new columns' defaults go once they are filled.
"""

import django.db.models.expressions
from decimal import Decimal
from django.db import migrations, models


def untaxed_before(apps, schema_editor):
    Settlement = apps.get_model("settlement", "Settlement")
    Settlement.objects.update(amount_excl_tax=models.F("amount"))


def ledger_still_append_only(apps, schema_editor):
    """SQLite alters the ledger entries' constraints by rebuilding their table, which drops its append-only trigger
    (0003_ledger_append_only): put it back. PostgreSQL alters in place and keeps it."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER IF NOT EXISTS settlement_ledgerentry_append_only BEFORE UPDATE ON settlement_ledgerentry "
            "BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0006_contract_channel_choices'),
        ('marketplace', '0007_deal_offerings'),
        ('settlement', '0011_download_rendition'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='ledgerentry',
            name='ledger_entry_payable_names_seller',
        ),
        migrations.RemoveConstraint(
            model_name='settlement',
            name='settlement_parts_non_negative',
        ),
        migrations.RemoveConstraint(
            model_name='settlement',
            name='settlement_parts_sum_to_amount',
        ),
        migrations.AddField(
            model_name='payout',
            name='tax_amount',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='settlement',
            name='amount_excl_tax',
            field=models.BigIntegerField(default=0, help_text='The price × quantity, without consumption tax.'),
        ),
        migrations.AddField(
            model_name='settlement',
            name='platform_fee_tax',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='settlement',
            name='tax_amount',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='settlement',
            name='tax_rate',
            field=models.DecimalField(decimal_places=4, default=Decimal('0'), max_digits=6),
        ),
        migrations.AddField(
            model_name='settlement',
            name='tax_treatment',
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.RunPython(untaxed_before, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='settlement',
            name='amount_excl_tax',
            field=models.BigIntegerField(help_text='The price × quantity, without consumption tax.'),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='account',
            field=models.CharField(choices=[('provider_balance', 'Provider balance'), ('platform_fees', 'Platform fees'), ('seller_payable', 'Seller payable'), ('seller_tax_payable', "Seller's consumption tax"), ('tax_payable', 'Consumption tax on fees')], max_length=32),
        ),
        migrations.AlterField(
            model_name='settlement',
            name='amount',
            field=models.BigIntegerField(help_text='What the buyer pays, consumption tax included, in minor units.'),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('account__in', ('seller_payable', 'seller_tax_payable')), ('organization__isnull', False)), models.Q(models.Q(('account__in', ('seller_payable', 'seller_tax_payable')), _negated=True), ('organization__isnull', True)), _connector='OR'), name='ledger_entry_payable_names_seller'),
        ),
        migrations.AddConstraint(
            model_name='settlement',
            constraint=models.CheckConstraint(condition=models.Q(('platform_fee__gte', 0), ('platform_fee_tax__gte', 0), ('seller_proceeds__gte', 0), ('tax_amount__gte', 0), ('amount_excl_tax__gt', 0)), name='settlement_parts_non_negative'),
        ),
        migrations.AddConstraint(
            model_name='settlement',
            constraint=models.CheckConstraint(condition=models.Q(('amount', django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F('platform_fee'), '+', models.F('platform_fee_tax')), '+', models.F('seller_proceeds')))), name='settlement_parts_sum_to_amount'),
        ),
        migrations.AddConstraint(
            model_name='settlement',
            constraint=models.CheckConstraint(condition=models.Q(('amount', django.db.models.expressions.CombinedExpression(models.F('amount_excl_tax'), '+', models.F('tax_amount')))), name='settlement_tax_sums_to_amount'),
        ),
        migrations.RunPython(ledger_still_append_only, migrations.RunPython.noop),
    ]
