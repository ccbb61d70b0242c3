"""Settings for the test suite: fast hashing, temporary data folders, throttling kept testable."""

import os
import tempfile
from pathlib import Path

from config.env import env

from .base import *  # noqa: F403
from .base import (
    CELERY_QUEUE_PREFIX,
    CELERY_TASK_DEFAULT_QUEUE,
    CELERY_TASK_ROUTES,
    DATABASES,
    ICHIBA,
)

DEBUG = False
SECRET_KEY = "ichiba-test-only-not-a-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A worker started by an integration test is pointed at the same folder through ICHIBA_TEST_DATA_DIR.
_tmp = Path(env.str("ICHIBA_TEST_DATA_DIR", default="") or tempfile.mkdtemp(prefix="ichiba-test-"))
MEDIA_ROOT = _tmp
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(_tmp)}},
    "datasets": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(_tmp / "datasets")},
    },
    "logos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(_tmp / "logos")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Collected here by the tests that need it (WhiteNoise reads the folder when its middleware starts).
STATIC_ROOT = _tmp / "static"
STATIC_ROOT.mkdir(exist_ok=True)
ICHIBA = {
    **ICHIBA,
    "DEMO_DATA_ALLOWED": True,
    # A test's rollback deletes keys without a signal, so a cached principal could outlive its rows; the tests of
    # the cache turn it on.
    "API_KEY_CACHE_SECONDS": env.int("ICHIBA_API_KEY_CACHE_SECONDS", default=0),
    "MAX_UPLOAD_BYTES": env.int("ICHIBA_MAX_UPLOAD_BYTES", default=2 * 1024**2),
    # Webhook tests run their receiver on 127.0.0.1; the SSRF guard itself is tested with this off.
    "WEBHOOK_ALLOW_PRIVATE_TARGETS": env.bool("ICHIBA_WEBHOOK_ALLOW_PRIVATE_TARGETS", default=True),
    # Out of the way of tests that call the API many times; the throttle's own tests lower it.
    "ORGANIZATION_RATE": "10000/min",
    # Tests close subscription periods ahead of time (`close_periods --as-of`), as a test clock does.
    "SUBSCRIPTION_TEST_CLOCK": True,
    # A made-up registration number (its check digit valid) so that the market issues qualified invoices here.
    "INVOICE_REGISTRATION_NUMBER": env.str("ICHIBA_INVOICE_REGISTRATION_NUMBER", default="T5010001199999"),
}
LANGUAGE_CODE = "en"

# Unit tests run tasks in-process (still only on commit); integration tests start a real worker and
# switch this off in the worker's environment (tests/integration).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)

# Queues of their own per test run: two runs sharing a Redis (a developer's and a helper's) must not take
# each other's tasks. A worker started by a test gets the same prefix through the environment.
if not CELERY_QUEUE_PREFIX:
    CELERY_QUEUE_PREFIX = f"test{os.getpid()}-"
    os.environ["ICHIBA_CELERY_QUEUE_PREFIX"] = CELERY_QUEUE_PREFIX
    CELERY_TASK_ROUTES = {
        pattern: {"queue": f"{CELERY_QUEUE_PREFIX}{route['queue']}"} for pattern, route in CELERY_TASK_ROUTES.items()
    }
    CELERY_TASK_DEFAULT_QUEUE = f"{CELERY_QUEUE_PREFIX}{CELERY_TASK_DEFAULT_QUEUE}"

# Threads of the live server (browser tests) must not keep connections open past their request, or the
# test database cannot be dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not the shared-cache in-memory database: shared cache answers concurrent writers with
    # "table is locked" at once, while a file honours BEGIN IMMEDIATE and the busy timeout like `make run`.
    DATABASES["default"]["TEST"] = {"NAME": str(_tmp / "test.sqlite3")}
