from django.urls import path

from catalog.api import views

urlpatterns = [
    path("datasets", views.DatasetListCreate.as_view(), name="dataset-list"),
    path("datasets/<str:dataset_id>", views.DatasetDetail.as_view(), name="dataset-detail"),
    path("datasets/<str:dataset_id>/withdraw", views.DatasetWithdraw.as_view(), name="dataset-withdraw"),
    path("datasets/<str:dataset_id>/relist", views.DatasetRelist.as_view(), name="dataset-relist"),
    path("datasets/<str:dataset_id>/versions", views.VersionListCreate.as_view(), name="dataset-versions"),
    path(
        "datasets/<str:dataset_id>/versions/<str:number>",
        views.VersionDetail.as_view(),
        name="dataset-version",
    ),
    path("datasets/<str:dataset_id>/sample", views.DatasetSample.as_view(), name="dataset-sample"),
]
