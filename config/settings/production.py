"""Production: every secret and host comes from the environment; nothing has a default."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env

from .base import *  # noqa: F403
from .base import DATABASES, ICHIBA, STRIPE

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters in production.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production runs on PostgreSQL: set DATABASE_URL=postgres://...")
if not env.str("REDIS_URL", default=""):
    raise ImproperlyConfigured("Production needs REDIS_URL for Celery and throttling.")
if not ICHIBA["JWT_PRIVATE_KEY"]:
    # Every web host must sign delivery tokens with the one key the JWKS publishes.
    raise ImproperlyConfigured("Production needs ICHIBA_JWT_PRIVATE_KEY (an ES256 private key, PEM).")
# The offline provider authorises any test card: a production market must never fall back to it.
if ICHIBA["PAYMENT_PROVIDER"] != "stripe" or not STRIPE["SECRET_KEY"]:
    raise ImproperlyConfigured("Production takes payments through Stripe: set STRIPE_SECRET_KEY.")
if not STRIPE["WEBHOOK_SECRET"]:
    raise ImproperlyConfigured("Production needs STRIPE_WEBHOOK_SECRET to verify incoming Stripe webhooks.")
if ICHIBA["OFFLINE_PROVIDER_DELAY_SECONDS"] or ICHIBA["OFFLINE_PROVIDER_FAILURES"]:
    raise ImproperlyConfigured("The offline provider's fault hooks are for tests only.")
if ICHIBA["SUBSCRIPTION_TEST_CLOCK"]:
    raise ImproperlyConfigured("Subscription periods may not be closed ahead of time in production (test clock).")
if ICHIBA["WEBHOOK_ALLOW_PRIVATE_TARGETS"]:
    raise ImproperlyConfigured(
        "Partner webhook and seller delivery URLs may not target private addresses in production (SSRF)."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
SECURE_CONTENT_TYPE_NOSNIFF = True
