"""The Celery application. Broker and behaviour come from Django settings (``CELERY_*``)."""

import os

from celery import Celery

# `celery -A config worker` on a server is a deployment: production settings unless told otherwise (`make worker`
# and `make beat` say config.settings.local). manage.py sets its own default before this runs.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("ichiba")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
