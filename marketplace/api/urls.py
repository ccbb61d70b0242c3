from django.urls import path

from marketplace.api import api_keys, me, members, offerings, orders, quotes, sellers, trades

urlpatterns = [
    path("me", me.MeView.as_view(), name="me"),
    path("members", members.MemberList.as_view(), name="members"),
    path("api-keys", api_keys.ApiKeyListCreate.as_view(), name="api-keys"),
    path("api-keys/<str:api_key_id>", api_keys.ApiKeyDetail.as_view(), name="api-key"),
    path("api-keys/<str:api_key_id>/revoke", api_keys.ApiKeyRevoke.as_view(), name="api-key-revoke"),
    path("api-keys/<str:api_key_id>/rotate", api_keys.ApiKeyRotate.as_view(), name="api-key-rotate"),
    path("offerings", offerings.OfferingListCreate.as_view(), name="offerings"),
    path("offerings/<str:offering_id>", offerings.OfferingDetail.as_view(), name="offering"),
    path("offerings/<str:offering_id>/withdraw", offerings.OfferingWithdraw.as_view(), name="offering-withdraw"),
    path("offerings/<str:offering_id>/odrl", offerings.OfferingOdrl.as_view(), name="offering-odrl"),
    path("offerings/<str:offering_id>/book", orders.OfferingBook.as_view(), name="offering-book"),
    path("offerings/<str:offering_id>/quote", quotes.OfferingQuote.as_view(), name="offering-quote"),
    path("orders", orders.OrderListCreate.as_view(), name="orders"),
    path("orders/<str:order_id>", orders.OrderDetail.as_view(), name="order"),
    path("orders/<str:order_id>/cancel", orders.OrderCancel.as_view(), name="order-cancel"),
    path("trades", trades.TradeList.as_view(), name="trades"),
    path("sellers/<str:seller_id>", sellers.SellerDetail.as_view(), name="seller"),
]
