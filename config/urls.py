from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from config.api.handlers import page_not_found
from config.api.problems import PROBLEM_CONTENT_TYPE
from config.api.views import ProblemTypesView
from settlement.api.downloads import JwksView


class _ProblemsInJson:
    """Mixed into a view whose renderers are for its page (YAML, HTML): its errors are JSON problem details."""

    def handle_exception(self, exc: Exception) -> Response:
        response: Response = super().handle_exception(exc)  # type: ignore[misc]
        request = self.request  # type: ignore[attr-defined]
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), PROBLEM_CONTENT_TYPE
        return response


class SchemaView(_ProblemsInJson, SpectacularAPIView):
    pass


class DocsView(_ProblemsInJson, SpectacularSwaggerView):
    # A page to look at. OPTIONS would render DRF's metadata through the page's HTML renderer, which has no
    # template for it (a 500): every method but GET and HEAD is a 405.
    http_method_names = ["get", "head"]


api_v1 = [
    path("", include("marketplace.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("contracts.api.urls")),
    path("", include("settlement.api.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="swagger-ui"),
    # Any other path under /api/ is a problem-details 404 whatever the method, with DEBUG on too (Django's
    # handler404 is not used then).
    # (Not /api/schema or /api/docs without their slash: CommonMiddleware redirects those to the real pages.)
    re_path(r"^api/(?!(?:schema|docs)$)", csrf_exempt(page_not_found)),
    # Public keys that verify the market's provider-delivery tokens (ES256 JWTs).
    path(".well-known/jwks.json", JwksView.as_view(), name="jwks"),
    path("problems/<slug:code>", ProblemTypesView.as_view(), name="problem-type"),
    path("problems/", ProblemTypesView.as_view(), name="problem-types"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include(("marketplace.web.urls", "web"), namespace="web")),
    path("", include(("settlement.web.urls", "settlement"), namespace="settlement")),
]

handler400 = "config.api.handlers.bad_request"
handler403 = "config.api.handlers.permission_denied"
handler404 = "config.api.handlers.page_not_found"
handler500 = "config.api.handlers.server_error"
