"""Use cases of participants: organisations, members, API keys."""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.api.principal import ALL_SCOPES, BUYER, SCOPES, SELLER, Principal
from config.errors import Conflict, Forbidden, InvalidInput, NotFound
from config.market import market_settings
from config.registration import normalize_registration_number, registration_number_refusal
from config.text import text_refusal
from marketplace.models import ApiKey, Membership, Organization, ParticipantEvent

logger = logging.getLogger(__name__)

# Whoever acts: an operator in the admin, a member, or nobody (a command, a task).
Actor = AbstractBaseUser | AnonymousUser | None

API_KEY_PREFIX = "ichiba_"
# last_used_at is a hint for operators, not an audit log: writing it on every request would turn
# every read into a write, so it is refreshed at most this often per key.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Demo keys (``load_demo``) are published, like the demo password, so they protect nothing: they are only
# registered for an organisation whose members all have addresses under the demo domain. RFC 2606 reserves
# ``.example``, so no real participant receives mail there; nothing else in the code knows these keys.
DEMO_API_KEY_PREFIX = API_KEY_PREFIX + "demo_"
DEMO_EMAIL_DOMAIN = "demo.ichiba.example"
API_KEY_NAME_MAX = 100  # ApiKey.name
# A rotated key lives on this long by default, so the partner's old and new deployments both work meanwhile; at most
# a week, so a rotation is not a way to keep a key the organisation meant to replace.
ROTATION_GRACE = timedelta(hours=24)
ROTATION_GRACE_MAX = timedelta(days=7)


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    secret: str  # shown once, never stored


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_displayable(field: str, value: str) -> None:
    """Names typed without a form (``manage.py onboard``) are text people read like any field's (config.text)."""
    refusal = text_refusal(value)
    if refusal is not None:
        raise InvalidInput(f"{field}: {refusal}", errors={field: [str(refusal)]})


def principal_for(
    organization: Organization,
    *,
    user_id: int | None = None,
    api_key_id: uuid.UUID | None = None,
    scopes: frozenset[str] = ALL_SCOPES,
) -> Principal:
    return Principal(
        organization_id=organization.id,
        organization_name=organization.name,
        roles=frozenset(organization.roles),
        country=organization.country,
        verified=organization.verified,
        user_id=user_id,
        api_key_id=api_key_id,
        scopes=scopes,
    )


def country_checked(country: str) -> str:
    """An organisation's country as kept: an ISO 3166-1 alpha-2 code in capitals; InvalidInput naming the field."""
    country = country.upper()
    if len(country) != 2 or not country.isalpha() or not country.isascii():
        raise InvalidInput("country must be an ISO 3166-1 alpha-2 code such as JP.", errors={"country": ["invalid"]})
    return country


@transaction.atomic
def organization_create(
    *,
    name: str,
    roles: set[str],
    country: str = "JP",
    verified: bool = False,
    actor: Actor = None,
) -> Organization:
    unknown = roles - {SELLER, BUYER}
    if not roles or unknown:
        raise InvalidInput(
            "An organisation is a seller, a buyer or both.", errors={"roles": [f"unknown: {sorted(unknown)}"]}
        )
    _check_displayable("name", name)
    country = country_checked(country)
    organization = Organization.objects.create(
        name=name.strip(), is_seller=SELLER in roles, is_buyer=BUYER in roles, country=country
    )
    ParticipantEvent.objects.create(
        organization=organization,
        kind=ParticipantEvent.Kind.CREATED,
        actor=_user(actor),
        payload={"roles": sorted(roles)},
    )
    if verified:
        organization = organization_set_verified(organization=organization, verified=True, actor=actor)
    return organization


