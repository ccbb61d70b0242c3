from django.urls import path

from streams.api import credentials

urlpatterns = [
    path(
        "datasets/<str:dataset_id>/stream-credentials",
        credentials.DatasetStreamCredentials.as_view(),
        name="dataset-stream-credentials",
    ),
    path(
        "subscriptions/<str:subscription_id>/stream-credentials",
        credentials.SubscriptionStreamCredentials.as_view(),
        name="subscription-stream-credentials",
    ),
]
