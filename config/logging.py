"""Logging filters. A download URL carries a bearer token in its path: no log line may keep it."""

from __future__ import annotations

import logging
import re

_TOKEN_IN_PATH = re.compile(r"(/downloads/)[^/\s?\"']+")


class RedactDownloadTokens(logging.Filter):
    """Replace the token of ``/downloads/<token>`` in a record's message (Django logs 4xx/5xx paths, and
    runserver logs every request line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/downloads/" in message:
            record.msg = _TOKEN_IN_PATH.sub(r"\1[token]", message)
            record.args = None
        return True
