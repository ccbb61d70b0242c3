"""Validation of dataset files for the market: pure Python, streaming, no Django.

``validate_stream`` reads a CSV or JSON Lines file once, in constant memory, and returns a
:class:`ValidationReport` of named checks (encoding, parse, schema, row count, direct identifiers, and
k-anonymity for anonymized data or timestamps for IoT data), the inferred schema, a typed sample and the
time range of IoT data.
"""

from catalog.validation.report import Check, ColumnSchema, ColumnType, Sample, SampleValue, ValidationReport
from catalog.validation.validator import DataClass, Format, validate_stream

__all__ = [
    "Check",
    "ColumnSchema",
    "ColumnType",
    "DataClass",
    "Format",
    "Sample",
    "SampleValue",
    "ValidationReport",
    "validate_stream",
]
