from django.urls import path

from marketplace.api import offerings, views

urlpatterns = [
    path("me", views.MeView.as_view(), name="me"),
    path("offerings", offerings.OfferingListCreate.as_view(), name="offerings"),
    path("offerings/<str:offering_id>", offerings.OfferingDetail.as_view(), name="offering"),
    path("offerings/<str:offering_id>/withdraw", offerings.OfferingWithdraw.as_view(), name="offering-withdraw"),
    path("offerings/<str:offering_id>/odrl", offerings.OfferingOdrl.as_view(), name="offering-odrl"),
]
