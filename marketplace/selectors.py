from __future__ import annotations

from typing import Any

from config.api.principal import Principal
from marketplace.models import Membership, Organization
from marketplace.services.participants import principal_for


def principal_for_user(user: Any) -> Principal | None:
    if user is None or not user.is_authenticated:
        return None
    membership = Membership.objects.select_related("organization").filter(user_id=user.pk).first()
    if membership is None:
        return None
    return principal_for(membership.organization, user_id=user.pk)


def organization_get(*, organization_id: Any) -> Organization:
    return Organization.objects.get(pk=organization_id)
