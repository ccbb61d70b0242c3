"""config.db: deferred writes sent together, whole-row reads by hand-written SQL (on whichever database runs)."""

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
from config.db.reads import read_models
from config.db.writes import write_insert, write_update, writes_deferred
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


def test_a_block_sends_its_rows_when_it_ends_in_one_statement_on_postgresql() -> None:
    kept = Organization.objects.create(name="Before", is_seller=True)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        with writes_deferred():
            fresh = Organization(name="Fresh", is_buyer=True, country="DE")
            write_insert(fresh, _record("a"), _record("b"))
            kept.name = "After"
            write_update(kept, fields=["name"])
            assert not Organization.objects.filter(pk=fresh.pk).exists()  # not sent yet
            sent_before_end = len(queries)
        sent = len(queries) - sent_before_end
    assert sent == (1 if connection.vendor == "postgresql" else 3)  # elsewhere one statement per table
    fresh_row = Organization.objects.get(pk=fresh.pk)
    assert (fresh_row.name, fresh_row.is_buyer, fresh_row.country) == ("Fresh", True, "DE")
    assert fresh_row.created_at is not None  # auto_now_add, as save() stamps it
    assert not fresh._state.adding, "saved: a later save() updates the row"
    assert Organization.objects.get(pk=kept.pk).name == "After"
    assert sorted(IdempotencyRecord.objects.values_list("key", flat=True)) == ["a", "b"]


def test_on_postgresql_a_hot_path_statement_is_planned_once_per_connection() -> None:
    # config.db.cursors: the same deferred write, sent twice, runs twice as one prepared statement.
    require_postgres()
    with transaction.atomic():
        for name in ("One", "Two"):
            with writes_deferred():
                write_insert(Organization(name=name, is_buyer=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ['WITH w0 AS (INSERT INTO "marketplace_organization"%'],
        )
        assert cursor.fetchall() == [(2,)]
    assert sorted(Organization.objects.values_list("name", flat=True)) == ["One", "Two"]


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_prepared_read_outlives_a_column_type_change_by_one_error() -> None:
    # ADR 8: outside a transaction nothing else would drop the stale statement; the connection is replaced.
    from django.db import NotSupportedError

    from config.db.reads import read_values

    require_postgres()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE hotpath_probe (id integer PRIMARY KEY, v text)")
        cursor.execute("INSERT INTO hotpath_probe VALUES (1, 'x')")
    try:
        read = "SELECT id, v FROM hotpath_probe WHERE id = %s"
        assert read_values(read, [1]) == [(1, "x")]  # prepared on this connection
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE hotpath_probe ALTER COLUMN v TYPE varchar(10)")
        with pytest.raises(NotSupportedError):
            read_values(read, [1])
        assert read_values(read, [1]) == [(1, "x")]
        assert read_values(read, [1]) == [(1, "x")]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE hotpath_probe")


def test_a_block_that_raises_writes_nothing() -> None:
    def failing_use_case() -> None:
        with transaction.atomic(), writes_deferred():
            write_insert(Organization(name="Never", is_seller=True))
            raise RuntimeError("the use case failed")

    with pytest.raises(RuntimeError):
        failing_use_case()
    assert not Organization.objects.filter(name="Never").exists()


def test_without_a_block_rows_are_written_at_once() -> None:
    organization = Organization(name="Now", is_seller=True)
    write_insert(organization)
    assert Organization.objects.filter(pk=organization.pk).exists()
    organization.verified = True
    write_update(organization, fields=["verified"])
    assert Organization.objects.get(pk=organization.pk).verified


def test_a_constraint_the_rows_break_fails_the_whole_block() -> None:
    with pytest.raises(IntegrityError), transaction.atomic(), writes_deferred():
        write_insert(Organization(name="Good", is_seller=True), Organization(name="No role"))
    assert not Organization.objects.filter(name="Good").exists()


def test_ignore_conflicts_skips_a_row_that_exists() -> None:
    ContractText.objects.create(sha256="0" * 64, text="stored first")
    with transaction.atomic(), writes_deferred():
        write_insert(
            ContractText(sha256="0" * 64, text="stored first"),
            ContractText(sha256="1" * 64, text="new"),
            ignore_conflicts=True,
        )
    assert dict(ContractText.objects.values_list("sha256", "text")) == {"0" * 64: "stored first", "1" * 64: "new"}


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
    with transaction.atomic(), writes_deferred():
        write_insert(_record(key, response_body=body, response_headers=headers))
    stored = IdempotencyRecord.objects.get(key=key)
    assert (stored.response_body, stored.response_headers) == (body, headers)
    [(read, extra)] = read_models(IdempotencyRecord, "SELECT {columns}, 7 FROM {table} WHERE key = %s", [key])
    assert (read.pk, read.response_body, read.response_headers, read.created_at, extra) == (
        stored.pk,
        body,
        headers,
        stored.created_at,
        (7,),
    )


def test_read_models_gives_the_instances_the_orm_gives() -> None:
    seller = Organization.objects.create(name="Reader", is_seller=True, country="JP")
    [(row, (upper,))] = read_models(
        Organization, "SELECT {columns}, UPPER(o.name) FROM {table} o WHERE o.id = %s", [seller.id], alias="o"
    )
    expected = Organization.objects.get(pk=seller.pk)
    assert upper == "READER"
    assert [getattr(row, f.attname) for f in Organization._meta.concrete_fields] == [
        getattr(expected, f.attname) for f in Organization._meta.concrete_fields
    ]
    assert not row._state.adding


def test_keys_the_database_assigns_are_read_back() -> None:
    records = [_record("k1"), _record("k2")]
    with transaction.atomic(), writes_deferred():
        write_insert(*records)
    assert [r.pk for r in records] == list(
        IdempotencyRecord.objects.filter(key__in=["k1", "k2"]).order_by("key").values_list("pk", flat=True)
    )
    assert all(r.pk is not None for r in records)


def test_a_block_refuses_what_it_could_not_send_faithfully() -> None:
    organization = Organization.objects.create(name="Once", is_seller=True)
    with transaction.atomic(), writes_deferred():
        write_update(organization, fields=["name"])
        with pytest.raises(ValueError, match="written twice"):
            write_update(organization, fields=["country"])
    # a savepoint opened inside the block could roll back after its rows were collected
    with transaction.atomic(), writes_deferred(), pytest.raises(TransactionManagementError), transaction.atomic():
        write_insert(Organization(name="Ghost", is_seller=True))
    assert not Organization.objects.filter(name="Ghost").exists()


def test_a_field_named_twice_is_written_once() -> None:
    organization = Organization.objects.create(name="Twice", is_seller=True)
    organization.name = "Named"
    with transaction.atomic(), writes_deferred():
        write_update(organization, fields=["name", "name"])
    assert Organization.objects.get(pk=organization.pk).name == "Named"


@pytest.mark.django_db(transaction=True)
def test_a_block_belongs_to_a_transaction() -> None:
    with pytest.raises(TransactionManagementError), writes_deferred():  # autocommit: no transaction to belong to
        write_insert(Organization(name="Loose", is_seller=True))
    assert not Organization.objects.filter(name="Loose").exists()
