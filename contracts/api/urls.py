from django.urls import path

from contracts.api import views

urlpatterns = [
    path("contract-templates", views.TemplateList.as_view(), name="contract-templates"),
    path("contract-templates/<str:code>", views.TemplateDetail.as_view(), name="contract-template"),
    path("platform-rules", views.PlatformRules.as_view(), name="platform-rules"),
    path("contracts", views.ContractList.as_view(), name="contracts"),
    path("contracts/<str:contract_id>", views.ContractDetail.as_view(), name="contract"),
    path("contracts/<str:contract_id>/document", views.ContractDocument.as_view(), name="contract-document"),
    path("contracts/<str:contract_id>/odrl", views.ContractOdrl.as_view(), name="contract-odrl"),
]
