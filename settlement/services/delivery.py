"""Delivery: short-lived download tokens, their checks at download time, and the audit of every download.

Two channels (``Entitlement.delivery``):

* hosted — the market streams the stored version. The token is an opaque 256-bit random secret in the
  download URL; only its SHA-256 is stored, so a database leak yields no usable token, and lookup by
  hash is constant-time by construction (no secret is compared byte by byte).
* provider — the seller serves the data from ``delivery_url`` and verifies our ES256 JWT offline with the
  JWKS at ``/.well-known/jwks.json``. Its hash is stored too (audit; the id is the JWT's ``jti``).

A token never outlives its entitlement's window. Every hosted download re-reads the entitlement, so a
revocation or expiry stops market tokens already handed out. A seller verifying a JWT offline cannot see
a revocation: such a token stays valid until it expires (15 minutes at most), which is why it is short.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode, urlsplit

import jwt
from django.db import transaction
from django.db.models import F
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from catalog import selectors as catalog_selectors
from catalog.models import DatasetVersion, VersionRendition
from config.api.principal import Principal
from config.errors import Conflict, DomainError, NotFound
from config.logging import log_after_commit
from config.market import market_settings
from settlement import selectors, tasks
from settlement.models import Download, DownloadToken, Entitlement
from settlement.selectors import token_hash
from settlement.services import signing

logger = logging.getLogger(__name__)

KIND_OPAQUE = "opaque"
KIND_JWT = "jwt"
# 32 random bytes = 256 bits of entropy; token_urlsafe encodes them as 43 characters.
OPAQUE_TOKEN_BYTES = 32


# --- errors of the download endpoint (docs/api.md#downloads: "a bad, expired or revoked token gets 401/403/410")


class TokenInvalid(DomainError):
    """Unknown, malformed or tampered token, or one not meant for this endpoint."""

    status = 401
    code = "download-token-invalid"
    title = "Download token not valid"


class TokenExpired(DomainError):
    status = 410
    code = "download-token-expired"
    title = "Download token expired"


class EntitlementRevoked(DomainError):
    status = 403
    code = "entitlement-revoked"
    title = "Entitlement revoked"


class EntitlementEnded(DomainError):
    status = 410
    code = "entitlement-expired"
    title = "Entitlement expired"


class DataUnavailable(DomainError):
    status = 503
    code = "data-unavailable"
    title = "Data unavailable"


class EntitlementNotActive(Conflict):
    code = "entitlement-not-active"
    title = "Entitlement not active"


class VersionNotEntitled(Conflict):
    code = "version-not-entitled"
    title = "Version not covered by the entitlement"


class FormatNotAvailable(DomainError):
    """``?format=`` names a format the version has no file in; ``formats`` lists those it has."""

    status = 404
    code = "format-not-available"
    title = "Format not available"

    def __init__(self, detail: str, *, formats: list[str]) -> None:
        super().__init__(detail)
        self.formats = formats


class FormatNotReady(Conflict):
    """The version is published but its conversions are still being made (catalog.tasks.profile_version)."""

    code = "format-not-ready"
    title = "Format not ready yet"
    retry_after_seconds = 30


# --- the file a download serves -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ServedFile:
    """What a download sends: the version's file as uploaded (``rendition`` None) or one of its renditions."""

    file: FieldFile
    file_format: str
    size_bytes: int
    sha256: str
    rendition: VersionRendition | None


def version_files(version: DatasetVersion) -> list[ServedFile]:
    """Every file a buyer may download a version as: the original first, then its renditions by format."""
    return [_original(version)] + [
        ServedFile(
            file=rendition.file,
            file_format=rendition.file_format,
            size_bytes=rendition.size_bytes,
            sha256=rendition.sha256,
            rendition=rendition,
        )
        for rendition in catalog_selectors.renditions_of(version)
    ]


