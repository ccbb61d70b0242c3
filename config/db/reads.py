"""Whole model rows read by hand-written SQL, their values converted as the ORM converts them.

``read_models(Order, "SELECT {columns} FROM {table} WHERE offering_id = %s ORDER BY seq", [id])`` returns ``Order``
instances as ``Order.objects.filter(...)`` would, without compiling a queryset each time (which costs more than the
query on a hot path). ``related`` reads a joined row into a foreign key's cache, as ``select_related`` does;
``exclude`` leaves bulky columns unread (deferred: reading one later costs a query). Columns the SQL selects after
``{columns}`` come back as they are, after the instance.
"""

from __future__ import annotations

import datetime
import functools
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connections, models

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Shape:
    """How one model's columns are selected and turned back into an instance."""

    model: type[models.Model]
    columns: str  # the SELECT list
    attnames: tuple[str, ...]
    converters: tuple[tuple[tuple[Callable[..., Any], ...], Any], ...]  # per column: converters, their expression

    def instance(self, values: Sequence[Any], using: str, connection: Any) -> models.Model:
        converted = list(values)
        for index, (found, expression) in enumerate(self.converters):
            for convert in found:
                converted[index] = convert(converted[index], expression, connection)
        return self.model.from_db(using, self.attnames, converted)


@functools.cache
def _shape(model: type[models.Model], alias: str, exclude: frozenset[str], using: str) -> _Shape:
    connection = connections[using]
    qualifier = f"{connection.ops.quote_name(alias)}." if alias else ""
    fields = [f for f in model._meta.concrete_fields if f.name not in exclude or f.primary_key]
    converters = []
    for f in fields:
        expression = f.get_col(alias or model._meta.db_table)
        found = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        converters.append((tuple(found), expression))
    return _Shape(
        model=model,
        columns=", ".join(qualifier + connection.ops.quote_name(f.column) for f in fields),
        attnames=tuple(f.attname for f in fields),
        converters=tuple(converters),
    )


def _adapt(value: Any, connection: Any) -> Any:
    """A parameter as the ORM would send it (SQLite keeps UUIDs as hex text and times in its own format)."""
    if isinstance(value, uuid.UUID) and not connection.features.has_native_uuid_field:
        return value.hex
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def read_models(
    model: type[M],
    sql: str,
    params: Sequence[Any],
    *,
    alias: str = "",
    related: Mapping[str, str] | None = None,
    exclude: Collection[str] = (),
    using: str = "default",
) -> list[tuple[M, tuple[Any, ...]]]:
    """Run ``sql`` and return each row as (instance, the columns selected after the models').

    ``{columns}`` in ``sql`` stands for the model's columns (qualified with ``alias``) followed by those of each
    ``related`` foreign key (name -> the alias the SQL joins its table under); ``{table}`` for the model's table.
    ``exclude``: field names left unread, ``"name"`` for the model's and ``"fk__name"`` for a related model's."""
    connection = connections[using]
    excluded = frozenset(exclude)
    main = _shape(model, alias, frozenset(n for n in excluded if "__" not in n), using)
    joined = []
    for name, joined_alias in (related or {}).items():
        target = model._meta.get_field(name).related_model
        assert isinstance(target, type)
        drop = frozenset(n.split("__", 1)[1] for n in excluded if n.startswith(f"{name}__"))
        joined.append((model._meta.get_field(name), _shape(target, joined_alias, drop, using)))
    columns = ", ".join([main.columns, *(shape.columns for _, shape in joined)])
    with connection.cursor() as cursor:
        cursor.execute(
            sql.format(columns=columns, table=connection.ops.quote_name(model._meta.db_table)),
            [_adapt(value, connection) for value in params],
        )
        rows = cursor.fetchall()
    result = []
    for row in rows:
        start = len(main.attnames)
        instance = main.instance(row[:start], using, connection)
        for field, shape in joined:
            end = start + len(shape.attnames)
            field.set_cached_value(instance, shape.instance(row[start:end], using, connection))  # type: ignore[union-attr]
            start = end
        result.append((instance, tuple(row[start:])))
    return result  # type: ignore[return-value]
