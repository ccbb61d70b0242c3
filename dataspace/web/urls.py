"""Routes of the dataspace app's pages for people, namespace ``dataspace_web`` (config/urls.py); the protocol's
and the catalog's routes are ``dataspace.urls``."""

from django.urls import path

from dataspace.web import processes

urlpatterns = [
    path("dataspace/negotiations/", processes.negotiation_list, name="negotiations"),
]
