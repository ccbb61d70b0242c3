from django.urls import path

from deals.api import auctions, data_requests, private_offers

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
    # Sealed-bid auctions: sellers open them, anyone reads them, verified buyers bid until the close.
    path("auctions", auctions.AuctionListCreate.as_view(), name="auctions"),
    path("auctions/<str:auction_id>", auctions.AuctionDetail.as_view(), name="auction"),
    path("auctions/<str:auction_id>/bids", auctions.AuctionBids.as_view(), name="auction-bids"),
    path("auctions/<str:auction_id>/bid", auctions.AuctionOwnBid.as_view(), name="auction-bid"),
    path("auctions/<str:auction_id>/bid/withdraw", auctions.AuctionBidWithdraw.as_view(), name="auction-bid-withdraw"),
]
