"""Routes of the settlement pages, namespace ``settlement`` (included by config/urls.py)."""

from django.urls import path

from settlement.web import purchases, sales, usage

urlpatterns = [
    path("purchases/", purchases.purchase_list, name="purchases"),
    path("purchases/<uuid:settlement_id>/", purchases.purchase_detail, name="purchase"),
    path("purchases/<uuid:settlement_id>/download/", purchases.purchase_download, name="purchase_download"),
    path("purchases/<uuid:settlement_id>/cancel/", purchases.purchase_cancel, name="purchase_cancel"),
    path("sales/", sales.sales, name="sales"),
    path("usage/", usage.usage, name="usage"),
]