@transaction.atomic
def organization_invoice_number_set(*, organization_id: uuid.UUID, number: str, actor: Actor = None) -> Organization:
    """A member records its organisation's invoice registration number (適格請求書発行事業者登録番号), or clears it
    with "". Typed as people type it (full-width, hyphens: normalised first); a number that is not "T" + a corporate
    number with a valid check digit is refused (400, naming the field). Invoices already issued keep the number
    they were issued with (docs/domain.md#invoices): only the next ones carry the new one."""
    normalized = normalize_registration_number(number)
    if normalized:
        refusal = registration_number_refusal(normalized)
        if refusal is not None:
            raise InvalidInput(
                f"invoice_registration_number: {refusal}", errors={"invoice_registration_number": [str(refusal)]}
            )
    organization = Organization.objects.select_for_update().get(pk=organization_id)
    if organization.invoice_registration_number == normalized:
        return organization
    previous = organization.invoice_registration_number
    organization.invoice_registration_number = normalized
    organization.save(update_fields=["invoice_registration_number"])
    ParticipantEvent.objects.create(
        organization=organization,
        kind=ParticipantEvent.Kind.INVOICE_NUMBER_SET,
        actor=_user(actor),
        payload={"from": previous, "to": normalized},
    )
    return organization


def organization_set_verified(*, organization: Organization, verified: bool, actor: Actor = None) -> Organization:
    """The market operator's check of a participant (Data Trading Alliance criterion: qualified participants)."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if organization.verified == verified:
        return organization
    organization.verified = verified
    organization.verified_at = timezone.now() if verified else None
    organization.save(update_fields=["verified", "verified_at"])
    ParticipantEvent.objects.create(
        organization=organization,
        kind=ParticipantEvent.Kind.VERIFIED if verified else ParticipantEvent.Kind.UNVERIFIED,
        actor=_user(actor),
    )
    return organization


@transaction.atomic
def member_add(
    *,
    organization: Organization,
    email: str,
    password: str | None = None,
    role: str | None = None,
    actor: Actor = None,
) -> AbstractBaseUser:
    """Adds a user (made if new) to the organisation as ``role``; by default the first member is its admin and
    the others are members."""
    User = get_user_model()
    email = User.objects.normalize_email(email.strip()).lower()
    if "@" not in email:
        raise InvalidInput("A member needs an e-mail address.", errors={"email": ["invalid"]})
    user = User.objects.filter(username=email).first()
    if user is None:
        user = User(username=email, email=email)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    elif hasattr(user, "membership") and user.membership.organization_id != organization.id:
        raise Conflict(f"{email} already belongs to another organisation.", errors={"email": ["taken"]})
    if role is None:
        has_admin = Membership.objects.filter(organization=organization, role=Membership.Role.ADMIN).exists()
        role = Membership.Role.MEMBER if has_admin else Membership.Role.ADMIN
    if role not in Membership.Role.values:
        raise InvalidInput("A member's role is admin or member.", errors={"role": ["invalid"]})
    Membership.objects.get_or_create(user=user, defaults={"organization": organization, "role": role})
    ParticipantEvent.objects.create(
        organization=organization,
        kind=ParticipantEvent.Kind.MEMBER_ADDED,
        actor=_user(actor),
        payload={"email": email, "role": role},
    )
    return user


@transaction.atomic
def api_key_create(
    *,
    organization: Organization,
    name: str,
    scopes: Iterable[str] = SCOPES,
    expires_at: datetime | None = None,
    actor: Actor = None,
) -> IssuedApiKey:
    """A key for the organisation, made by the operator (``manage.py onboard``, the admin) or a test: with every
    scope unless told. A key made by a caller of the API or the web page goes through ``api_key_issue``."""
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)  # 256 bits
    api_key = _api_key_store(
        organization_id=organization.id,
        name=name,
        secret=secret,
        scopes=_scopes_clean(scopes),
        expires_at=_expiry_clean(expires_at),
        actor=_Acting(user_id=_user_id(actor)),
    )
    return IssuedApiKey(api_key=api_key, secret=secret)


@transaction.atomic
def api_key_issue(
    *, principal: Principal, name: str, scopes: Iterable[str], expires_at: datetime | None = None
) -> IssuedApiKey:
    """An admin (signed in) or a key with ``manage`` makes a key for its organisation: with a non-empty subset of
    the scopes, each one the caller holds itself (a key never hands on a power it lacks: 403), and an optional
    expiry in the future. The secret is in the answer only."""
    wanted = _scopes_clean(scopes)
    _grant_check(principal, wanted)
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)  # 256 bits
    api_key = _api_key_store(
        organization_id=principal.organization_id,
        name=name,
        secret=secret,
        scopes=wanted,
        expires_at=_expiry_clean(expires_at),
        actor=_Acting.of(principal),
    )
    return IssuedApiKey(api_key=api_key, secret=secret)


@transaction.atomic
def api_key_rotate(
    *,
    principal: Principal,
    api_key_id: uuid.UUID | str,
    grace: timedelta = ROTATION_GRACE,
    expires_at: datetime | None = None,
) -> IssuedApiKey:
    """Replaces an active key without downtime: a successor with the same name and scopes (expiring at
    ``expires_at``, or never), while the old key lives on for ``grace`` (0 to ``ROTATION_GRACE_MAX``; never past its
    own expiry), so both work while the partner redeploys. Under the old key's row lock: a key is rotated once
    (409 for the second of two rotations, and for a revoked or expired key); the caller must hold every scope of
    the key (403)."""
    if not timedelta(0) <= grace <= ROTATION_GRACE_MAX:
        limit = int(ROTATION_GRACE_MAX.total_seconds())
        raise InvalidInput(
            f"grace_seconds is from 0 to {limit} (7 days).", errors={"grace_seconds": [f"from 0 to {limit}"]}
        )
    expires_at = _expiry_clean(expires_at)
    old = _own_key(principal, api_key_id, lock=True)
    if old.status != ApiKey.Status.ACTIVE:
        raise Conflict(f"This key is {old.status}: only an active key can be rotated.", errors={"status": [old.status]})
    if old.replaced_by_id is not None:
        raise Conflict(
            "This key was already rotated: rotate its successor.",
            errors={"replaced_by": [str(old.replaced_by_id)]},
        )
    _grant_check(principal, old.scopes)
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)  # 256 bits
    acting = _Acting.of(principal)
    successor = _api_key_store(
        organization_id=old.organization_id,
        name=old.name,
        secret=secret,
        scopes=list(old.scopes),
        expires_at=expires_at,
        actor=acting,
        payload={"rotated_from": str(old.id)},
    )
    ends = timezone.now() + grace
    if old.expires_at is None or ends < old.expires_at:
        old.expires_at = ends
    old.replaced_by = successor
    old.save(update_fields=["expires_at", "replaced_by"])  # post_save forgets its cached principal
    _key_event(
        old,
        ParticipantEvent.Kind.API_KEY_ROTATED,
        acting,
        {"successor": str(successor.id), "grace_seconds": int(grace.total_seconds()), "expires_at": old.expires_at},
    )
    return IssuedApiKey(api_key=successor, secret=secret)


@transaction.atomic
def api_key_revoke_own(*, principal: Principal, api_key_id: uuid.UUID | str) -> ApiKey:
    """An admin or a key with ``manage`` revokes one of its organisation's keys (itself, too); refused from the
    key's next request on, in every process. Revoking a revoked key changes nothing."""
    return _revoke(_own_key(principal, api_key_id, lock=True), _Acting.of(principal))


