"""Routes of the partner API's DSP processes, under ``/api/v1/`` (config/urls.py)."""

from django.urls import path

from dataspace.api.partner import negotiations, transfers

urlpatterns = [
    path("dsp/negotiations", negotiations.NegotiationList.as_view(), name="dsp-negotiations"),
    path("dsp/negotiations/<str:negotiation_id>", negotiations.NegotiationDetail.as_view(), name="dsp-negotiation"),
    path("dsp/transfers", transfers.TransferList.as_view(), name="dsp-transfers"),
    path("dsp/transfers/<str:transfer_id>", transfers.TransferDetail.as_view(), name="dsp-transfer"),
]
