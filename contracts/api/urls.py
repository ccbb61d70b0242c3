from django.urls import path

from contracts.api import contracts, platform_rules, templates

urlpatterns = [
    path("contract-templates", templates.TemplateList.as_view(), name="contract-templates"),
    path("contract-templates/<str:code>", templates.TemplateDetail.as_view(), name="contract-template"),
    path("platform-rules", platform_rules.PlatformRules.as_view(), name="platform-rules"),
    path("contracts", contracts.ContractList.as_view(), name="contracts"),
    path("contracts/<str:contract_id>", contracts.ContractDetail.as_view(), name="contract"),
    path("contracts/<str:contract_id>/document", contracts.ContractDocument.as_view(), name="contract-document"),
    path("contracts/<str:contract_id>/odrl", contracts.ContractOdrl.as_view(), name="contract-odrl"),
]