def served_file(version: DatasetVersion, file_format: str = "") -> ServedFile:
    """The file of ``version`` in ``file_format`` ("" or the original's own format: the original). A format it has
    no file in is 409 ``format-not-ready`` while its conversions are being made, else 404 ``format-not-available``
    naming the formats it has."""
    if not file_format or file_format == version.file_format:
        return _original(version)
    files = version_files(version)
    for candidate in files:
        if candidate.file_format == file_format:
            return candidate
    if catalog_selectors.awaiting_profile(version):
        raise FormatNotReady(
            f"Version {version.number} is being converted to the other formats; ask again in a moment, or download "
            f"it as {version.file_format} now."
        )
    formats = [candidate.file_format for candidate in files]
    raise FormatNotAvailable(
        f"Version {version.number} is not available as {file_format}; it is as: {', '.join(formats)}.",
        formats=formats,
    )


def format_url(download_url: str, file_format: str) -> str:
    """A hosted download URL that fetches the version in ``file_format`` (the token is the same)."""
    return f"{download_url}?{urlencode({'format': file_format})}"


def _original(version: DatasetVersion) -> ServedFile:
    """The file as the seller uploaded it (no rendition read: the plain download spends no query on them)."""
    return ServedFile(
        file=version.file,
        file_format=version.file_format,
        size_bytes=version.size_bytes,
        sha256=version.sha256,
        rendition=None,
    )


# --- tokens ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    """A token as handed to the buyer, once: the secret is not stored and cannot be shown again."""

    id: uuid.UUID
    token: str
    expires_at: datetime
    kind: str
    entitlement_id: uuid.UUID
    # provider delivery: the seller's endpoint (send the token as ``Authorization: Bearer``); hosted: "".
    delivery_url: str
    version: int  # the number of the version it fetches
    # The files it fetches, the original first: hosted, every format the version has (``?format=``); provider, the
    # original only (the seller's server serves the file whose SHA-256 the JWT names; the conversions stay here).
    files: tuple[ServedFile, ...] = ()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _jwt_for(
    entitlement: Entitlement,
    version: DatasetVersion,
    *,
    token_id: uuid.UUID,
    issued_at: datetime,
    expires_at: datetime,
) -> str:
    key = signing.signing_key()
    claims = {
        "iss": market_settings().jwt_issuer,
        # The seller's origin: a token minted for one seller is refused by every other seller's server.
        "aud": _origin(entitlement.delivery_url),
        "sub": str(entitlement.buyer_id),
        "ent": str(entitlement.id),
        "dv": str(version.pk),
        "sha256": version.sha256,
        "iat": int(issued_at.timestamp()),
        "nbf": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
        "jti": str(token_id),
    }
    return jwt.encode(claims, key.private_key, algorithm=signing.ALGORITHM, headers={"kid": key.kid})


def _version_of(entitlement: Entitlement, number: int | None) -> DatasetVersion:
    """The version a token fetches: ``number``, which the entitlement must cover (404: the dataset has no such
    published version; 409: not covered), or the newest it covers."""
    covered = selectors.entitlement_versions(entitlement)
    if number is None:
        return covered[-1]
    for version in covered:
        if version.number == number:
            return version
    published = DatasetVersion.objects.filter(
        dataset_id=entitlement.dataset_id, number=number, status=DatasetVersion.Status.PUBLISHED
    ).exists()
    if not published:
        raise NotFound(f"The dataset has no published version {number}.")
    raise VersionNotEntitled(
        f"Version {number} is not covered by this entitlement (it covers {', '.join(str(v.number) for v in covered)})."
    )


