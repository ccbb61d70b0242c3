"""Routes of the streams pages, namespace ``streams`` (included by config/urls.py)."""

from django.urls import path

from streams.web import credentials

urlpatterns = [
    path(
        "subscriptions/<uuid:subscription_id>/stream-credentials/",
        credentials.subscription_credentials,
        name="subscription_credentials",
    ),
    path(
        "sell/datasets/<uuid:dataset_id>/stream-credentials/",
        credentials.dataset_credentials,
        name="dataset_credentials",
    ),
]
