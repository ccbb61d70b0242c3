"""Routes of the dataspace app (namespace ``dataspace``, config/urls.py): the DCAT-AP catalog and the Dataspace
Protocol's endpoints (dataspace.dsp; the path is ``dataspace.dsp.PATH``)."""

from django.urls import path

from dataspace.api import dsp
from dataspace.api.catalog import CatalogView

urlpatterns = [
    path("catalog", CatalogView.as_view(), name="catalog"),
    path(".well-known/dspace-version", dsp.version, name="dsp-version"),
    path("dsp/2025-1/catalog/request", dsp.catalog_request, name="dsp-catalog-request"),
    path("dsp/2025-1/catalog/datasets/<str:dataset_id>", dsp.dataset, name="dsp-dataset"),
]
