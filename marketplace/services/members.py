"""An organisation's members, managed by its admins (docs/domain.md#members-and-their-roles): invitations by e-mail,
role changes, removals.

An admin invites a person with a role; the invitation's link carries its id, signed and expiring after
``ICHIBA_INVITATION_DAYS``; the invitee sets a password and joins, which uses the invitation up. An address that
belongs to another organisation (or has an application under review) is refused, when invited and when the
invitation is accepted.

The organisation always keeps an admin: a role change or a removal takes the organisation's row lock first, then
counts its admins, so two admins demoting each other at once leave one of them admin. Every change is a
``ParticipantEvent``. Only admins may make these changes (Forbidden otherwise); the check reads the actor's
membership in the same transaction.
"""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from config.api.principal import ADMIN
from config.errors import Conflict, Forbidden, InvalidInput, NotFound
from config.market import market_settings
from marketplace.models import Invitation, Membership, Organization, ParticipantApplication, ParticipantEvent
from marketplace.services.mail import mail_send_on_commit
from marketplace.services.participants import member_add
from marketplace.services.signup import email_normalize

_INVITATION_SALT = "ichiba.invitation"


def _admin(*, organization_id: uuid.UUID, user_id: int | None) -> User:
    """The acting admin of the organisation; Forbidden for anyone else (a member, another organisation's user)."""
    if user_id is None:  # an API key acts for no person
        raise Forbidden("Only the organisation's admins manage its members.")
    membership = (
        Membership.objects.select_related("user")
        .filter(organization_id=organization_id, user_id=user_id, role=Membership.Role.ADMIN)
        .first()
    )
    if membership is None or not isinstance(membership.user, User):
        raise Forbidden("Only the organisation's admins manage its members.")
    return membership.user


def _address_refusal(email: str, organization_id: uuid.UUID) -> Conflict | None:
    user = get_user_model().objects.filter(username=email).first()
    if user is None:
        return None
    membership = Membership.objects.filter(user=user).first()
    if membership is not None and membership.organization_id == organization_id:
        return Conflict(f"{email} is already a member.", errors={"email": ["member"]})
    if membership is not None:
        return Conflict(f"{email} already belongs to another organisation.", errors={"email": ["taken"]})
    if ParticipantApplication.objects.filter(applicant=user, status=ParticipantApplication.Status.PENDING).exists():
        return Conflict(f"{email} has an application of its own under review.", errors={"email": ["applying"]})
    return None


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(str(invitation.id), salt=_INVITATION_SALT)


@transaction.atomic
def member_invite(
    *, organization_id: uuid.UUID, actor_user_id: int | None, email: str, role: str, language: str, origin: str
) -> Invitation:
    """An admin invites ``email`` as ``role``: the invitation and its e-mail (in the admin's ``language``)."""
    actor = _admin(organization_id=organization_id, user_id=actor_user_id)
    email = email_normalize(email)
    if role not in Membership.Role.values:
        raise InvalidInput("A member's role is admin or member.", errors={"role": ["invalid"]})
    refusal = _address_refusal(email, organization_id)
    if refusal is not None:
        raise refusal
    organization = Organization.objects.get(pk=organization_id)
    invitation = Invitation.objects.create(organization=organization, email=email, role=role, invited_by=actor)
    ParticipantEvent.objects.create(
        organization=organization,
        kind=ParticipantEvent.Kind.MEMBER_INVITED,
        actor=actor,
        payload={"email": email, "role": role, "invitation": str(invitation.id)},
    )
    link = origin + reverse("web:invitation", kwargs={"token": invitation_token(invitation)})
    days = market_settings().invitation_lifetime.days
    mail_send_on_commit(
        to=email,
        name="invitation",
        language=language,
        context={
            "organization": organization,
            "role": Membership.Role(role).label,  # translated as the mail is written
            "link": link,
            "days": days,
            "inviter": actor.email,
        },
    )
    return invitation


