"""``manage.py onboard``: the operator admits an organisation and prints its first API key (docs/api.md#onboarding)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from config.api.principal import SCOPES
from config.errors import DomainError
from marketplace.hooks import save_payment_method, save_payout_account
from marketplace.services.participants import api_key_create, member_add, organization_create


class Command(BaseCommand):
    help = "Create an organisation with a member and an API key; prints one JSON object."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="Organisation name")
        parser.add_argument("--email", required=True, help="E-mail of its first member")
        parser.add_argument("--role", action="append", choices=["seller", "buyer"], required=True)
        parser.add_argument("--country", default="JP", help="ISO 3166-1 alpha-2 (default JP)")
        parser.add_argument("--verified", action="store_true", help="Mark as verified (may place orders)")
        parser.add_argument("--payment-method", default=None, help="Default payment method, e.g. pm_card_visa")
        parser.add_argument(
            "--payout-account", default=None, help="A seller's connected account at the provider, e.g. acct_1Nx..."
        )
        parser.add_argument("--password", default=None, help="Let the member sign in to the web site")
        parser.add_argument(
            "--scope",
            action="append",
            choices=list(SCOPES),
            default=None,
            help="A scope of the printed key (repeat for several; default: all four)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                organization = organization_create(
                    name=options["org"],
                    roles=set(options["role"]),
                    country=options["country"],
                    verified=options["verified"],
                )
                member_add(organization=organization, email=options["email"], password=options["password"])
                issued = api_key_create(organization=organization, name="onboarding", scopes=options["scope"] or SCOPES)
                if options["payment_method"]:
                    self._save_payment_method(organization, options["payment_method"])
                if options["payout_account"]:
                    if "seller" not in options["role"]:
                        raise CommandError("--payout-account is for sellers (--role seller).")
                    save_payout_account(organization_id=organization.id, account=options["payout_account"])
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(
            json.dumps({"organization_id": str(organization.id), "email": options["email"], "api_key": issued.secret})
        )

    def _save_payment_method(self, organization: Any, payment_method: str) -> None:
        # Payment methods belong to settlement (a higher app); it registers how to save one.
        save_payment_method(organization_id=organization.id, payment_method=payment_method)
