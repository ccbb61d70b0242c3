"""Celery tasks of the catalog: take ids, call services, safe to run twice.

The versions service imports this module at its top to enqueue validation, so the task imports it in its body.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.db import OperationalError
from django.db.models import Q
from django.utils import timezone

from catalog.models import DatasetVersion
from config.market import market_settings

# The validation's hard time limit: a delivery that started less than this long ago is still running or its
# worker died; either way another delivery must not start it again yet.
VALIDATION_TIME_LIMIT = timedelta(hours=1)
# Profiling reads the whole file once more and writes its renditions: bounded like validation.
PROFILE_TIME_LIMIT = timedelta(hours=1)
PROFILE_MAX_RETRIES = 5

logger = logging.getLogger(__name__)


@shared_task(
    name="catalog.validate_version",
    acks_late=True,
    autoretry_for=(OSError, OperationalError),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=8,
    soft_time_limit=VALIDATION_TIME_LIMIT.total_seconds() - 5 * 60,
    time_limit=VALIDATION_TIME_LIMIT.total_seconds(),
)
def validate_version(version_id: str) -> str:
    from catalog.services.versions import version_validate  # cycle: it imports this module to enqueue

    return version_validate(version_id=uuid.UUID(version_id)).status


@shared_task(name="catalog.sweep_validating_versions")
def sweep_validating_versions() -> int:
    """Re-drive versions whose validation message was lost (a lost message only delays, never loses), or whose
    last delivery started longer ago than the time limit (its worker was killed): never one still running."""
    now = timezone.now()
    cutoff = now - market_settings().validation_stuck_after
    stuck = DatasetVersion.objects.filter(
        Q(validation_started_at__isnull=True) | Q(validation_started_at__lt=now - VALIDATION_TIME_LIMIT),
        status=DatasetVersion.Status.VALIDATING,
        created_at__lt=cutoff,
    )
    ids = list(stuck.values_list("id", flat=True)[:500])
    for version_id in ids:
        validate_version.delay(str(version_id))
    return len(ids)


@shared_task(
    bind=True,
    name="catalog.profile_version",
    acks_late=True,
    soft_time_limit=PROFILE_TIME_LIMIT.total_seconds() - 5 * 60,
    time_limit=PROFILE_TIME_LIMIT.total_seconds(),
)
def profile_version(self: Any, version_id: str) -> bool:
    """Measure a published version and convert it (``catalog.services.versions.version_profile``). A storage or
    database failure is retried like validation's; past the retries, or on any other failure, the version keeps
    ``quality == {}``, the failure is logged and recorded as an event, and it stays published."""
    from catalog.services.versions import version_profile, version_profile_failed

    try:
        return version_profile(version_id=uuid.UUID(version_id)).quality != {}
    except (OSError, OperationalError) as exc:
        if self.request.retries < PROFILE_MAX_RETRIES:
            raise self.retry(exc=exc, countdown=min(300, 5 * 2**self.request.retries)) from exc
        version_profile_failed(version_id=uuid.UUID(version_id), error=exc)
    except Exception as exc:  # a file profiling cannot read: retrying would fail the same way
        version_profile_failed(version_id=uuid.UUID(version_id), error=exc)
    return False


@shared_task(name="catalog.sweep_unprofiled_versions")
def sweep_unprofiled_versions() -> int:
    """Re-drive published versions left unprofiled (their message lost, their worker killed), except those whose
    profiling failed for good (an event says so)."""
    from catalog.services.versions import versions_unprofiled

    ids = versions_unprofiled(older_than=market_settings().validation_stuck_after, limit=500)
    for version_id in ids:
        profile_version.delay(str(version_id))
    return len(ids)