@transaction.atomic
def api_key_create_demo(*, organization: Organization, label: str) -> IssuedApiKey:
    """The published key ``ichiba_demo_<label>`` of a demo organisation (see DEMO_API_KEY_PREFIX).

    Idempotent: the organisation's existing key is returned as it is (even if an operator revoked it).
    """
    if not label or len(label) > 64 or not all(c.isascii() and (c.isalnum() or c == "-") for c in label):
        raise InvalidInput("A demo key's label is letters, digits and hyphens.", errors={"label": ["invalid"]})
    emails = list(Membership.objects.filter(organization=organization).values_list("user__email", flat=True))
    if not emails or not all(_in_demo_domain(email) for email in emails):
        raise Forbidden(f"Published demo keys are only for demo organisations (all members under {DEMO_EMAIL_DOMAIN}).")
    secret = DEMO_API_KEY_PREFIX + label
    existing = ApiKey.objects.filter(key_hash=_hash(secret)).first()
    if existing is not None:
        if existing.organization_id != organization.id:
            raise Conflict("This demo key belongs to another organisation.", errors={"label": ["taken"]})
        return IssuedApiKey(api_key=existing, secret=secret)
    api_key = _api_key_store(
        organization_id=organization.id,
        name="demo (published)",
        secret=secret,
        scopes=list(SCOPES),
        expires_at=None,
        actor=_Acting(),
    )
    return IssuedApiKey(api_key=api_key, secret=secret)


