from django.urls import path

from deals.api import data_requests, private_offers

urlpatterns = [
    # Requests for data: buyers ask, verified sellers answer with private offers naming the request.
    path("data-requests", data_requests.DataRequestListCreate.as_view(), name="data-requests"),
    path("data-requests/<str:data_request_id>", data_requests.DataRequestDetail.as_view(), name="data-request"),
    path(
        "data-requests/<str:data_request_id>/close",
        data_requests.DataRequestClose.as_view(),
        name="data-request-close",
    ),
    # Private offers: a seller offers, either party counters, the party whose turn it is accepts; either declines.
    path("private-offers", private_offers.PrivateOfferListCreate.as_view(), name="private-offers"),
    path("private-offers/<str:private_offer_id>", private_offers.PrivateOfferDetail.as_view(), name="private-offer"),
    path(
        "private-offers/<str:private_offer_id>/counter",
        private_offers.PrivateOfferCounter.as_view(),
        name="private-offer-counter",
    ),
    path(
        "private-offers/<str:private_offer_id>/accept",
        private_offers.PrivateOfferAccept.as_view(),
        name="private-offer-accept",
    ),
    path(
        "private-offers/<str:private_offer_id>/decline",
        private_offers.PrivateOfferDecline.as_view(),
        name="private-offer-decline",
    ),
]