@transaction.atomic
def token_issue(*, principal: Principal, entitlement_id: uuid.UUID | str, version: int | None = None) -> IssuedToken:
    """Mint a download token for the buyer's own active entitlement (another's: 404; not active: 409), for
    ``version`` (its number), which the entitlement must cover, or by default the newest it covers."""
    entitlement = selectors.entitlement_get_for_buyer(
        entitlement_id=entitlement_id, organization_id=principal.organization_id
    )
    now = timezone.now()
    if entitlement.status != Entitlement.Status.ACTIVE:
        raise EntitlementNotActive(f"The entitlement is {entitlement.status}; no new download tokens.")
    if now < entitlement.valid_from:
        raise EntitlementNotActive("The entitlement's term has not started yet.")
    if now >= entitlement.valid_until:
        # The sweeper may not have marked it yet; the window is what counts.
        raise EntitlementNotActive("The entitlement's term has ended; no new download tokens.")
    chosen = _version_of(entitlement, version)
    lifetime = market_settings().download_token_lifetime
    # Whole seconds (a JWT's exp is an integer), rounded down so the cap by valid_until always holds.
    expires_at = min(now + lifetime, entitlement.valid_until).replace(microsecond=0)
    token_id = uuid.uuid4()
    if entitlement.delivery == Entitlement.Delivery.PROVIDER:
        kind = KIND_JWT
        secret = _jwt_for(entitlement, chosen, token_id=token_id, issued_at=now, expires_at=expires_at)
    else:
        kind = KIND_OPAQUE
        secret = secrets.token_urlsafe(OPAQUE_TOKEN_BYTES)
    DownloadToken.objects.create(
        id=token_id,
        entitlement=entitlement,
        dataset_version=chosen,
        token_hash=token_hash(secret),
        kind=kind,
        expires_at=expires_at,
        created_by_user_id=principal.user_id,
        created_by_api_key_id=principal.api_key_id,
    )
    # The token's id, never the token (nor its hash): the line must not let anyone fetch the data.
    log_after_commit(
        logger,
        f"download token {token_id} minted for entitlement {entitlement.id}",
        event="download_token.minted",
        token=str(token_id),
        entitlement=str(entitlement.id),
        settlement=str(entitlement.settlement_id),
        dataset_version=str(chosen.pk),
        kind=kind,
        expires_at=expires_at.isoformat(),
    )
    return IssuedToken(
        id=token_id,
        token=secret,
        expires_at=expires_at,
        kind=kind,
        entitlement_id=entitlement.id,
        delivery_url=entitlement.delivery_url if kind == KIND_JWT else "",
        version=chosen.number,
        files=(_original(chosen),) if kind == KIND_JWT else tuple(version_files(chosen)),
    )


def token_withdraw(*, token_id: uuid.UUID, now: datetime | None = None) -> None:
    """Make a token stop working now (it then answers 410 ``download-token-expired``, as any expired token): for
    the Dataspace Protocol's transfers, whose suspension, completion or termination invalidates the data address
    handed out. A JWT for a seller's server is verified offline there and keeps working until its own expiry."""
    now = now or timezone.now()
    DownloadToken.objects.filter(pk=token_id, expires_at__gt=now).update(expires_at=now)


# --- downloads ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DownloadAccess:
    token: DownloadToken
    entitlement: Entitlement
    version: DatasetVersion
    served: ServedFile  # the version's file in the format asked for


def download_authorize(*, token: str, file_format: str = "", now: datetime | None = None) -> DownloadAccess:
    """Check a presented hosted-download token and find the file to serve (the version's, or its rendition in
    ``file_format``); raises the error whose status the endpoint answers with.

    Order: unknown (401), then the entitlement (revoked 403, ended 410), then the token's own expiry (410), then the
    format (409 not converted yet, 404 not available): a format is looked for only with a valid token.
    """
    now = now or timezone.now()
    # Opaque tokens are 43 URL-safe characters; anything much longer is not worth hashing.
    if not token or len(token) > 256:
        raise TokenInvalid("The download token is not valid.")
    row = (
        DownloadToken.objects.select_related("entitlement__dataset_version__dataset", "dataset_version__dataset")
        .filter(token_hash=token_hash(token), kind=KIND_OPAQUE)
        .first()
    )
    if row is None:
        # A seller's JWT lands here too: it is for the seller's server, not for the market's.
        raise TokenInvalid("The download token is not valid.")
    entitlement = row.entitlement
    if entitlement.status == Entitlement.Status.REVOKED:
        raise EntitlementRevoked("The entitlement was revoked; the data is no longer available to you.")
    if entitlement.status == Entitlement.Status.EXPIRED or now >= entitlement.valid_until:
        raise EntitlementEnded("The entitlement's term has ended.")
    if now < entitlement.valid_from:
        raise EntitlementRevoked("The entitlement's term has not started yet.")
    if now >= row.expires_at:
        raise TokenExpired("The download token has expired; request a new one.")
    # The version the token was minted for (one the entitlement covers); a token from before tokens named their
    # version fetches the entitlement's.
    version = row.dataset_version or entitlement.dataset_version
    return DownloadAccess(token=row, entitlement=entitlement, version=version, served=served_file(version, file_format))


