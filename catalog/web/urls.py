"""Routes of the catalog's pages; included by marketplace/web/urls.py under the ``web`` namespace."""

from django.urls import path

from catalog.web import views

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("datasets/<uuid:dataset_id>/", views.dataset_detail, name="dataset"),
    path("sell/", views.seller_datasets, name="sell"),
    path("sell/datasets/new/", views.dataset_create, name="dataset_create"),
    path("sell/datasets/<uuid:dataset_id>/edit/", views.dataset_edit, name="dataset_edit"),
    path("sell/datasets/<uuid:dataset_id>/withdraw/", views.dataset_withdraw, name="dataset_withdraw"),
    path("sell/datasets/<uuid:dataset_id>/relist/", views.dataset_relist, name="dataset_relist"),
    path("sell/datasets/<uuid:dataset_id>/upload/", views.version_upload, name="version_upload"),
    path("sell/datasets/<uuid:dataset_id>/versions/<int:number>/", views.version_detail, name="version"),
]
