"""API key rotation under races on PostgreSQL: a partner retrying a rotation, or two admins rotating at once, makes
one successor, never two live replacements of one key. Real threads, each its own connection, released together
(``tests.integration.workers.race``); several keys race in each run, so a rotation that read the key before the
other committed (no row lock) would let at least one pair through."""

from __future__ import annotations

from typing import Any

import pytest

from config.errors import Conflict
from marketplace.models import ApiKey, ParticipantEvent
from marketplace.services.participants import api_key_create, api_key_rotate, principal_for
from tests.builders import make_party
from tests.fixtures import require_postgres
from tests.integration.workers import race

pytestmark = pytest.mark.django_db(transaction=True)

KEYS = 4


def test_two_rotations_of_one_key_at_once_make_one_successor() -> None:
    require_postgres()
    party = make_party("Racing Rotator", {"buyer"})
    keys = [api_key_create(organization=party.organization, name=f"partner {i}").api_key for i in range(KEYS)]
    principal = principal_for(party.organization)

    results = race(2 * KEYS, lambda i: api_key_rotate(principal=principal, api_key_id=keys[i // 2].id))

    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, Conflict)]
    assert not unexpected, unexpected
    assert sum(isinstance(r, Conflict) for r in results) == KEYS, "the second rotation of each key is refused"
    for key in keys:
        key.refresh_from_db()
        assert key.replaced_by_id is not None
        assert ApiKey.objects.filter(name=key.name, organization=party.organization).count() == 2
        rotated: Any = ParticipantEvent.objects.filter(kind="api_key_rotated", payload__api_key=str(key.id))
        assert rotated.count() == 1
