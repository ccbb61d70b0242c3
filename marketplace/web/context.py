from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from config.api.principal import Principal, principal_of
from marketplace import hooks


def _nav(request: HttpRequest, principal: Principal | None) -> list[dict[str, Any]]:
    """Header links that higher apps registered (marketplace.hooks.register_nav_link), for this principal."""
    if principal is None:
        return []
    allowed = {"member": True, "buyer": principal.is_buyer, "seller": principal.is_seller}
    links = []
    for link in hooks.nav_links():
        if not allowed.get(link.audience, False):
            continue
        url = reverse(link.url_name)
        links.append({"url": url, "label": link.label, "active": request.path.startswith(url)})
    return links


def principal(request: HttpRequest) -> dict[str, Any]:
    found = principal_of(request)
    return {"principal": found, "nav_links": _nav(request, found)}
