"""Routes of the catalog's pages; included by marketplace/web/urls.py under the ``web`` namespace."""

from django.urls import path

from catalog.web import datasets, versions

urlpatterns = [
    path("", datasets.catalog, name="catalog"),
    path("datasets/<uuid:dataset_id>/", datasets.dataset_detail, name="dataset"),
    path("sell/", datasets.seller_datasets, name="sell"),
    path("sell/datasets/new/", datasets.dataset_create, name="dataset_create"),
    path("sell/datasets/<uuid:dataset_id>/edit/", datasets.dataset_edit, name="dataset_edit"),
    path("sell/datasets/<uuid:dataset_id>/withdraw/", datasets.dataset_withdraw, name="dataset_withdraw"),
    path("sell/datasets/<uuid:dataset_id>/relist/", datasets.dataset_relist, name="dataset_relist"),
    path("sell/datasets/<uuid:dataset_id>/upload/", versions.version_upload, name="version_upload"),
    path("sell/datasets/<uuid:dataset_id>/versions/<int:number>/", versions.version_detail, name="version"),
]