@dataclass(frozen=True)
class _Acting:
    """Who changed a key, for its audit event: a user (signed in, or the operator), an API key, or nobody."""

    user_id: int | None = None
    api_key_id: uuid.UUID | None = None

    @classmethod
    def of(cls, principal: Principal) -> _Acting:
        return cls(user_id=principal.user_id, api_key_id=principal.api_key_id)


def _scopes_clean(scopes: Iterable[str]) -> list[str]:
    """A non-empty subset of the scopes, in their canonical order; unknown ones are a 400 naming them."""
    wanted = set(scopes) if not isinstance(scopes, str) else {scopes}
    unknown = wanted - ALL_SCOPES
    if unknown:
        raise InvalidInput(
            f"Unknown scope(s): {', '.join(sorted(unknown))}; a key's scopes are among {', '.join(SCOPES)}.",
            errors={"scopes": [f"unknown: {sorted(unknown)}"]},
        )
    if not wanted:
        raise InvalidInput("A key needs at least one scope.", errors={"scopes": ["empty"]})
    return [name for name in SCOPES if name in wanted]


def _grant_check(principal: Principal, scopes: Iterable[str]) -> None:
    """A caller hands on only scopes it holds (403 naming the others)."""
    lacking = [name for name in scopes if not principal.has_scope(name)]
    if lacking:
        named = ", ".join(f"'{name}'" for name in lacking)
        who = "This API key" if principal.api_key_id is not None else "Your role in the organisation"
        raise Forbidden(
            f"{who} lacks the {named} scope(s), so it cannot give them to a key.",
            errors={"scopes": [f"lacking: {lacking}"]},
            code="insufficient-scope",
        )


def _expiry_clean(expires_at: datetime | None) -> datetime | None:
    if expires_at is None:
        return None
    if timezone.is_naive(expires_at):
        raise InvalidInput("expires_at needs its offset (ISO 8601).", errors={"expires_at": ["no offset"]})
    if expires_at <= timezone.now():
        raise InvalidInput("expires_at must be in the future.", errors={"expires_at": ["in the past"]})
    return expires_at


def _own_key(principal: Principal, api_key_id: uuid.UUID | str, *, lock: bool = False) -> ApiKey:
    """One of the caller's organisation's keys; another's, or none, is a 404."""
    try:
        wanted = uuid.UUID(str(api_key_id))
    except ValueError as exc:
        raise NotFound("No such API key.") from exc
    keys = ApiKey.objects.select_for_update() if lock else ApiKey.objects.all()
    found = keys.filter(pk=wanted, organization_id=principal.organization_id).first()
    if found is None:
        raise NotFound("No such API key.")
    return found


def _api_key_store(
    *,
    organization_id: uuid.UUID,
    name: str,
    secret: str,
    scopes: list[str],
    expires_at: datetime | None,
    actor: _Acting,
    payload: dict[str, Any] | None = None,
) -> ApiKey:
    """Keeps only the digest of ``secret`` (and its first characters, to recognise it)."""
    _check_displayable("name", name)
    name = name.strip() or "default"
    if len(name) > API_KEY_NAME_MAX:
        raise InvalidInput(f"name: at most {API_KEY_NAME_MAX} characters.", errors={"name": ["too long"]})
    api_key = ApiKey.objects.create(
        organization_id=organization_id,
        name=name,
        prefix=secret[: len(API_KEY_PREFIX) + 6],
        key_hash=_hash(secret),
        created_by_id=actor.user_id,
        scopes=scopes,
        expires_at=expires_at,
    )
    _key_event(
        api_key,
        ParticipantEvent.Kind.API_KEY_CREATED,
        actor,
        {"name": api_key.name, "scopes": scopes, "expires_at": expires_at, **(payload or {})},
    )
    return api_key


def _key_event(api_key: ApiKey, kind: str, actor: _Acting, payload: dict[str, Any]) -> None:
    """The audit event of a key's change: the key, who changed it (a user, and/or the API key it used)."""
    body = {"api_key": str(api_key.id), "prefix": api_key.prefix}
    if actor.api_key_id is not None:
        body["by_api_key"] = str(actor.api_key_id)
    body.update({k: v.isoformat() if isinstance(v, datetime) else v for k, v in payload.items()})
    ParticipantEvent.objects.create(
        organization_id=api_key.organization_id, kind=kind, actor_id=actor.user_id, payload=body
    )


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: Actor = None) -> ApiKey:
    """The operator (the admin) revokes a key."""
    return _revoke(api_key, _Acting(user_id=_user_id(actor)))


