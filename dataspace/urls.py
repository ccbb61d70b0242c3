"""Routes of the dataspace app (namespace ``dataspace``, config/urls.py): the DCAT-AP catalog and the Dataspace
Protocol's endpoints (dataspace.dsp; the path is ``dataspace.dsp.PATH``)."""

from django.urls import path

from dataspace.api import dsp, dsp_negotiations, dsp_transfers
from dataspace.api.catalog import CatalogView

urlpatterns = [
    path("catalog", CatalogView.as_view(), name="catalog"),
    path(".well-known/dspace-version", dsp.version, name="dsp-version"),
    path("dsp/2025-1/catalog/request", dsp.catalog_request, name="dsp-catalog-request"),
    path("dsp/2025-1/catalog/datasets/<str:dataset_id>", dsp.dataset, name="dsp-dataset"),
    path("dsp/2025-1/transfers/request", dsp_transfers.transfer_request, name="dsp-transfer-request"),
    path("dsp/2025-1/transfers/<str:provider_pid>", dsp_transfers.transfer, name="dsp-transfer"),
    path("dsp/2025-1/transfers/<str:provider_pid>/start", dsp_transfers.transfer_start, name="dsp-transfer-start"),
    path(
        "dsp/2025-1/transfers/<str:provider_pid>/completion",
        dsp_transfers.transfer_completion,
        name="dsp-transfer-completion",
    ),
    path(
        "dsp/2025-1/transfers/<str:provider_pid>/termination",
        dsp_transfers.transfer_termination,
        name="dsp-transfer-termination",
    ),
    path(
        "dsp/2025-1/transfers/<str:provider_pid>/suspension",
        dsp_transfers.transfer_suspension,
        name="dsp-transfer-suspension",
    ),
    # "request" before "<providerPid>": a pid is never the word "request".
    path("dsp/2025-1/negotiations/request", dsp_negotiations.negotiation_request, name="dsp-negotiation-request"),
    path("dsp/2025-1/negotiations/<str:provider_pid>", dsp_negotiations.negotiation, name="dsp-negotiation"),
    path(
        "dsp/2025-1/negotiations/<str:provider_pid>/request",
        dsp_negotiations.negotiation_counter,
        name="dsp-negotiation-counter",
    ),
    path(
        "dsp/2025-1/negotiations/<str:provider_pid>/events",
        dsp_negotiations.negotiation_events,
        name="dsp-negotiation-events",
    ),
    path(
        "dsp/2025-1/negotiations/<str:provider_pid>/agreement/verification",
        dsp_negotiations.negotiation_verification,
        name="dsp-negotiation-verification",
    ),
    path(
        "dsp/2025-1/negotiations/<str:provider_pid>/termination",
        dsp_negotiations.negotiation_termination,
        name="dsp-negotiation-termination",
    ),
]
