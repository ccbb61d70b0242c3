"""Settings shared by every environment. Values that vary come from ``config.env``."""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, VAR_DIR, env

# Off unless DJANGO_DEBUG=true says otherwise, in every environment: `make run` serves like production, with the
# real error pages (marketplace/templates/404.html, 500.html), not Django's debug pages and URL list.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: runserver (`make run`) leaves static files to WhiteNoise, as gunicorn does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "config",
    "config.api",
    "catalog",
    "contracts",
    "marketplace",
    "settlement",
    "oversight",
    "invoices",
    "deals",
    "dataspace",
    "streams",
    "demo",
    # Failed sign-ins counted in PostgreSQL, with a lock-out (marketplace/signin.py).
    "axes",
]

MIDDLEWARE = [
    # First: every response carries X-Request-Id, every line logged while serving it request_id (config/request_id.py).
    "config.request_id.RequestIdMiddleware",
    # Then: times every request (the probes too) and answers GET /metrics, which Prometheus scrapes by
    # address over plain HTTP like the probes (config/metrics.py, docs/operations.md#metrics).
    "config.metrics.MetricsMiddleware",
    # Then: load balancers probe /healthz and /readyz by address over plain HTTP (config/health.py).
    "config.health.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.StorableQueryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, except that the API is always English (ADR 9).
    "config.middleware.LocaleMiddleware",
    # A view failing because Redis is down answers 503 with Retry-After, not 500 (config/outage.py).
    "config.middleware.OutageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "marketplace.middleware.PrincipalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into marketplace.signin.lockout_response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "marketplace.web.context.principal",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------------
# SQLite is the embedded default; DATABASE_URL=postgres://... switches to PostgreSQL (psycopg 3).
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ichiba.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue behind one another instead of failing with "database is locked":
    # BEGIN IMMEDIATE takes the write lock up front, and a busy writer is waited for.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The matching transaction's write is prepared on its first run on a connection (config.db.cursors, ADR 10);
    # the ORM binds on the client and is never prepared. Off for a pooler that cannot keep prepared statements
    # across transactions (PgBouncer in transaction mode before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        0 if env.bool("DATABASE_PREPARED_STATEMENTS", default=True) else None
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache (throttling) --------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Seconds a web process waits for Redis (to connect, then for each answer) before it counts as down: a Redis that
# hangs instead of refusing must not hang every request behind the throttle (docs/operations.md).
REDIS_TIMEOUT_SECONDS = env.float("REDIS_TIMEOUT_SECONDS", default=1.0)
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------------
# Without a broker the tasks run in-process (eager), still enqueued only on commit.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
# Workers and beat log through LOGGING like every process (config/celery.py keeps Celery from replacing it).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Queue names may carry a prefix, so that two test runs (or two deployments) sharing one Redis never take
# each other's tasks; workers then consume the prefixed names too.
CELERY_QUEUE_PREFIX = env.str("ICHIBA_CELERY_QUEUE_PREFIX", default="")
CELERY_TASK_ROUTES = {
    # Profiling a published version (quality figures, conversions) loads DuckDB and holds more memory than a
    # validation: a pool of its own keeps validation workers within their bound (docs/operations.md#worker-pools).
    "catalog.profile_version": {"queue": f"{CELERY_QUEUE_PREFIX}profiling"},
    "catalog.*": {"queue": f"{CELERY_QUEUE_PREFIX}validation"},
    "settlement.webhooks.*": {"queue": f"{CELERY_QUEUE_PREFIX}webhooks"},
    # Callbacks to connectors wait on other parties' servers, as webhooks do: the same threaded pool.
    "dataspace.callbacks.*": {"queue": f"{CELERY_QUEUE_PREFIX}webhooks"},
    "settlement.*": {"queue": f"{CELERY_QUEUE_PREFIX}settlement"},
    # A take-down's refunds call the payment provider, as the settlement pipeline does.
    "oversight.*": {"queue": f"{CELERY_QUEUE_PREFIX}settlement"},
}
CELERY_TASK_DEFAULT_QUEUE = f"{CELERY_QUEUE_PREFIX}default"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "catalog-revalidate-stuck-versions": {
        "task": "catalog.sweep_validating_versions",
        "schedule": 300.0,
    },
    # Published versions whose quality figures and renditions were never made (a lost message, a killed worker).
    "catalog-profile-unprofiled-versions": {
        "task": "catalog.sweep_unprofiled_versions",
        "schedule": 300.0,
    },
    "api-purge-idempotency-records": {"task": "api.purge_idempotency_records", "schedule": 3600.0},
    "marketplace-expire-orders": {"task": "marketplace.expire_orders", "schedule": 15.0},
    # A lost message only delays a settlement: the sweeper re-drives whatever sits in a non-final state
    # and captures what was downloaded (its capture task lost) or waited out its acceptance window.
    "settlement-sweep": {"task": "settlement.sweep", "schedule": 30.0},
    "settlement-expire-entitlements": {"task": "settlement.expire_entitlements", "schedule": 300.0},
    "settlement-reconcile": {"task": "settlement.reconcile", "schedule": 900.0},
    # Subscription periods that ended are closed and, if delivered, charged (manage.py close_periods does it now).
    "settlement-close-periods": {"task": "settlement.close_periods", "schedule": 60.0},
    "settlement-pay-out": {"task": "settlement.pay_out", "schedule": crontab(hour=1, minute=0)},
    # Take-downs whose purchases are not all handled yet (a lost task, a refund the provider could not make yet).
    "oversight-finish-takedowns": {"task": "oversight.finish_takedowns", "schedule": 300.0},
    "settlement-webhooks-sweep": {"task": "settlement.webhooks.sweep", "schedule": 30.0},
    # Live streams (nothing to do while they are off): re-apply the clients' changes whose application was lost,
    # and compare the whole broker with the rows (a broker restarted without its state gets it back).
    "streams-sweep": {"task": "streams.sweep", "schedule": 60.0},
    "streams-reconcile": {"task": "streams.reconcile", "schedule": 600.0},
    # Private offers past their expires_at are marked expired and both parties told (they answer 409 already).
    "deals-expire-private-offers": {"task": "deals.expire_private_offers", "schedule": 60.0},
    # Auctions whose closing time has come are closed and awarded (manage.py close_auctions does it now).
    "deals-close-auctions": {"task": "deals.close_auctions", "schedule": 10.0},
    # Dataspace Protocol callbacks due for a retry, or whose message was lost, are sent again.
    "dataspace-callbacks-sweep": {"task": "dataspace.callbacks.sweep", "schedule": 15.0},
}

