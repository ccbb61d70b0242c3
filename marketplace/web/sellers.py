"""A seller's public page (``/sellers/<id>/``: readable signed out), its logo, and the page where the organisation's
members edit its profile, with its form.

Thin like the API views: read through ``marketplace.selectors.seller_profile``, write through
``marketplace.services.profiles.organization_profile_update`` (the API's ``PATCH /sellers/{id}`` calls it too), and
show a ``DomainError`` at the field it names. The form lists the profile's fields once (``ProfileForm``): a field
added to the profile is one more form field here and one more key in the service's ``PROFILE_FIELDS``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.api.principal import MANAGE, Principal, principal_of
from config.errors import DomainError, NotFound
from config.text import displayable_filename, displayable_line, displayable_text
from config.web import principal_required
from marketplace import selectors
from marketplace.services.profiles import (
    DESCRIPTION_MAX_CHARS,
    LOGO_MAX_BYTES,
    LOGO_TYPES,
    WEBSITE_MAX_CHARS,
    organization_profile_update,
)

# The profile is the organisation's: its admins (scope manage) edit it.
member_required = principal_required(
    refusal=gettext_lazy("Only members of an organisation have a profile to edit."), scope=MANAGE
)

# The service's English field errors (docs/adr/0009) → the sentence a page shows at the field.
_FIELD_ERRORS = {
    "not a PNG, JPEG or WebP image": gettext_lazy("The logo must be a PNG, JPEG or WebP image."),
    f"at most {LOGO_MAX_BYTES} bytes": gettext_lazy("The logo is too large: at most 512 KB."),
    "not an http or https URL": gettext_lazy("Enter an address starting with https:// or http://."),
}


def _seller(seller_id: uuid.UUID) -> Any:
    try:
        return selectors.seller_get(seller_id=seller_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def seller_detail(request: HttpRequest, seller_id: uuid.UUID) -> HttpResponse:
    """The seller's public page: who it is, its datasets and open offerings, its trades and its feeds' deliveries."""
    try:
        profile = selectors.seller_profile(seller_id=seller_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    principal = principal_of(request)
    return render(
        request,
        "marketplace/seller.html",
        {
            "profile": profile,
            "seller": profile.seller,
            # Its admins edit the profile (scope manage); the other members see the page as anyone does.
            "is_member": principal is not None
            and principal.organization_id == profile.seller.id
            and principal.has_scope(MANAGE),
        },
    )


def seller_logo(request: HttpRequest, seller_id: uuid.UUID) -> HttpResponseBase:
    """The seller's logo from the logos' storage, with the type its stored extension names (sniffed at upload)."""
    seller = _seller(seller_id)
    if not seller.logo:
        raise Http404("No logo.")
    extension = seller.logo.name.rsplit(".", 1)[-1]
    content_type = LOGO_TYPES.get(extension)
    if content_type is None:
        raise Http404("No logo.")
    try:
        handle = seller.logo.storage.open(seller.logo.name, "rb")
    except FileNotFoundError as exc:
        raise Http404("No logo.") from exc
    response = FileResponse(handle, content_type=content_type)
    # The file's name changes with every upload (marketplace.models.logo_upload_to), but this address does not.
    response["Cache-Control"] = "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


class ProfileForm(forms.Form):
    description = forms.CharField(
        label=gettext_lazy("About the organisation"),
        max_length=DESCRIPTION_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[displayable_text],
        help_text=gettext_lazy("Shown on your public seller page as you write it, in the language you choose."),
    )
    website = forms.URLField(
        label=gettext_lazy("Website"),
        max_length=WEBSITE_MAX_CHARS,
        required=False,
        assume_scheme="https",
        validators=[displayable_line],
    )
    logo = forms.FileField(
        label=gettext_lazy("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        validators=[displayable_filename],
        help_text=gettext_lazy("PNG, JPEG or WebP, at most 512 KB."),
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("Remove the logo"), required=False)

    def changes(self, had_logo: bool) -> dict[str, Any]:
        """The service's ``changes``: the text fields always; the logo when one was chosen or cleared."""
        data = self.cleaned_data
        found: dict[str, Any] = {"description": data["description"], "website": data["website"]}
        if data["logo"]:
            found["logo"] = data["logo"]
        elif data["remove_logo"] and had_logo:
            found["logo"] = None
        return found


@member_required
def seller_edit(request: HttpRequest, principal: Principal, seller_id: uuid.UUID) -> HttpResponse:
    """The organisation's members edit its public profile; anyone else is refused (403)."""
    seller = _seller(seller_id)
    if principal.organization_id != seller.id:
        return render(
            request, "403.html", {"reason": _("Only the organisation's own members may edit its profile.")}, status=403
        )
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                organization_profile_update(
                    organization_id=seller.id,
                    actor_organization_id=principal.organization_id,
                    actor_user_id=principal.user_id,
                    changes=form.changes(had_logo=bool(seller.logo)),
                )
            except DomainError as exc:
                for field, reasons in exc.errors.items():
                    for reason in reasons:
                        form.add_error(field if field in form.fields else None, str(_FIELD_ERRORS.get(reason, reason)))
                if not exc.errors:
                    form.add_error(None, exc.detail)
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("web:seller", seller_id=seller.id)
        status = 400
    else:
        form = ProfileForm(initial={"description": seller.description, "website": seller.website})
        status = 200
    return render(request, "marketplace/seller_form.html", {"seller": seller, "form": form}, status=status)
