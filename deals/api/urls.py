from django.urls import path

from deals.api import data_requests

urlpatterns = [
    # Requests for data: buyers ask, verified sellers answer with private offers naming the request.
    path("data-requests", data_requests.DataRequestListCreate.as_view(), name="data-requests"),
    path("data-requests/<str:data_request_id>", data_requests.DataRequestDetail.as_view(), name="data-request"),
    path(
        "data-requests/<str:data_request_id>/close",
        data_requests.DataRequestClose.as_view(),
        name="data-request-close",
    ),
]
