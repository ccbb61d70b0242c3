"""Every setting that comes from the environment is read here, and only here.

The embedded default (``make run``/``make test``) needs no variable at all: SQLite, Celery in-process,
local file storage, the offline payment provider. Production reads everything and has no default secret.
"""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# A developer may keep variables in a local .env; the environment itself always wins.
_dotenv = BASE_DIR / ".env"
if _dotenv.is_file():
    environ.Env.read_env(str(_dotenv), overwrite=False)