def _revoke(api_key: ApiKey, actor: _Acting) -> ApiKey:
    updated = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    api_key.refresh_from_db()
    principal_forget(key_hash=api_key.key_hash)
    if updated:
        _key_event(api_key, ParticipantEvent.Kind.API_KEY_REVOKED, actor, {})
    return api_key


def api_key_authenticate(*, secret: str) -> Principal | None:
    """Who calls with this secret: the organisation of the active key, or None. Records the time of use
    (coarsely, see above).

    The answer is cached for ``ICHIBA_API_KEY_CACHE_SECONDS`` under the key's digest, so a partner's requests do not
    each read the key and its organisation (that read is a fifth of an order placement's CPU). Revocation and
    every change of the key or its organisation forget the entry when they commit (``principal_forget``); the
    cache is Redis in production, shared by every process, so that takes effect on the next request anywhere.
    Without Redis each process caches for itself and another process may accept a revoked key for at most the
    TTL. When the cache is down, the key is read from the database.
    """
    if not secret.startswith(API_KEY_PREFIX) or len(secret) > 200:
        return None
    key_hash = _hash(secret)
    lifetime = market_settings().api_key_cache.total_seconds()
    cached = _cache_call(cache.get, _principal_cache_key(key_hash)) if lifetime else None
    if isinstance(cached, Principal):
        return cached
    now = timezone.now()
    try:
        # key_hash is unique: at most one row, read with its organisation (the principal is built from it).
        api_key = ApiKey.objects.select_related("organization").get(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now), key_hash=key_hash, revoked_at__isnull=True
        )
    except ApiKey.DoesNotExist:
        return None
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    principal = principal_for(api_key.organization, api_key_id=api_key.id, scopes=frozenset(api_key.scopes))
    if api_key.expires_at is not None:  # a cached principal must not outlive its key
        lifetime = min(lifetime, (api_key.expires_at - now).total_seconds())
    if lifetime > 0:
        _cache_call(cache.set, _principal_cache_key(key_hash), principal, lifetime)
    return principal


def principal_forget(*, organization_id: uuid.UUID | None = None, key_hash: str = "") -> None:
    """Forget cached principals, now and when the current transaction commits: of one key (revoked, changed, deleted),
    or of every key of an organisation (its roles, name, country or verification changed).

    Connected to the models' saves and deletions (``MarketplaceConfig.ready``), so the admin's edits are
    covered too; a queryset ``update()`` of a key or an organisation must call it itself."""
    hashes = [key_hash] if key_hash else []
    if organization_id is not None:
        hashes += ApiKey.objects.filter(organization_id=organization_id).values_list("key_hash", flat=True)

    def forget() -> None:
        _cache_call(cache.delete_many, [_principal_cache_key(digest) for digest in hashes])

    if hashes:
        # Now, and again once committed: a request that read the old rows meanwhile may have cached them.
        forget()
        transaction.on_commit(forget)


def principal_forget_on_change(sender: type, instance: Organization | ApiKey, **kwargs: Any) -> None:
    """post_save / post_delete receiver for ``Organization`` and ``ApiKey``."""
    if isinstance(instance, ApiKey):
        principal_forget(key_hash=instance.key_hash)
    else:
        principal_forget(organization_id=instance.pk)


def _principal_cache_key(key_hash: str) -> str:
    return f"ichiba:api-key-principal:{key_hash}"


def _cache_call(operation: Callable[..., Any], *args: Any) -> Any:
    """A cache operation that fails soft: an unreachable cache costs a database read, never the request."""
    try:
        return operation(*args)
    except Exception:  # the backend's own errors (redis.ConnectionError, ...): the cache is an optimisation
        logger.warning("API key cache unavailable; reading from the database", exc_info=True)
        return None


def _in_demo_domain(email: str) -> bool:
    domain = email.rpartition("@")[2].lower()
    return domain == DEMO_EMAIL_DOMAIN or domain.endswith("." + DEMO_EMAIL_DOMAIN)


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _user_id(actor: Actor) -> int | None:
    user = _user(actor)
    return user.pk if user is not None else None