# --- auth -----------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# A locked-out sign-in is refused before the password is checked (marketplace/signin.py).
AUTHENTICATION_BACKENDS = [
    "marketplace.signin.SignInLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: the limits and the lock-out come from the market's settings (ICHIBA_SIGNIN_*); failures are counted
# per (account, address) and per address (marketplace.signin.SignInAttempts), in PostgreSQL.
AXES_HANDLER = "marketplace.signin.SignInAttempts"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = "marketplace.signin.failure_limit"
AXES_COOLOFF_TIME = "marketplace.signin.lockout"
AXES_CLIENT_IP_CALLABLE = "marketplace.signin.client_address"
AXES_LOCKOUT_CALLABLE = "marketplace.signin.lockout_response"
# The lock-out ends a fixed time after the failure that caused it; attempts while locked out do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success does not wipe the counts: one's own account signed into now and then must not reset an address's count.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:catalog"
LOGOUT_REDIRECT_URL = "web:catalog"

# --- i18n -----------------------------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- static and data files ------------------------------------------------------------------------
# WhiteNoise (middleware above) serves STATIC_ROOT, filled by `manage.py collectstatic` (`manage.py serve` runs it
# when it starts); with DEBUG on it serves the apps' static folders directly, rereading them on each request.
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(env.str("ICHIBA_DATA_DIR", default=str(VAR_DIR / "data")))
FILE_UPLOAD_TEMP_DIR = env.str("ICHIBA_UPLOAD_TMP_DIR", default="") or None

DATA_STORAGE = env.str("ICHIBA_DATA_STORAGE", default="local")  # "local" or "s3"
if DATA_STORAGE == "s3":
    _datasets_storage: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("ICHIBA_S3_BUCKET"),
            "endpoint_url": env.str("ICHIBA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("ICHIBA_S3_REGION", default="") or None,
            "access_key": env.str("ICHIBA_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("ICHIBA_S3_SECRET_KEY", default="") or None,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_expire": 900,
        },
    }
else:
    _datasets_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT / "datasets"), "base_url": None},
    }
