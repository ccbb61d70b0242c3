"""Joining the market on the web (marketplace.services.signup): the e-mail step, the application form its link
opens, and the applicant's status page.

Thin: the forms check what a person typed (the corporate number with config.registration, as the service does),
the services decide; a ``DomainError`` is shown at the field it names, in the reader's language, never as a 500.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from config.api.principal import BUYER, SELLER, principal_of
from config.errors import DomainError
from config.registration import corporate_number_refusal, normalize_corporate_number
from config.text import displayable_line
from marketplace.models import ParticipantApplication
from marketplace.services.mail import origin_of
from marketplace.services.signup import (
    TooManySignupEmails,
    application_of,
    application_reapply,
    application_submit,
    email_normalize,
    signup_email_request,
    signup_link_email,
)
from marketplace.signin import client_address

# The services' English field codes (ADR 9) → the sentence the page shows at the field.
FIELD_ERRORS: dict[tuple[str, str], Any] = {
    ("email", "invalid"): _("Enter a valid e-mail address."),
    ("email", "member"): _("This person is already a member of your organisation."),
    ("email", "taken"): _("This address belongs to a member of another organisation."),
    ("email", "applying"): _("This address has an application of its own under review."),
    ("corporate_number", "registered"): _("An organisation with this corporate number is already a participant."),
    ("corporate_number", "pending"): _("An application with this corporate number is already under review."),
    ("phone", "invalid"): _("Enter a phone number: digits, spaces, +, - and parentheses."),
    ("country", "invalid"): _("Choose a country."),
    ("roles", "invalid"): _("Choose seller, buyer or both."),
    ("reason", "required"): _("Say why: the applicant is told the reason."),
    ("role", "invalid"): _("Choose admin or member."),
}
CODE_ERRORS: dict[str, Any] = {
    "signup-link-expired": _("This sign-up link has expired. Ask for a new one below."),
    "signup-link-invalid": _("This is not a valid sign-up link. Ask for a new one below."),
    "signup-link-used": _("This address already has an account: sign in instead."),
    "too-many-signup-emails": _("Too many sign-up e-mails were requested from your network. Try again in an hour."),
    "invitation-expired": _("This invitation has expired: ask your organisation’s admin for a new one."),
    "invitation-invalid": _("This is not a valid invitation link."),
    "invitation-used": _("This invitation was already accepted: sign in."),
    "invitation-withdrawn": _("This invitation was withdrawn: ask your organisation’s admin if you should still join."),
}


def show_domain_error(form: forms.Form, exc: DomainError) -> None:
    """``exc`` on ``form``: at each field it names, translated when the service spoke in codes."""
    shown = False
    for field, reasons in exc.errors.items():
        for reason in reasons:
            message = FIELD_ERRORS.get((field, reason), reason)
            form.add_error(field if field in form.fields else None, str(message))
            shown = True
    if not shown:
        form.add_error(None, str(CODE_ERRORS.get(exc.code, exc.detail)))


def request_origin(request: HttpRequest) -> str:
    return origin_of(f"{request.scheme}://{request.get_host()}")


class SignupEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your work e-mail address"),
        max_length=254,
        validators=[displayable_line],
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )


def signup(request: HttpRequest) -> HttpResponse:
    """The first step: an address to send the confirmation link to."""
    if request.method == "POST":
        form = SignupEmailForm(request.POST)
        if form.is_valid():
            try:
                signup_email_request(
                    email=form.cleaned_data["email"],
                    client_address=client_address(request) or None,
                    language=translation.get_language() or "ja",
                    origin=request_origin(request),
                )
            except TooManySignupEmails as exc:
                show_domain_error(form, exc)
                return render(request, "marketplace/signup.html", {"form": form}, status=429)
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                shown = email_normalize(form.cleaned_data["email"])
                return render(request, "marketplace/signup_sent.html", {"email": shown})
        return render(request, "marketplace/signup.html", {"form": form}, status=400)
    return render(request, "marketplace/signup.html", {"form": SignupEmailForm()})


COUNTRIES = [
    ("JP", _("Japan")),
    ("US", _("United States")),
    ("GB", _("United Kingdom")),
    ("DE", _("Germany")),
    ("FR", _("France")),
    ("KR", _("South Korea")),
    ("TW", _("Taiwan")),
    ("SG", _("Singapore")),
]


class ReapplyForm(forms.Form):
    """What an organisation applies with; ``ApplicationForm`` adds the new account's password."""

    company_name = forms.CharField(label=_("Company name"), max_length=200, validators=[displayable_line])
    corporate_number = forms.CharField(
        label=_("Corporate number (法人番号)"),
        max_length=40,
        validators=[displayable_line],
        help_text=_("13 digits, as the National Tax Agency assigned it. Hyphens and full-width digits are fine."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRIES, initial="JP")
    roles = forms.MultipleChoiceField(
        label=_("What will you do on the market?"),
        choices=[(SELLER, _("Sell data")), (BUYER, _("Buy data"))],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose seller, buyer or both.")},
    )
    contact_name = forms.CharField(
        label=_("Contact person"), max_length=100, validators=[displayable_line], widget=forms.TextInput()
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        validators=[displayable_line],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_corporate_number(self) -> str:
        number = normalize_corporate_number(self.cleaned_data["corporate_number"])
        refusal = corporate_number_refusal(number)
        if refusal is not None:
            raise forms.ValidationError(str(refusal))
        return number

    def application(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "company_name": data["company_name"],
            "corporate_number": data["corporate_number"],
            "country": data["country"],
            "roles": set(data["roles"]),
            "contact_name": data["contact_name"],
            "phone": data["phone"],
        }


class ApplicationForm(ReapplyForm):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; you sign in with your e-mail address and this password."),
    )
    password_again = forms.CharField(
        label=_("Password, again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data


def signup_apply(request: HttpRequest, token: str) -> HttpResponse:
    """The application form a confirmation link opens; submitting it signs the applicant in to its status page."""
    try:
        email = signup_link_email(token)
    except DomainError as exc:
        return render(
            request,
            "marketplace/signup.html",
            {"form": SignupEmailForm(), "link_problem": CODE_ERRORS.get(exc.code, exc.detail)},
            status=exc.status,
        )
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST)
        if form.is_valid():
            try:
                application = application_submit(
                    token=token,
                    password=form.cleaned_data["password"],
                    language=translation.get_language() or "ja",
                    **form.application(),
                )
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                login(request, application.applicant, backend="django.contrib.auth.backends.ModelBackend")
                return redirect("web:application")
        status = 400
    else:
        form = ApplicationForm()
    return render(request, "marketplace/application_form.html", {"form": form, "email": email}, status=status)


@login_required
def application_status(request: HttpRequest) -> HttpResponse:
    """The applicant's page: its application under review, or the operator's answer; after a rejection (or for an
    account that left its organisation) a form to apply again."""
    if principal_of(request) is not None:
        return redirect("web:catalog")
    application = application_of(request.user)
    may_apply = application is None or application.status == ParticipantApplication.Status.REJECTED
    status = 200
    form = ReapplyForm() if may_apply else None
    if request.method == "POST" and may_apply:
        form = ReapplyForm(request.POST)
        if form.is_valid():
            try:
                application_reapply(
                    user_id=request.user.pk, language=translation.get_language() or "ja", **form.application()
                )
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                return redirect("web:application")
        status = 400
    context = {"application": application, "form": form}
    return render(request, "marketplace/application_status.html", context, status=status)
