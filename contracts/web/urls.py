"""Routes of the contract pages; included by marketplace/web/urls.py under the ``web`` namespace."""

from django.urls import path

from contracts.web import views

urlpatterns = [
    path("contracts/", views.contract_list, name="contracts"),
    path("contracts/<uuid:contract_id>/", views.contract_detail, name="contract"),
    path("contracts/<uuid:contract_id>/document/", views.contract_document, name="contract_document"),
]
