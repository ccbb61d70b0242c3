"""config.db, the matching's write: its rows written in one step (on whichever database runs), the statement
prepared once per connection on PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.api.models import IdempotencyRecord
from config.db.writes import rows_write
from contracts.models import ContractText
from marketplace.models import Organization
from tests.fixtures import require_postgres

pytestmark = pytest.mark.django_db


def _record(key: str, **fields: Any) -> IdempotencyRecord:
    values: dict[str, Any] = {
        "scope": "s",
        "key": key,
        "method": "POST",
        "path": "/p",
        "fingerprint": "f",
        "response_status": 201,
        "response_body": "{}",
        "response_headers": {},
    }
    return IdempotencyRecord(**{**values, **fields})


def test_the_rows_go_in_one_statement_on_postgresql() -> None:
    kept = Organization.objects.create(name="Before", is_seller=True)
    fresh = Organization(name="Fresh", is_buyer=True, country="DE")
    kept.name = "After"
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        rows_write(inserts=[fresh, _record("a"), _record("b")], updates=[(kept, ["name"])])
    writes = [q for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(writes) == (1 if connection.vendor == "postgresql" else 3)  # elsewhere one statement per table
    fresh_row = Organization.objects.get(pk=fresh.pk)
    assert (fresh_row.name, fresh_row.is_buyer, fresh_row.country) == ("Fresh", True, "DE")
    assert fresh_row.created_at is not None  # auto_now_add, as save() stamps it
    assert not fresh._state.adding, "saved: a later save() updates the row"
    assert Organization.objects.get(pk=kept.pk).name == "After"
    assert sorted(IdempotencyRecord.objects.values_list("key", flat=True)) == ["a", "b"]


def test_on_postgresql_the_write_is_planned_once_per_connection() -> None:
    # The same write, sent twice, runs twice as one prepared statement.
    require_postgres()
    with transaction.atomic():
        for name in ("One", "Two"):
            rows_write(inserts=[Organization(name=name, is_buyer=True)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ['WITH w0 AS (INSERT INTO "marketplace_organization"%'],
        )
        assert cursor.fetchall() == [(2,)]
    assert sorted(Organization.objects.values_list("name", flat=True)) == ["One", "Two"]


@pytest.mark.django_db(transaction=True)
def test_rows_are_written_inside_a_transaction_only() -> None:
    with pytest.raises(TransactionManagementError):  # autocommit: no transaction for the rows to belong to
        rows_write(inserts=[Organization(name="Loose", is_seller=True)])
    assert not Organization.objects.filter(name="Loose").exists()


def test_a_constraint_the_rows_break_fails_them_all() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_write(inserts=[Organization(name="Good", is_seller=True), Organization(name="No role")])
    assert not Organization.objects.filter(name="Good").exists()


def test_a_row_that_exists_is_skipped_when_inserted_if_absent() -> None:
    ContractText.objects.create(sha256="0" * 64, text="stored first")
    with transaction.atomic():
        rows_write(
            inserts=[],
            inserts_if_absent=[
                ContractText(sha256="0" * 64, text="stored first"),
                ContractText(sha256="1" * 64, text="new"),
            ],
        )
    assert dict(ContractText.objects.values_list("sha256", "text")) == {"0" * 64: "stored first", "1" * 64: "new"}
    with pytest.raises(IntegrityError), transaction.atomic():  # given as a plain insert, it conflicts
        rows_write(inserts=[ContractText(sha256="1" * 64, text="new")])


# Any text PostgreSQL can hold (no NUL, no lone surrogate: the ORM cannot store those either).
_chars = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
_text = st.text(_chars, max_size=200)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(_chars, max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(_chars, max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_text, headers=st.dictionaries(st.text(_chars, max_size=10), _json, max_size=5))
def test_any_text_and_json_arrive_as_the_orm_would_store_them(body: str, headers: dict[str, Any]) -> None:
    key = uuid.uuid4().hex
    with transaction.atomic():
        rows_write(inserts=[_record(key, response_body=body, response_headers=headers)])
    stored = IdempotencyRecord.objects.get(key=key)
    assert (stored.response_body, stored.response_headers) == (body, headers)


def test_keys_the_database_assigns_are_read_back() -> None:
    records = [_record("k1"), _record("k2")]
    with transaction.atomic():
        rows_write(inserts=records)
    assert [r.pk for r in records] == list(
        IdempotencyRecord.objects.filter(key__in=["k1", "k2"]).order_by("key").values_list("pk", flat=True)
    )
    assert all(r.pk is not None for r in records)


def test_a_row_given_twice_is_refused() -> None:
    organization = Organization.objects.create(name="Once", is_seller=True)
    with pytest.raises(ValueError, match="given twice"), transaction.atomic():
        rows_write(inserts=[], updates=[(organization, ["name"]), (organization, ["country"])])


def test_a_field_named_twice_is_written_once() -> None:
    organization = Organization.objects.create(name="Twice", is_seller=True)
    organization.name = "Named"
    with transaction.atomic():
        rows_write(inserts=[], updates=[(organization, ["name", "name"])])
    assert Organization.objects.get(pk=organization.pk).name == "Named"
