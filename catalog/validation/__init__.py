"""Validation of dataset files for the market: streaming, no Django; Python and Apache Arrow (pyarrow).

``validate_stream`` reads a CSV, JSON Lines or Parquet file once, in bounded memory, and returns a
:class:`ValidationReport` of named checks (encoding, parse, schema, row count, direct identifiers, and
k-anonymity for anonymized data or timestamps for IoT data), the inferred schema, a typed sample and the
time range of IoT data. A file past the market's published :class:`Limits` (columns, bytes per line, bytes
per cell) is refused with the check ``limits`` as soon as the limit is seen.
"""

from catalog.validation._limits import Limits
from catalog.validation.report import Check, ColumnSchema, ColumnType, Sample, SampleValue, ValidationReport
from catalog.validation.validator import DataClass, Format, validate_stream

__all__ = [
    "Check",
    "ColumnSchema",
    "ColumnType",
    "DataClass",
    "Format",
    "Limits",
    "Sample",
    "SampleValue",
    "ValidationReport",
    "validate_stream",
]
