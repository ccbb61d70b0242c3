"""Participant sign-up: an e-mail address confirmed by a link, the organisation's application, and the operator's
verification or rejection of it (docs/domain.md#joining-the-market).

1. ``signup_email_request``: a visitor names an address; the market mails it a signed link that expires after
   ``ICHIBA_SIGNUP_LINK_HOURS``. The form mails whatever address it is given, so it is limited: one link per
   recipient address per ``ICHIBA_SIGNUP_EMAIL_INTERVAL_SECONDS`` (a second request in that time is answered the
   same but sends nothing, so the form cannot flood an inbox) and ``ICHIBA_SIGNUP_EMAILS_PER_CLIENT_HOUR`` links
   per client address (past it the form says to try later). The mail's text is the market's own: nothing the
   visitor types but the address goes into it.
2. ``application_submit``: the link's holder applies (company, corporate number, country, roles, contact, phone)
   and sets the password of its user, which signs in at once but belongs to no organisation yet. Applying uses the
   link up in effect: the address then has an account, and a link for an address with an account is refused.
3. ``application_verify`` / ``application_reject``: the operator, in the console. Verification makes the verified
   organisation with its corporate number and the applicant its admin, in one transaction under the application's
   row lock, so two operators clicking at once verify it once; a rejection keeps its reason. The applicant is told
   by e-mail either way.

Every step is a ``ParticipantEvent`` of the application (and, from verification on, of its organisation).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from config.api.principal import ADMIN, BUYER, SELLER
from config.errors import Conflict, InvalidInput, NotFound, RuleViolation
from config.market import market_settings
from config.registration import corporate_number_refusal, normalize_corporate_number
from config.text import text_refusal
from marketplace.models import Membership, Organization, ParticipantApplication, ParticipantEvent, SignupEmail
from marketplace.services.mail import mail_send_on_commit
from marketplace.services.participants import Actor, country_checked, member_add, organization_create
from marketplace.states import application_check

_LINK_SALT = "ichiba.signup.email"
PHONE_CHARACTERS = set("0123456789+-() ")


class TooManySignupEmails(RuleViolation):
    code = "too-many-signup-emails"
    title = "Too many sign-up e-mails"


def email_normalize(email: str) -> str:
    """An address as the market keeps it (its users' names): trimmed, lower-case; InvalidInput when it is none."""
    email = get_user_model().objects.normalize_email(email.strip()).lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput("Enter a valid e-mail address.", errors={"email": ["invalid"]}) from exc
    return email


def signup_link_token(email: str) -> str:
    return signing.dumps({"email": email}, salt=_LINK_SALT, compress=True)


def signup_email_request(*, email: str, client_address: str | None, language: str, origin: str) -> bool:
    """Mails ``email`` a link to the application form, unless a limit holds it back; True when a mail is sent.

    Silent (False) when the address had a link within the interval or already has an account, so the answer
    reveals nothing about the address; TooManySignupEmails when the client address used up its hourly count."""
    email = email_normalize(email)
    market = market_settings()
    moment = timezone.now()
    with transaction.atomic():
        if client_address:
            recent = SignupEmail.objects.filter(client_address=client_address, sent_at__gt=moment - timedelta(hours=1))
            if recent.count() >= market.signup_emails_per_client_hour:
                raise TooManySignupEmails(
                    "Too many sign-up e-mails were requested from your network; try again in an hour.",
                )
        if SignupEmail.objects.filter(email=email, sent_at__gt=moment - market.signup_email_interval).exists():
            return False
        if get_user_model().objects.filter(username=email).exists():
            return False
        SignupEmail.objects.create(email=email, client_address=client_address or None)
        link = origin + reverse("web:signup_apply", kwargs={"token": signup_link_token(email)})
        hours = int(market.signup_link_lifetime.total_seconds() // 3600)
        mail_send_on_commit(
            to=email, name="signup_link", language=language, context={"link": link, "hours": hours, "email": email}
        )
    return True


def signup_link_email(token: str) -> str:
    """The address a sign-up link confirms; NotFound when the link is not one of ours or expired, Conflict when the
    address already has an account (the link was used)."""
    try:
        payload = signing.loads(token, salt=_LINK_SALT, max_age=market_settings().signup_link_lifetime)
    except signing.SignatureExpired as exc:
        raise NotFound("This sign-up link has expired: ask for a new one.", code="signup-link-expired") from exc
    except signing.BadSignature as exc:
        raise NotFound("This is not a valid sign-up link.", code="signup-link-invalid") from exc
    email = str(payload.get("email", "")) if isinstance(payload, dict) else ""
    if not email:
        raise NotFound("This is not a valid sign-up link.", code="signup-link-invalid")
    if get_user_model().objects.filter(username=email).exists():
        raise Conflict("This address already has an account: sign in instead.", code="signup-link-used")
    return email


def corporate_number_check(value: str) -> str:
    """The normalised corporate number, or InvalidInput naming the field; Conflict when an organisation holds it or
    an application under review names it."""
    number = normalize_corporate_number(value)
    refusal = corporate_number_refusal(number)
    if refusal is not None:
        raise InvalidInput(f"corporate_number: {refusal}", errors={"corporate_number": [str(refusal)]})
    if Organization.objects.filter(corporate_number=number).exists():
        raise Conflict(
            "An organisation with this corporate number is already a participant.",
            errors={"corporate_number": ["registered"]},
        )
    if ParticipantApplication.objects.filter(
        corporate_number=number, status=ParticipantApplication.Status.PENDING
    ).exists():
        raise Conflict(
            "An application with this corporate number is already under review.",
            errors={"corporate_number": ["pending"]},
        )
    return number


def _text(field: str, value: str, *, max_length: int) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(f"{field} is required.", errors={field: ["required"]})
    if len(value) > max_length:
        raise InvalidInput(f"{field}: at most {max_length} characters.", errors={field: ["too long"]})
    refusal = text_refusal(value)
    if refusal is not None:
        raise InvalidInput(f"{field}: {refusal}", errors={field: [str(refusal)]})
    return value


@dataclass(frozen=True)
class ApplicationFields:
    """What an application says, checked (``_fields``)."""

    company_name: str
    corporate_number: str
    country: str
    roles: frozenset[str]
    contact_name: str
    phone: str


def _fields(
    *, company_name: str, corporate_number: str, country: str, roles: set[str], contact_name: str, phone: str
) -> ApplicationFields:
    company_name = _text("company_name", company_name, max_length=200)
    contact_name = _text("contact_name", contact_name, max_length=100)
    phone = phone.strip()
    digits = sum(character.isdigit() for character in phone)
    if not set(phone) <= PHONE_CHARACTERS or not 6 <= digits <= 20 or len(phone) > 32:
        raise InvalidInput("phone: digits, spaces, +, - and parentheses.", errors={"phone": ["invalid"]})
    country = country_checked(country.strip())
    if not roles or roles - {SELLER, BUYER}:
        raise InvalidInput("An organisation is a seller, a buyer or both.", errors={"roles": ["invalid"]})
    number = corporate_number_check(corporate_number)
    return ApplicationFields(
        company_name=company_name,
        corporate_number=number,
        country=country,
        roles=frozenset(roles),
        contact_name=contact_name,
        phone=phone,
    )


def _record(*, applicant: User, fields: ApplicationFields, language: str) -> ParticipantApplication:
    """The pending application and its event (inside the caller's transaction; the database refuses a second
    pending application of the applicant or of the corporate number)."""
    application = ParticipantApplication.objects.create(
        applicant=applicant,
        email=applicant.email,
        company_name=fields.company_name,
        corporate_number=fields.corporate_number,
        country=fields.country,
        is_seller=SELLER in fields.roles,
        is_buyer=BUYER in fields.roles,
        contact_name=fields.contact_name,
        phone=fields.phone,
        language=language[:8],
    )
    ParticipantEvent.objects.create(
        application=application,
        kind=ParticipantEvent.Kind.APPLIED,
        actor=applicant,
        payload={"corporate_number": fields.corporate_number, "roles": sorted(fields.roles), "email": applicant.email},
    )
    return application


_NUMBER_PENDING = "An application with this corporate number is already under review."


def application_submit(
    *,
    token: str,
    company_name: str,
    corporate_number: str,
    country: str,
    roles: set[str],
    contact_name: str,
    phone: str,
    password: str,
    language: str,
) -> ParticipantApplication:
    """Records the application (pending) and the applicant's user, who can sign in and follow it."""
    email = signup_link_email(token)
    fields = _fields(
        company_name=company_name,
        corporate_number=corporate_number,
        country=country,
        roles=roles,
        contact_name=contact_name,
        phone=phone,
    )
    candidate = User(username=email, email=email, first_name=fields.contact_name[:150])
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        raise InvalidInput("password: " + " ".join(exc.messages), errors={"password": exc.messages}) from exc
    try:
        with transaction.atomic():
            candidate.set_password(password)
            candidate.save()
            return _record(applicant=candidate, fields=fields, language=language)
    except IntegrityError as exc:
        # A race lost to another submission: the same address (the user) or the same number under review.
        if get_user_model().objects.filter(username=email).exists():
            raise Conflict("This address already has an account: sign in instead.", code="signup-link-used") from exc
        raise Conflict(_NUMBER_PENDING, errors={"corporate_number": ["pending"]}) from exc


def application_reapply(
    *,
    user_id: int | None,
    company_name: str,
    corporate_number: str,
    country: str,
    roles: set[str],
    contact_name: str,
    phone: str,
    language: str,
) -> ParticipantApplication:
    """A signed-in applicant whose application was rejected (or a person who left its organisation) applies again,
    with the account it has; Conflict while it belongs to an organisation or has an application under review."""
    applicant = User.objects.filter(pk=user_id).first() if user_id is not None else None
    if applicant is None:
        raise NotFound("No such account.")
    if Membership.objects.filter(user=applicant).exists():
        raise Conflict("This account already acts for an organisation.", code="already-a-member")
    if ParticipantApplication.objects.filter(
        applicant=applicant, status=ParticipantApplication.Status.PENDING
    ).exists():
        raise Conflict("Your application is already under review.", code="application-pending")
    fields = _fields(
        company_name=company_name,
        corporate_number=corporate_number,
        country=country,
        roles=roles,
        contact_name=contact_name,
        phone=phone,
    )
    try:
        with transaction.atomic():
            return _record(applicant=applicant, fields=fields, language=language)
    except IntegrityError as exc:
        if ParticipantApplication.objects.filter(applicant=applicant, status="pending").exists():
            raise Conflict("Your application is already under review.", code="application-pending") from exc
        raise Conflict(_NUMBER_PENDING, errors={"corporate_number": ["pending"]}) from exc


def application_of(user: object) -> ParticipantApplication | None:
    """The signed-in user's latest application (what its status page shows), or None."""
    if not isinstance(user, User):
        return None
    return ParticipantApplication.objects.filter(applicant=user).order_by("-created_at").first()


def _locked(application_id: uuid.UUID) -> ParticipantApplication:
    try:
        return ParticipantApplication.objects.select_for_update().get(pk=application_id)
    except ParticipantApplication.DoesNotExist as exc:
        raise NotFound("No such application.") from exc


@transaction.atomic
def application_verify(*, application_id: uuid.UUID, actor: Actor, origin: str) -> ParticipantApplication:
    """The operator verifies the application: the organisation (verified, with its corporate number) and the
    applicant as its admin, once; a second verification (another operator's click) is a Conflict."""
    application = _locked(application_id)
    application_check(application.status, ParticipantApplication.Status.VERIFIED)
    if Organization.objects.filter(corporate_number=application.corporate_number).exists():
        raise Conflict("An organisation with this corporate number is already a participant.")
    organization = organization_create(
        name=application.company_name,
        roles=set(application.roles),
        country=application.country,
        verified=True,
        actor=actor,
    )
    organization.corporate_number = application.corporate_number
    organization.save(update_fields=["corporate_number"])
    member_add(organization=organization, email=application.email, role=ADMIN, actor=actor)
    application.status = ParticipantApplication.Status.VERIFIED
    application.decided_at = timezone.now()
    application.decided_by = actor if isinstance(actor, User) else None
    application.organization = organization
    application.save(update_fields=["status", "decided_at", "decided_by", "organization"])
    ParticipantEvent.objects.create(
        organization=organization,
        application=application,
        kind=ParticipantEvent.Kind.APPLICATION_VERIFIED,
        actor=application.decided_by,
        payload={"corporate_number": application.corporate_number},
    )
    mail_send_on_commit(
        to=application.email,
        name="application_verified",
        language=application.language,
        context={"application": application, "link": origin + reverse("web:login")},
    )
    return application


@transaction.atomic
def application_reject(*, application_id: uuid.UUID, reason: str, actor: Actor, origin: str) -> ParticipantApplication:
    """The operator rejects the application, saying why; the applicant is told the reason by e-mail."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("A rejection needs a reason, which the applicant is told.", errors={"reason": ["required"]})
    refusal = text_refusal(reason, multiline=True)
    if refusal is not None:
        raise InvalidInput(f"reason: {refusal}", errors={"reason": [str(refusal)]})
    application = _locked(application_id)
    application_check(application.status, ParticipantApplication.Status.REJECTED)
    application.status = ParticipantApplication.Status.REJECTED
    application.reason = reason[:2000]
    application.decided_at = timezone.now()
    application.decided_by = actor if isinstance(actor, User) else None
    application.save(update_fields=["status", "reason", "decided_at", "decided_by"])
    ParticipantEvent.objects.create(
        application=application,
        kind=ParticipantEvent.Kind.APPLICATION_REJECTED,
        actor=application.decided_by,
        payload={"reason": application.reason},
    )
    mail_send_on_commit(
        to=application.email,
        name="application_rejected",
        language=application.language,
        context={"application": application, "link": origin + reverse("web:application")},
    )
    return application
