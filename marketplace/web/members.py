"""The organisation's members page (``/members/``): every member sees who belongs and in which role; admins also
invite by e-mail, change roles and remove members (marketplace.services.members decides, and refuses a member's
POST). And the page an invitation's link opens, where the invitee sets a password and joins."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from config.api.principal import MANAGE, Principal
from config.errors import DomainError
from config.text import displayable_line
from config.web import principal_required
from marketplace import selectors
from marketplace.models import Membership
from marketplace.services.members import (
    invitation_accept,
    invitation_get,
    invitation_withdraw,
    member_invite,
    member_remove,
    member_role_change,
)
from marketplace.web.signup import CODE_ERRORS, request_origin, show_domain_error

member_required = principal_required(refusal=gettext_lazy("Only members of an organisation have members to see."))

ROLE_CHOICES = [(Membership.Role.ADMIN, gettext_lazy("admin")), (Membership.Role.MEMBER, gettext_lazy("member"))]


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        max_length=254,
        validators=[displayable_line],
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES, initial=Membership.Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)


def _page(request: HttpRequest, principal: Principal, invite_form: InviteForm, status: int = 200) -> HttpResponse:
    is_admin = principal.has_scope(MANAGE) and principal.user_id is not None
    try:
        api_keys_url = reverse("web:api_keys")  # the API keys page, where it exists
    except NoReverseMatch:
        api_keys_url = ""
    return render(
        request,
        "marketplace/members.html",
        {
            "members": selectors.members_list(organization_id=principal.organization_id),
            "invitations": selectors.invitations_open(organization_id=principal.organization_id) if is_admin else [],
            "is_admin": is_admin,
            "invite_form": invite_form,
            "role_choices": ROLE_CHOICES,
            "api_keys_url": api_keys_url,
        },
        status=status,
    )


@member_required
def members(request: HttpRequest, principal: Principal) -> HttpResponse:
    """The list for every member; for an admin, a POST invites (the other changes have their own addresses)."""
    if request.method == "POST":
        form = InviteForm(request.POST)
        if form.is_valid():
            try:
                invitation = member_invite(
                    organization_id=principal.organization_id,
                    actor_user_id=principal.user_id,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    language=translation.get_language() or "ja",
                    origin=request_origin(request),
                )
            except DomainError as exc:
                if exc.status == 403:
                    return render(request, "403.html", {"reason": _("Only admins manage members.")}, status=403)
                show_domain_error(form, exc)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                return redirect("web:members")
        return _page(request, principal, form, status=400)
    return _page(request, principal, InviteForm())


@require_POST
@member_required
def member_role(request: HttpRequest, principal: Principal, membership_id: int) -> HttpResponse:
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose admin or member."))
        return redirect("web:members")
    try:
        membership = member_role_change(
            organization_id=principal.organization_id,
            actor_user_id=principal.user_id,
            membership_id=membership_id,
            role=form.cleaned_data["role"],
        )
    except DomainError as exc:
        return _refused(request, exc)
    messages.success(
        request, _("%(email)s is now %(role)s.") % {"email": membership.user.email, "role": _(membership.role)}
    )
    return redirect("web:members")


@require_POST
@member_required
def invitation_withdrawn(request: HttpRequest, principal: Principal, invitation_id: uuid.UUID) -> HttpResponse:
    try:
        invitation = invitation_withdraw(
            organization_id=principal.organization_id, actor_user_id=principal.user_id, invitation_id=invitation_id
        )
    except DomainError as exc:
        return _refused(request, exc)
    messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("web:members")


@require_POST
@member_required
def member_delete(request: HttpRequest, principal: Principal, membership_id: int) -> HttpResponse:
    try:
        member_remove(
            organization_id=principal.organization_id, actor_user_id=principal.user_id, membership_id=membership_id
        )
    except DomainError as exc:
        return _refused(request, exc)
    messages.success(request, _("The member was removed."))
    return redirect("web:members")


_REFUSALS = {
    "last-admin": gettext_lazy("Your organisation’s last admin can be neither made a member nor removed."),
    "invitation-used": gettext_lazy("This invitation was already accepted: remove the member instead."),
}


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if exc.status == 403:
        return render(request, "403.html", {"reason": _("Only admins manage members.")}, status=403)
    if exc.status == 404:
        return render(request, "404.html", {"reason": _("No such member.")}, status=404)
    messages.error(request, str(_REFUSALS.get(exc.code, exc.detail)))
    return redirect("web:members")


class InvitationForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=gettext_lazy("Password, again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", gettext_lazy("The two passwords differ."))
        return data


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee's page: who invited it where, and a password to join with."""
    try:
        found = invitation_get(token)
    except DomainError as exc:
        return render(
            request,
            "marketplace/invitation.html",
            {"problem": CODE_ERRORS.get(exc.code, exc.detail)},
            status=exc.status,
        )
    status = 200
    if request.method == "POST":
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                user = invitation_accept(token=token, password=form.cleaned_data["password"])
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome to %(name)s.") % {"name": found.organization.name})
                return redirect("web:members")
        status = 400
    else:
        form = InvitationForm()
    return render(request, "marketplace/invitation.html", {"form": form, "invitation": found}, status=status)
