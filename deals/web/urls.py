"""Routes of the deals pages, namespace ``deals`` (included by config/urls.py)."""

from django.urls import path

from deals.web import data_requests

urlpatterns = [
    # Requests for data: the open ones for sellers, a buyer's own and its form, a request with its answers.
    path("data-requests/", data_requests.open_requests, name="data_requests"),
    path("data-requests/<uuid:data_request_id>/", data_requests.data_request_detail, name="data_request"),
    path("data-requests/<uuid:data_request_id>/close/", data_requests.data_request_close, name="data_request_close"),
    path("my-data-requests/", data_requests.my_requests, name="my_data_requests"),
    path("my-data-requests/new/", data_requests.data_request_new, name="data_request_new"),
]
