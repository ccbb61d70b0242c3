from __future__ import annotations

import copy
import datetime
import decimal
import uuid
from typing import Any

from rest_framework import fields, serializers

# Field classes whose declared instance is only read once bound: ``bind`` assigns the field's own attributes
# (name, parent, label, source), and validation and rendering only read what ``__init__`` built (choices,
# validators, formats). A shallow copy of one is as good as DRF's deep copy, which re-runs ``__init__`` on
# deep-copied arguments for every field of every serializer instance (most of a serializer's cost on the
# order path). Anything else (nested serializers, related fields with querysets) is deep-copied as DRF does.
_SHALLOW_COPIED: frozenset[type[fields.Field]] = frozenset(
    {
        fields.BooleanField,
        fields.CharField,
        fields.ChoiceField,
        fields.DateTimeField,
        fields.EmailField,
        fields.IntegerField,
        fields.RegexField,
        fields.SerializerMethodField,
        fields.URLField,
        fields.UUIDField,
    }
)


# A default (or initial value) the copies would share must be immutable: a list default handed out to
# validated_data of one request must not be the one of the next.
_IMMUTABLE = (str, bytes, int, float, decimal.Decimal, uuid.UUID, datetime.date, datetime.time, type(None))


def _shared_safely(value: Any) -> bool:
    return value is fields.empty or callable(value) or isinstance(value, _IMMUTABLE)


def _clone(field: fields.Field) -> fields.Field:
    if type(field) in _SHALLOW_COPIED and _shared_safely(field.default) and _shared_safely(field.initial):
        clone = object.__new__(type(field))
        clone.__dict__.update(field.__dict__)
        return clone
    return copy.deepcopy(field)


class Serializer(serializers.Serializer):
    """DRF's ``Serializer`` with the declared fields copied cheaply per instance (see ``_SHALLOW_COPIED``).

    Invariant: change a field of ``self.fields`` by assigning its attributes, never by mutating a container
    it shares with the declaration (``field.validators.append`` would reach every instance)."""

    def get_fields(self) -> dict[str, fields.Field]:
        return {name: _clone(field) for name, field in self._declared_fields.items()}


class StrictSerializer(Serializer):
    """Unknown fields are an error, not silently dropped: a typo must not look like success."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
        return super().to_internal_value(data)
