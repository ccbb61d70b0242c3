"""Routes of the contract pages; included by marketplace/web/urls.py under the ``web`` namespace."""

from django.urls import path

from contracts.web import contracts

urlpatterns = [
    path("contracts/", contracts.contract_list, name="contracts"),
    path("contracts/<uuid:contract_id>/", contracts.contract_detail, name="contract"),
    path("contracts/<uuid:contract_id>/document/", contracts.contract_document, name="contract_document"),
]
