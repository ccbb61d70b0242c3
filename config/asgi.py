import os

from django.core.asgi import get_asgi_application

# A server started on this module is a deployment: production settings unless told otherwise (they refuse to
# start without their secrets). `make run` serves through manage.py, whose default is config.settings.local.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_asgi_application()
