"""Routes of the dataspace app (namespace ``dataspace``, config/urls.py): the DCAT-AP catalog."""

from django.urls import path

from dataspace.api.catalog import CatalogView

urlpatterns = [
    path("catalog", CatalogView.as_view(), name="catalog"),
]