# Organisations' logos (marketplace.models.logo_storage): beside the datasets, under their own prefix, and served
# through the seller's page (/sellers/<id>/logo), so the bucket stays private.
_logos_options: dict[str, object] = {"location": str(MEDIA_ROOT / "logos"), "base_url": None}
if DATA_STORAGE == "s3":
    _logos_options = {**_datasets_storage["OPTIONS"], "location": "logos"}  # type: ignore[dict-item]
_logos_storage: dict[str, object] = {"BACKEND": _datasets_storage["BACKEND"], "OPTIONS": _logos_options}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "datasets": _datasets_storage,
    "logos": _logos_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- the market -----------------------------------------------------------------------------------
ICHIBA = {
    # Whether ``manage.py load_demo`` may run: it creates accounts with a published password and published API
    # keys (and an operator superuser), so only the local and test settings allow it.
    "DEMO_DATA_ALLOWED": False,
    # Seconds an API key's principal (organisation, roles, verification) is cached (in Redis when REDIS_URL is
    # set); a revocation or a change of the organisation forgets it at once. 0 reads the key on every request.
    "API_KEY_CACHE_SECONDS": env.int("ICHIBA_API_KEY_CACHE_SECONDS", default=30),
    # Where orders are matched (docs/architecture.md#matchers): "in-process" (each request matches its order in its
    # own transaction; make run, tests) or "streams" (the shards' matcher processes, reached over Redis streams;
    # needs PostgreSQL and REDIS_URL, and `manage.py run_matcher` for every shard).
    "MATCHERS": env.str("ICHIBA_MATCHERS", default="in-process"),
    # Shards of order books, each with one matcher; every process of a deployment must agree on it.
    "MATCHER_SHARDS": env.int("ICHIBA_MATCHER_SHARDS", default=2),
    # The most orders a matcher takes into one batch (one transaction).
    "MATCHER_BATCH": env.int("ICHIBA_MATCHER_BATCH", default=256),
    # Seconds a request waits for its matcher's answer before it answers 202 with the order's URL.
    "MATCHER_REPLY_TIMEOUT_SECONDS": env.float("ICHIBA_MATCHER_REPLY_TIMEOUT_SECONDS", default=5.0),
    # Prepended to the matchers' Redis keys (streams, replies): lets test runs share one Redis.
    "MATCHER_KEY_PREFIX": env.str("ICHIBA_MATCHER_KEY_PREFIX", default=""),
    # Largest accepted dataset file; past it the upload is refused with 413.
    "MAX_UPLOAD_BYTES": env.int("ICHIBA_MAX_UPLOAD_BYTES", default=5 * 1024**3),
    # Smallest equivalence class allowed over the declared quasi-identifiers of anonymised data.
    "K_ANONYMITY": env.int("ICHIBA_K_ANONYMITY", default=5),
    # A version still "validating" this long after upload is re-driven by the sweeper.
    "VALIDATION_STUCK_AFTER_SECONDS": env.int("ICHIBA_VALIDATION_STUCK_AFTER_SECONDS", default=3600),
    # Published limits of a dataset file, refused at validation with the check "limits" (docs/operations.md):
    # columns (CSV header fields, distinct JSON Lines keys), bytes in one line, bytes in one cell (UTF-8).
    "MAX_COLUMNS": env.int("ICHIBA_MAX_COLUMNS", default=1000),
    "MAX_LINE_BYTES": env.int("ICHIBA_MAX_LINE_BYTES", default=1024**2),
    "MAX_CELL_BYTES": env.int("ICHIBA_MAX_CELL_BYTES", default=64 * 1024),
    # A validation whose worker was killed this many times (e.g. by the OOM killer: the task is redelivered
    # because of acks_late) rejects its version with the check "interrupted" instead of starting again.
    "VALIDATION_MAX_ATTEMPTS": env.int("ICHIBA_VALIDATION_MAX_ATTEMPTS", default=3),
    # The market's published fee, a decimal fraction of each trade's amount, deducted from seller proceeds.
    "PLATFORM_FEE_RATE": env.str("ICHIBA_PLATFORM_FEE_RATE", default="0.05"),
    "CONSUMPTION_TAX_RATE": env.str("ICHIBA_CONSUMPTION_TAX_RATE", default="0.10"),
    # A bid on the web priced above this multiple of the best ask asks the buyer to confirm it first (a "fat finger"
    # guard: 15000 typed for 1500); above 1. The API is not guarded.
    "FAT_FINGER_RATIO": env.str("ICHIBA_FAT_FINGER_RATIO", default="1.5"),
    # "offline" (deterministic, honours Stripe's test payment methods) or "stripe" (the official SDK).
    "PAYMENT_PROVIDER": env.str("ICHIBA_PAYMENT_PROVIDER", default="stripe" if STRIPE_SECRET_KEY else "offline"),
    # An authorised payment is captured at the first completed download or when this window passes.
    "ACCEPTANCE_WINDOW_HOURS": env.int("ICHIBA_ACCEPTANCE_WINDOW_HOURS", default=72),
    # A settlement still pending/authorised this long after its last change is re-driven by the sweeper.
    "SETTLEMENT_STUCK_AFTER_SECONDS": env.int("ICHIBA_SETTLEMENT_STUCK_AFTER_SECONDS", default=120),
    # Lifetime of a download token (and of any presigned URL it redirects to).
    "DOWNLOAD_TOKEN_SECONDS": env.int("ICHIBA_DOWNLOAD_TOKEN_SECONDS", default=15 * 60),
    # Seconds a provider call may take before it counts as a transient failure.
    "PROVIDER_TIMEOUT_SECONDS": env.float("ICHIBA_PROVIDER_TIMEOUT_SECONDS", default=10.0),
    # First retry delay after a transient provider failure; it doubles per attempt (capped at 10 minutes).
    "PROVIDER_RETRY_BASE_SECONDS": env.float("ICHIBA_PROVIDER_RETRY_BASE_SECONDS", default=5.0),
    # TEST-ONLY fault hooks of the offline provider (both 0 = off; never set them in production).
    # Seconds the offline provider sleeps after recording an authorisation, before answering: lets a test kill
    # a worker mid-authorisation. And how many calls per idempotency key fail with ProviderUnavailable first.
    "OFFLINE_PROVIDER_DELAY_SECONDS": env.float("ICHIBA_OFFLINE_PROVIDER_DELAY_SECONDS", default=0.0),
    "OFFLINE_PROVIDER_FAILURES": env.int("ICHIBA_OFFLINE_PROVIDER_FAILURES", default=0),
    # Outbound partner webhooks: tries before a delivery is given up, and each try's timeout.
    "WEBHOOK_MAX_ATTEMPTS": env.int("ICHIBA_WEBHOOK_MAX_ATTEMPTS", default=10),
    "WEBHOOK_TIMEOUT_SECONDS": env.float("ICHIBA_WEBHOOK_TIMEOUT_SECONDS", default=5.0),
    # Partner webhook URLs are posted to by the market's servers, sellers' delivery URLs handed to buyers: unless
    # this is on, neither may name (or resolve to) a loopback, private, link-local or otherwise non-public
    # address, and both must be https (SSRF; config/outbound.py). Off by default; local.py and test.py turn it
    # on (receivers and sellers' servers on 127.0.0.1). See docs/webhooks.md and docs/delivery.md.
    "WEBHOOK_ALLOW_PRIVATE_TARGETS": env.bool("ICHIBA_WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False),
    # Webhook attempts in flight at once per endpoint and per organisation (docs/operations.md#worker-pools):
    # past either, a delivery waits for a free slot (re-scheduled, no attempt counted). Keep the organisation's
    # cap at most half of WORKER_CONCURRENCY_WEBHOOKS, so one partner never holds the whole webhooks pool.
    "WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT": env.int("ICHIBA_WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT", default=2),
    "WEBHOOK_MAX_IN_FLIGHT_PER_ORGANIZATION": env.int("ICHIBA_WEBHOOK_MAX_IN_FLIGHT_PER_ORGANIZATION", default=4),
    # The worker pools `manage.py workers` (`make worker`) starts, each its own Celery worker: settlement (queues
    # settlement and default) and validation are processes, webhooks are threads (waiting on partners' HTTP).
    # Dataspace Protocol callbacks to consumers' connectors (docs/dataspace.md): tries before a message is given up
    # (its negotiation or transfer is then terminated), and the first retry's wait, doubling to at most 10 minutes:
    # 8 tries span about 20 minutes.
    "DSP_CALLBACK_MAX_ATTEMPTS": env.int("ICHIBA_DSP_CALLBACK_MAX_ATTEMPTS", default=8),
    "DSP_CALLBACK_RETRY_BASE_SECONDS": env.float("ICHIBA_DSP_CALLBACK_RETRY_BASE_SECONDS", default=10.0),
    "WORKER_CONCURRENCY_SETTLEMENT": env.int("ICHIBA_WORKER_CONCURRENCY_SETTLEMENT", default=2),
    "WORKER_CONCURRENCY_VALIDATION": env.int("ICHIBA_WORKER_CONCURRENCY_VALIDATION", default=1),
    "WORKER_CONCURRENCY_PROFILING": env.int("ICHIBA_WORKER_CONCURRENCY_PROFILING", default=1),
    "WORKER_CONCURRENCY_WEBHOOKS": env.int("ICHIBA_WORKER_CONCURRENCY_WEBHOOKS", default=8),
    # ES256 key (PEM) that signs provider-delivery tokens; its public half is served as a JWKS.
    # Empty outside production: a key is generated once into var/keys/.
    "JWT_PRIVATE_KEY": env.str("ICHIBA_JWT_PRIVATE_KEY", default="", multiline=True),
    "JWT_KEY_FILE": env.str("ICHIBA_JWT_KEY_FILE", default=str(VAR_DIR / "keys" / "delivery-es256.pem")),
    "JWT_ISSUER": env.str("ICHIBA_JWT_ISSUER", default="ichiba"),
    # The API budget of one organisation, shared by its API keys and its members' browser sessions (extra keys do
    # not multiply it), counted over a sliding window; past it, 429 with Retry-After. ICHIBA_API_KEY_RATE is
    # the setting's former name, still read when the new one is unset.
    "ORGANIZATION_RATE": env.str(
        "ICHIBA_ORGANIZATION_RATE", default=env.str("ICHIBA_API_KEY_RATE", default="1200/min")
    ),
    # Failed sign-ins (web, admin) before a lock-out: per account and client address together, so nobody can
    # lock a member out from elsewhere; and per address over all accounts (password spraying). The lock-out
    # ends this long after the last failure.
    "SIGNIN_FAILURE_LIMIT": env.int("ICHIBA_SIGNIN_FAILURE_LIMIT", default=5),
    "SIGNIN_ADDRESS_FAILURE_LIMIT": env.int("ICHIBA_SIGNIN_ADDRESS_FAILURE_LIMIT", default=50),
    "SIGNIN_LOCKOUT_SECONDS": env.int("ICHIBA_SIGNIN_LOCKOUT_SECONDS", default=15 * 60),
    # Reverse proxies (load balancers) in front of the web processes that each append the address they saw to
    # X-Forwarded-For: the client's address is the one the outermost of them saw. 0 trusts no such header.
    "TRUSTED_PROXY_COUNT": env.int("ICHIBA_TRUSTED_PROXY_COUNT", default=0),
    # Days a subscription may stay past due (a period's charge declined and retried) before it ends; every
    # subscription contract states the number in force when it is concluded.
    "SUBSCRIPTION_GRACE_DAYS": env.int("ICHIBA_SUBSCRIPTION_GRACE_DAYS", default=7),
    # Whether `manage.py close_periods --as-of` may name a future instant, like a payment provider's test clock,
    # so the billing can be tried in seconds. Only the local and test settings turn it on; production refuses it.
    "SUBSCRIPTION_TEST_CLOCK": False,
    # Live streams over MQTT (streams/, docs/streams.md): Mosquitto's dynamic-security admin account,
    # mqtt://admin:password@host:port or mqtts:// for TLS. Empty: streams are off.
    "MQTT_URL": env.str("ICHIBA_MQTT_URL", default=""),
    # The broker's address as clients reach it (mqtts://mqtt.example.com:8883); empty: the admin URL's host and port.
    "MQTT_PUBLIC_URL": env.str("ICHIBA_MQTT_PUBLIC_URL", default=""),
    # Seconds one broker command (issuing credentials, disabling a client) may take before the broker counts as down.
    "MQTT_TIMEOUT_SECONDS": env.float("ICHIBA_MQTT_TIMEOUT_SECONDS", default=5.0),
    # A CA bundle (PEM) that verifies an mqtts broker's certificate; empty: the system's CAs.
    "MQTT_CA_FILE": env.str("ICHIBA_MQTT_CA_FILE", default=""),
    # The market operator as the DCAT-AP catalog (GET /catalog, docs/dataspace.md) names it: its publisher's name,
    # and the market's public origin (https://ichiba.example), which makes the catalog's links and its homepage
    # absolute whichever host a request came through; empty: the request's own scheme and host.
    "MARKET_NAME": env.str("ICHIBA_MARKET_NAME", default="Ichiba"),
    "PUBLIC_URL": env.str("ICHIBA_PUBLIC_URL", default=""),
    # The invoices the market issues (docs/domain.md#invoices): the operator's legal name printed on them (empty: the
    # market's name) and its invoice registration number, "T" + 13 digits (empty: not a registered issuer, so the
    # market issues plain receipts, never qualified invoices).
    "OPERATOR_NAME": env.str("ICHIBA_OPERATOR_NAME", default=""),
    "INVOICE_REGISTRATION_NUMBER": env.str("ICHIBA_INVOICE_REGISTRATION_NUMBER", default=""),
    # Participant sign-up (docs/operations.md#sign-up-and-the-review-queue): the confirmation link's lifetime; one
    # link per recipient address per interval and so many per client address an hour (the form mails whatever
    # address it is given, so these keep it from being used to flood someone's inbox); invitations' lifetime.
    "SIGNUP_LINK_HOURS": env.int("ICHIBA_SIGNUP_LINK_HOURS", default=24),
    "SIGNUP_EMAIL_INTERVAL_SECONDS": env.int("ICHIBA_SIGNUP_EMAIL_INTERVAL_SECONDS", default=10 * 60),
    "SIGNUP_EMAILS_PER_CLIENT_HOUR": env.int("ICHIBA_SIGNUP_EMAILS_PER_CLIENT_HOUR", default=5),
    "INVITATION_DAYS": env.int("ICHIBA_INVITATION_DAYS", default=7),
    # GET /metrics (Prometheus, docs/operations.md#metrics): with a token, only `Authorization: Bearer <token>`
    # may read it; empty, only this machine (loopback, not relayed by a proxy), others get a 404.
    "METRICS_TOKEN": env.str("ICHIBA_METRICS_TOKEN", default=""),
    # The port on which `manage.py workers` serves its pools' metrics (same rule as /metrics); 0: not served.
    "WORKER_METRICS_PORT": env.int("ICHIBA_WORKER_METRICS_PORT", default=0),
    # The address it listens on: this machine's loopback unless a token lets Prometheus in from elsewhere.
    "WORKER_METRICS_HOST": env.str("ICHIBA_WORKER_METRICS_HOST", default="127.0.0.1"),
    # The folder the pools' processes write their counts to (emptied when `manage.py workers` starts); empty: a
    # temporary folder of the command's own. Never the web server's PROMETHEUS_MULTIPROC_DIR: each empties its own.
    "WORKER_METRICS_DIR": env.str("ICHIBA_WORKER_METRICS_DIR", default=""),
}

# --- E-mail (sign-up confirmations, the operator's answers, invitations) ---------------------------------
# Django's e-mail backend. By default mail is printed on the console (nothing leaves the machine); production sets
# EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the SMTP server's settings. Sent by the Celery task
# marketplace.send_mail after the transaction that caused it commits, retried when the server is unreachable.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Ichiba <no-reply@ichiba.example>")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Stripe ---------------------------------------------------------------------------------------------
STRIPE = {
    "SECRET_KEY": STRIPE_SECRET_KEY,
    "WEBHOOK_SECRET": env.str("STRIPE_WEBHOOK_SECRET", default=""),
    # Pinned: the payloads we parse are those of this version.
    "API_VERSION": "2025-08-27.basil",
    # Tests point the SDK at localstripe on loopback.
    "API_BASE": env.str("STRIPE_API_BASE", default="") or None,
}

# --- REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # API keys first: its WWW-Authenticate makes unauthenticated calls 401 rather than 403.
        "marketplace.auth.ApiKeyAuthentication",
        "marketplace.auth.OrganizationSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["config.api.permissions.IsMember"],
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Honours q-values; a view serves exactly the types its renderer_classes list (config/api/negotiation.py).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "config.api.negotiation.ContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.CreatedCursorPagination",
    "PAGE_SIZE": 50,
    # No generic filter backend: each list view parses its query parameters through a selector, so a bad
    # value is a 400 problem with the field named, and the OpenAPI document lists exactly what is accepted.
    "DEFAULT_FILTER_BACKENDS": [],
    # One budget per organisation (ICHIBA_ORGANIZATION_RATE), counted atomically in Redis; fails open.
    "DEFAULT_THROTTLE_CLASSES": ["config.api.throttling.OrganizationRateThrottle"],
    "EXCEPTION_HANDLER": "config.api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.api.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Ichiba partner API",
    "DESCRIPTION": (
        "REST API of the Ichiba data trading market. Authenticate with `Authorization: Bearer <api key>` "
        "(keys are issued per organisation) or a browser session. Errors are RFC 9457 problem details."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation lists the problem details it may answer with (config/api/openapi.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.openapi.problem_responses",
        "config.api.openapi.request_component_names",
    ],
    # Security schemes come from marketplace/api/schema.py (the authentication classes' extensions).
    # Each model's status words get their own enum, named after the model.
    # (A DSP callback shares the webhook deliveries' words, and so their enum.)
    "ENUM_NAME_OVERRIDES": {
        "DatasetStatusEnum": "catalog.models.Dataset.Status",
        # Why the market's operator took a dataset or an offering down, beside the dataset's own "category".
        "TakedownCategoryEnum": "catalog.models.TakedownCategory",
        "CategoryEnum": "catalog.models.Category",
        "VersionStatusEnum": "catalog.models.DatasetVersion.Status",
        "OfferingStatusEnum": "marketplace.models.Offering.Status",
        "OfferingKindEnum": "marketplace.models.Offering.Kind",
        "DataRequestStatusEnum": "deals.selectors.DataRequestStatus",
        "OrderStatusEnum": "marketplace.models.Order.Status",
        "ApiKeyStatusEnum": "marketplace.models.ApiKey.Status",
        # The order's "type" keeps its name beside a version's quality column "type" (ColumnQualityTypeEnum).
        "TypeEnum": "marketplace.models.Order.Type",
        "ContractStatusEnum": "contracts.models.Contract.Status",
        "SettlementStatusEnum": "settlement.models.Settlement.Status",
        "EntitlementStatusEnum": "settlement.models.Entitlement.Status",
        "WebhookDeliveryStatusEnum": "settlement.models.WebhookDelivery.Status",
        "PrivateOfferStatusEnum": "deals.models.PrivateOffer.Status",
        "DspNegotiationStateEnum": "dataspace.models.Negotiation.State",
        "DspTransferStateEnum": "dataspace.models.Transfer.State",
        "DspPartyEnum": "dataspace.models.Party",
        "DspSideEnum": "dataspace.api.partner.processes.SIDES",
        "SideEnum": "marketplace.models.Order.Side",  # the name it had before another "side" came (DspSideEnum)
        # seller or buyer: who wrote a revision, and who proposed a private offer (the author of its revision 1).
        "AuthorEnum": ["seller", "buyer"],
    },
}

# --- logs (docs/operations.md#logs) -----------------------------------------------------------------------
# One line per record, rendered by structlog (config/logging.py): JSON objects (the default, for production and
# anything that reads logs) or readable lines for a developer's console (the default with DEBUG, and for `make run`).
LOG_FORMAT = env.str("ICHIBA_LOG_FORMAT", default="console" if DEBUG else "json")
# Lines go to standard error, or appended to this file when set (reopened when logrotate moves it).
LOG_FILE = env.str("ICHIBA_LOG_FILE", default="")
# One `http.request` line per request served (method, route, status, milliseconds, request_id): gunicorn's own access
# log knows no request id and is off by default. Off by default under `make run`, where runserver prints its own.
ACCESS_LOG = env.bool("ICHIBA_ACCESS_LOG", default=True)
_log_handler: dict[str, object] = (
    {"class": "logging.handlers.WatchedFileHandler", "filename": LOG_FILE, "encoding": "utf-8"}
    if LOG_FILE
    else {"class": "logging.StreamHandler"}
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"structured": {"()": "config.logging.formatter", "log_format": LOG_FORMAT}},
    "filters": {"redact_download_tokens": {"()": "config.logging.RedactDownloadTokens"}},
    "handlers": {"console": {**_log_handler, "formatter": "structured", "filters": ["redact_download_tokens"]}},
    "root": {"handlers": ["console"], "level": env.str("ICHIBA_LOG_LEVEL", default="INFO")},
    # axes: each failure and lock-out is a warning (the client masked); its per-attempt chatter is not.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
CSRF_FAILURE_VIEW = "config.api.handlers.csrf_failure"
