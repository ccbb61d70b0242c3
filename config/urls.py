from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from config.api.handlers import page_not_found
from config.api.views import DocsView, ProblemTypesView, SchemaView
from settlement.api.downloads import JwksView

api_v1 = [
    path("", include("marketplace.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("contracts.api.urls")),
    path("", include("settlement.api.urls")),
    path("", include("invoices.api.urls")),
    path("", include("deals.api.urls")),
    path("", include("dataspace.api.partner.urls")),
    path("", include("streams.api.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="swagger-ui"),
    # Any other path under /api/ is a problem-details 404 whatever the method, with DEBUG on too (Django's
    # handler404 is not used then).
    # (Not /api/schema or /api/docs without their slash: CommonMiddleware redirects those to the real pages.)
    re_path(r"^api/(?!(?:schema|docs)$)", csrf_exempt(page_not_found), name="api-not-found"),
    # Public keys that verify the market's provider-delivery tokens (ES256 JWTs).
    path(".well-known/jwks.json", JwksView.as_view(), name="jwks"),
    path("problems/<slug:code>", ProblemTypesView.as_view(), name="problem-type"),
    path("problems/", ProblemTypesView.as_view(), name="problem-types"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The DCAT-AP catalog (docs/dataspace.md): for harvesters, outside the versioned partner API.
    path("", include(("dataspace.urls", "dataspace"), namespace="dataspace")),
    path("", include(("marketplace.web.urls", "web"), namespace="web")),
    path("", include(("settlement.web.urls", "settlement"), namespace="settlement")),
    path("", include(("invoices.web.urls", "invoices"), namespace="invoices")),
    path("", include(("deals.web.urls", "deals"), namespace="deals")),
    path("", include(("dataspace.web.urls", "dataspace_web"), namespace="dataspace_web")),
    path("", include(("streams.web.urls", "streams"), namespace="streams")),
]

handler400 = "config.api.handlers.bad_request"
handler403 = "config.api.handlers.permission_denied"
handler404 = "config.api.handlers.page_not_found"
handler500 = "config.api.handlers.server_error"
