"""An organisation's public profile: what its members write about it (description, website) and its logo.

One service for the web form and the API's ``PATCH /sellers/{id}``. What a profile holds is listed once
(``PROFILE_FIELDS``): a field added to the profile is added there, checked in ``_clean`` and stored like the others.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from config.errors import Forbidden, InvalidInput, NotFound, PayloadTooLarge
from config.text import text_refusal
from marketplace.models import Organization, ParticipantEvent

DESCRIPTION_MAX_CHARS = 4000
WEBSITE_MAX_CHARS = 300
# A logo is shown small on the seller's page: 512 KiB is plenty for a PNG, JPEG or WebP of a few hundred pixels.
LOGO_MAX_BYTES = 512 * 1024
# The formats a logo may have, by the signature its first bytes carry (never by its name or the type the browser
# sent) → the stored file's extension, which fixes the Content-Type it is served with. SVG is refused on purpose:
# it can carry script.
LOGO_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
PROFILE_FIELDS = ("description", "website", "logo")


def logo_type(head: bytes) -> str | None:
    """The logo's format (a key of ``LOGO_TYPES``) from its first 12 bytes, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _clean_text(field: str, value: Any, limit: int, *, multiline: bool) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text.", errors={field: ["not text"]})
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(f"{field} is at most {limit} characters.", errors={field: [f"at most {limit} characters"]})
    refusal = text_refusal(value, multiline=multiline)
    if refusal is not None:
        raise InvalidInput(f"{field}: {refusal}", errors={field: [str(refusal)]})
    return value


def _clean_website(value: Any) -> str:
    website = _clean_text("website", value, WEBSITE_MAX_CHARS, multiline=False)
    if website:
        try:
            URLValidator(schemes=["https", "http"])(website)
        except ValidationError:
            raise InvalidInput(
                "website must be an http or https address, such as https://example.co.jp/.",
                errors={"website": ["not an http or https URL"]},
            ) from None
    return website


def _clean_logo(upload: Any) -> tuple[Any, str] | None:
    """The upload and its format's extension, or None to remove the logo; refused if not a PNG, JPEG or WebP of at
    most ``LOGO_MAX_BYTES``."""
    if upload is None or upload == "":
        return None
    if not hasattr(upload, "read") or not hasattr(upload, "size"):
        raise InvalidInput(
            "logo must be an image file (multipart upload), or null to remove it.", errors={"logo": ["not a file"]}
        )
    if upload.size > LOGO_MAX_BYTES:
        raise PayloadTooLarge(
            f"The logo is {upload.size} bytes; a logo may be at most {LOGO_MAX_BYTES} bytes (512 KiB).",
            errors={"logo": [f"at most {LOGO_MAX_BYTES} bytes"]},
        )
    upload.seek(0)
    kind = logo_type(upload.read(12))
    upload.seek(0)
    if kind is None:
        raise InvalidInput(
            "The logo must be a PNG, JPEG or WebP image.", errors={"logo": ["not a PNG, JPEG or WebP image"]}
        )
    return upload, kind


@transaction.atomic
def organization_profile_update(
    *,
    organization_id: uuid.UUID,
    actor_organization_id: uuid.UUID,
    actor_user_id: int | None = None,
    changes: Mapping[str, Any],
) -> Organization:
    """Change the profile fields named in ``changes`` (the others stay): ``description`` and ``website`` (text; empty
    clears), ``logo`` (an uploaded file, or None to remove it). Only the organisation itself may (a member, or one of
    its API keys). Records a ``profile_changed`` event naming the fields; every field is checked before anything is
    stored, so a refused change stores nothing."""
    if organization_id != actor_organization_id:
        raise Forbidden("Only the organisation's own members may change its profile.")
    unknown = sorted(set(changes) - set(PROFILE_FIELDS))
    if unknown:
        raise InvalidInput(
            f"These fields cannot be changed here: {', '.join(unknown)}.",
            errors={name: ["not a profile field"] for name in unknown},
        )
    organization = Organization.objects.select_for_update().filter(pk=organization_id).first()
    if organization is None:
        raise NotFound("No such organisation.")
    cleaned: dict[str, Any] = {}
    if "description" in changes:
        cleaned["description"] = _clean_text(
            "description", changes["description"], DESCRIPTION_MAX_CHARS, multiline=True
        )
    if "website" in changes:
        cleaned["website"] = _clean_website(changes["website"])
    logo: tuple[Any, str] | None = None
    if "logo" in changes:
        logo = _clean_logo(changes["logo"])
    changed = [name for name, value in cleaned.items() if getattr(organization, name) != value]
    for name in changed:
        setattr(organization, name, cleaned[name])
    old_logo = organization.logo.name if "logo" in changes else ""
    if "logo" in changes and (logo is not None or old_logo):
        changed.append("logo")
        if logo is None:
            organization.logo = ""
        else:
            upload, kind = logo
            organization.logo.save(f"logo.{kind}", upload, save=False)
    if not changed:
        return organization
    organization.save(update_fields=sorted(changed))
    ParticipantEvent.objects.create(
        organization=organization,
        kind=ParticipantEvent.Kind.PROFILE_CHANGED,
        actor_id=actor_user_id,
        payload={"fields": sorted(changed)},
    )
    if old_logo and old_logo != organization.logo.name:
        storage = organization.logo.storage
        # The replaced file goes once the change is committed: until then it is the logo.
        transaction.on_commit(lambda: storage.delete(old_logo))
    return organization
