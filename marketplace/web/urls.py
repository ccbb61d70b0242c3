"""The web site's routes, namespace ``web`` (config/urls.py): the shell's and each app's pages."""

from django.urls import path

from catalog.web.urls import urlpatterns as catalog_urlpatterns
from marketplace.web import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    *catalog_urlpatterns,
]