def invitation_get(token: str) -> Invitation:
    """The open invitation a link names; NotFound when the link is not one of ours, has expired or was used."""
    try:
        invitation_id = signing.loads(token, salt=_INVITATION_SALT, max_age=market_settings().invitation_lifetime)
    except signing.SignatureExpired as exc:
        raise NotFound("This invitation has expired: ask for a new one.", code="invitation-expired") from exc
    except signing.BadSignature as exc:
        raise NotFound("This is not a valid invitation link.", code="invitation-invalid") from exc
    invitation = Invitation.objects.select_related("organization").filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound("This is not a valid invitation link.", code="invitation-invalid")
    if invitation.accepted_at is not None:
        raise NotFound("This invitation was already accepted: sign in.", code="invitation-used")
    if invitation.withdrawn_at is not None:
        raise NotFound("This invitation was withdrawn.", code="invitation-withdrawn")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """The invitee sets its password and joins the organisation with the invited role, once."""
    invitation = invitation_get(token)
    invitation = Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    if invitation.accepted_at is not None:  # accepted meanwhile, by a click in another tab
        raise NotFound("This invitation was already accepted: sign in.", code="invitation-used")
    if invitation.withdrawn_at is not None:  # withdrawn meanwhile by an admin
        raise NotFound("This invitation was withdrawn.", code="invitation-withdrawn")
    refusal = _address_refusal(invitation.email, invitation.organization_id)
    if refusal is not None:
        raise refusal
    candidate = get_user_model().objects.filter(username=invitation.email).first() or get_user_model()(
        username=invitation.email, email=invitation.email
    )
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        raise InvalidInput("password: " + " ".join(exc.messages), errors={"password": exc.messages}) from exc
    candidate.set_password(password)
    candidate.save()
    member_add(
        organization=invitation.organization, email=invitation.email, role=invitation.role, actor=invitation.invited_by
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return candidate


@transaction.atomic
def invitation_withdraw(
    *, organization_id: uuid.UUID, actor_user_id: int | None, invitation_id: uuid.UUID
) -> Invitation:
    """An admin takes back an invitation not yet accepted: its link stops working. Withdrawing twice changes nothing;
    an accepted invitation is a member now (remove the member instead: Conflict)."""
    actor = _admin(organization_id=organization_id, user_id=actor_user_id)
    invitation = (
        Invitation.objects.select_for_update().filter(pk=invitation_id, organization_id=organization_id).first()
    )
    if invitation is None:
        raise NotFound("No such invitation.")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was already accepted: remove the member instead.", code="invitation-used")
    if invitation.withdrawn_at is None:
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["withdrawn_at"])
        ParticipantEvent.objects.create(
            organization_id=organization_id,
            kind=ParticipantEvent.Kind.INVITATION_WITHDRAWN,
            actor=actor,
            payload={"email": invitation.email, "invitation": str(invitation.id)},
        )
    return invitation


def _locked_membership(*, organization_id: uuid.UUID, membership_id: int) -> tuple[Organization, Membership]:
    """The organisation's row locked (the order: organisation, then its memberships), and the membership named."""
    organization = Organization.objects.select_for_update().get(pk=organization_id)
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(pk=membership_id, organization_id=organization_id)
        .first()
    )
    if membership is None:
        raise NotFound("No such member.")
    return organization, membership


def _is_last_admin(membership: Membership) -> bool:
    if membership.role != Membership.Role.ADMIN:
        return False
    admins = Membership.objects.filter(organization_id=membership.organization_id, role=Membership.Role.ADMIN)
    return admins.count() <= 1


@transaction.atomic
def member_role_change(
    *, organization_id: uuid.UUID, actor_user_id: int | None, membership_id: int, role: str
) -> Membership:
    """An admin makes a member an admin or an admin a member; the last admin cannot be made a member."""
    if role not in Membership.Role.values:
        raise InvalidInput("A member's role is admin or member.", errors={"role": ["invalid"]})
    organization, membership = _locked_membership(organization_id=organization_id, membership_id=membership_id)
    actor = _admin(organization_id=organization_id, user_id=actor_user_id)
    if membership.role == role:
        return membership
    if role != ADMIN and _is_last_admin(membership):
        raise Conflict(
            "The organisation's last admin cannot be made a member: make another member admin first.", code="last-admin"
        )
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    ParticipantEvent.objects.create(
        organization=organization,
        kind=ParticipantEvent.Kind.MEMBER_ROLE_CHANGED,
        actor=actor,
        payload={"email": membership.user.email, "from": previous, "to": role},
    )
    return membership


@transaction.atomic
def member_remove(*, organization_id: uuid.UUID, actor_user_id: int | None, membership_id: int) -> None:
    """An admin removes a member (its user stays, acting for no organisation); the last admin cannot be removed."""
    organization, membership = _locked_membership(organization_id=organization_id, membership_id=membership_id)
    actor = _admin(organization_id=organization_id, user_id=actor_user_id)
    if _is_last_admin(membership):
        raise Conflict(
            "The organisation's last admin cannot be removed: make another member admin first.", code="last-admin"
        )
    email = membership.user.email
    role = membership.role
    membership.delete()
    ParticipantEvent.objects.create(
        organization=organization,
        kind=ParticipantEvent.Kind.MEMBER_REMOVED,
        actor=actor,
        payload={"email": email, "role": role},
    )
