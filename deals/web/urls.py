"""Routes of the deals pages, namespace ``deals`` (included by config/urls.py)."""

from django.urls import path

from deals.web import auctions, data_requests, private_offers

urlpatterns = [
    # Requests for data: the open ones for sellers, a buyer's own and its form, a request with its answers.
    path("data-requests/", data_requests.open_requests, name="data_requests"),
    path("data-requests/<uuid:data_request_id>/", data_requests.data_request_detail, name="data_request"),
    path("data-requests/<uuid:data_request_id>/close/", data_requests.data_request_close, name="data_request_close"),
    path("my-data-requests/", data_requests.my_requests, name="my_data_requests"),
    path("my-data-requests/new/", data_requests.data_request_new, name="data_request_new"),
    # Private offers: received and sent, the seller's form, an offer's page and its actions.
    path("private-offers/", private_offers.private_offer_list, name="private_offers"),
    path("private-offers/new/", private_offers.private_offer_new, name="private_offer_new"),
    path("private-offers/<uuid:private_offer_id>/", private_offers.private_offer_detail, name="private_offer"),
    path(
        "private-offers/<uuid:private_offer_id>/counter/",
        private_offers.private_offer_counter_view,
        name="private_offer_counter",
    ),
    path(
        "private-offers/<uuid:private_offer_id>/accept/",
        private_offers.private_offer_accept_view,
        name="private_offer_accept",
    ),
    path(
        "private-offers/<uuid:private_offer_id>/review/",
        private_offers.private_offer_review,
        name="private_offer_review",
    ),
    path(
        "private-offers/<uuid:private_offer_id>/decline/",
        private_offers.private_offer_decline_view,
        name="private_offer_decline",
    ),
    # Sealed-bid auctions: the list, an auction with its bid form, the seller's form from its dataset.
    path("auctions/", auctions.auction_list, name="auctions"),
    path("auctions/<uuid:auction_id>/", auctions.auction_detail, name="auction"),
    path("auctions/<uuid:auction_id>/bid/", auctions.auction_bid, name="auction_bid"),
    path("auctions/<uuid:auction_id>/bid/review/", auctions.auction_bid_review, name="auction_bid_review"),
    path("auctions/<uuid:auction_id>/withdraw/", auctions.auction_withdraw, name="auction_withdraw"),
    path("auctions/offering/<uuid:offering_id>/", auctions.auction_of_offering, name="auction_of_offering"),
    path("sell/datasets/<uuid:dataset_id>/auction/", auctions.auction_create, name="auction_create"),
]
