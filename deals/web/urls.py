"""Routes of the deals pages, namespace ``deals`` (included by config/urls.py)."""

urlpatterns: list = []
