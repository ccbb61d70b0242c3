from django.urls import path

from catalog.api import datasets, versions

urlpatterns = [
    path("datasets", datasets.DatasetListCreate.as_view(), name="dataset-list"),
    path("datasets/<str:dataset_id>", datasets.DatasetDetail.as_view(), name="dataset-detail"),
    path("datasets/<str:dataset_id>/withdraw", datasets.DatasetWithdraw.as_view(), name="dataset-withdraw"),
    path("datasets/<str:dataset_id>/relist", datasets.DatasetRelist.as_view(), name="dataset-relist"),
    path("datasets/<str:dataset_id>/versions", versions.VersionListCreate.as_view(), name="dataset-versions"),
    path(
        "datasets/<str:dataset_id>/versions/<str:number>",
        versions.VersionDetail.as_view(),
        name="dataset-version",
    ),
    path("datasets/<str:dataset_id>/sample", datasets.DatasetSample.as_view(), name="dataset-sample"),
]
