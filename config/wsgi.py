import os

from django.core.wsgi import get_wsgi_application

# A server started on this module is a deployment: production settings unless told otherwise (they refuse to
# start without their secrets). `make run` serves through manage.py, whose default is config.settings.local.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