def download_start(
    *,
    access: DownloadAccess,
    range_start: int,
    range_end: int | None,
    client_address: str | None,
    user_agent: str,
) -> Download:
    """Record a download before its first byte leaves (so an interrupted one is still in the history)."""
    return Download.objects.create(
        entitlement=access.entitlement,
        token=access.token,
        buyer_id=access.entitlement.buyer_id,
        dataset_version=access.version,
        rendition=access.served.rendition,
        range_start=range_start,
        range_end=range_end,
        client_address=client_address or None,
        user_agent=user_agent[:300],
        started_at=timezone.now(),
    )


def _enqueue_capture(*, settlement_id: uuid.UUID, reason: str) -> None:
    """Ask the settlement pipeline to capture (or, if the asset cannot be delivered, void) after commit."""
    transaction.on_commit(lambda: tasks.settlement_capture.delay(str(settlement_id), reason), robust=True)


def _enqueue_delivery_check(*, settlement_id: uuid.UUID) -> None:
    """Ask the pipeline to void the payment if the data really cannot be delivered; never to capture (the
    buyer received nothing, so a storage hiccup must not cut its acceptance window short)."""
    transaction.on_commit(lambda: tasks.settlement_check_delivery.delay(str(settlement_id)), robust=True)


@transaction.atomic
def download_finish(*, download_id: uuid.UUID, bytes_sent: int, completed: bool) -> None:
    """Close a download's record with the bytes actually sent; the first full delivery triggers capture."""
    now = timezone.now()
    Download.objects.filter(pk=download_id).update(bytes_sent=bytes_sent, completed=completed, finished_at=now)
    download = Download.objects.select_related("entitlement", "dataset_version", "rendition").get(pk=download_id)
    entitlement = download.entitlement
    log_after_commit(
        logger,
        f"download {download_id} served: {bytes_sent} bytes{'' if completed else ', incomplete'}",
        event="download.served",
        download=str(download_id),
        entitlement=str(entitlement.pk),
        settlement=str(entitlement.settlement_id),
        token=str(download.token_id) if download.token_id else None,
        dataset_version=str(download.dataset_version_id),
        rendition=str(download.rendition_id) if download.rendition_id else None,
        range_start=download.range_start,
        bytes_sent=bytes_sent,
        completed=completed,
    )
    if entitlement.first_download_at is not None or bytes_sent == 0:
        return
    # The file received whole in any format is the data delivered: the original, or one of its renditions.
    covered = selectors.download_coverage(
        entitlement_id=entitlement.pk, version_id=download.dataset_version_id, rendition_id=download.rendition_id
    )
    served = download.rendition or download.dataset_version
    if covered < served.size_bytes:
        return
    # Conditional update: of two downloads finishing at once, exactly one sets it and enqueues the capture.
    first = Entitlement.objects.filter(pk=entitlement.pk, first_download_at__isnull=True).update(first_download_at=now)
    if first:
        _enqueue_capture(settlement_id=entitlement.settlement_id, reason="first download")


@transaction.atomic
def download_unavailable(
    *, access: DownloadAccess, client_address: str | None, user_agent: str, detail: str
) -> DataUnavailable:
    """The stored file is missing or damaged: record the attempt and let the pipeline void the payment."""
    logger.error("Version %s cannot be delivered: %s", access.version.pk, detail)
    download = download_start(
        access=access, range_start=0, range_end=None, client_address=client_address, user_agent=user_agent
    )
    Download.objects.filter(pk=download.pk).update(finished_at=F("started_at"))
    _enqueue_delivery_check(settlement_id=access.entitlement.settlement_id)
    return DataUnavailable("The data file cannot be delivered right now; the market has been alerted.")
