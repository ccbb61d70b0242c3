"""Use cases of dataset versions: upload (streamed, hashed) and validation (a Celery task)."""

from __future__ import annotations

import hashlib
import io
import logging
import shutil
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path, PurePath
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import DatabaseError, OperationalError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from catalog import hooks, states
from catalog.models import Dataset, DatasetVersion, FileFormat, VersionRendition
from catalog.profiling import Profile, profile_file
from catalog.selectors import PROFILE_FAILED, PROFILE_STARTED, versions_awaiting_profile
from catalog.services.datasets import dataset_mark_published, event_record
from catalog.tasks import VALIDATION_TIME_LIMIT, profile_version, validate_version
from catalog.validation import Check, Limits, validate_stream
from config import metrics
from config.errors import Conflict, Forbidden, InvalidInput
from config.market import market_settings

logger = logging.getLogger(__name__)

_EXTENSIONS = {
    ".csv": FileFormat.CSV,
    ".jsonl": FileFormat.JSONL,
    ".ndjson": FileFormat.JSONL,
    ".parquet": FileFormat.PARQUET,
}
CHUNK = 1024 * 1024


def file_format_for(filename: str, declared: str | None = None) -> str:
    if declared:
        if declared not in FileFormat.values:
            raise InvalidInput(
                f"format must be one of: {', '.join(FileFormat.values)}.",
                errors={"format": ["invalid choice"]},
            )
        return declared
    fmt = _EXTENSIONS.get(PurePath(filename).suffix.lower())
    if fmt is None:
        raise InvalidInput(
            "Upload a .csv, .jsonl (JSON Lines) or .parquet file, or say which with the format field.",
            errors={"file": ["unsupported file type"]},
        )
    return fmt


def _sha256_of(upload: File) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks(CHUNK):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def version_upload(
    *,
    dataset_id: uuid.UUID,
    seller_id: uuid.UUID,
    actor_user_id: int | None = None,
    upload: File,
    original_filename: str = "",
    file_format: str | None = None,
) -> DatasetVersion:
    """Store a new version (status ``validating``) and validate it once the transaction commits."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset_id)
    if dataset.seller_id != seller_id:
        raise Forbidden("Only the seller who owns this dataset may upload versions.")
    if dataset.status == Dataset.Status.WITHDRAWN:
        raise Conflict("The dataset is withdrawn; list it again before uploading a new version.")
    original_filename = PurePath(original_filename or upload.name or "").name[:255]
    fmt = file_format_for(original_filename, file_format)
    if not upload.size:
        raise InvalidInput("The file is empty.", errors={"file": ["empty"]})
    sha256 = getattr(upload, "sha256", None) or _sha256_of(upload)
    number = (dataset.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DatasetVersion(
        dataset=dataset,
        number=number,
        file_format=fmt,
        original_filename=original_filename,
        size_bytes=upload.size,
        sha256=sha256,
    )
    version.file.save(f"v{number}.{fmt}", upload, save=False)
    stored_name = version.file.name
    try:
        version.save()
        event_record(
            dataset=dataset,
            version=version,
            to_status=version.status,
            actor_organization_id=seller_id,
            actor_user_id=actor_user_id,
            reason="uploaded",
            payload={"sha256": sha256, "size_bytes": upload.size, "filename": original_filename},
        )
    except BaseException:
        version.file.storage.delete(stored_name)
        raise
    # A broker outage is logged, not raised (robust): the upload is committed, and the sweeper re-drives a version
    # left validating (catalog.tasks.sweep_validating_versions).
    transaction.on_commit(lambda: validate_version.delay(str(version.id)), robust=True)
    return version


class _HashingReader(io.RawIOBase):
    """Computes the SHA-256 of everything read through it, so validation re-checks the stored bytes. It can go
    back to the start (validation's Arrow path hands a file it does not handle to the hand-written reader), which
    starts the digest again; the position is counted, never asked of the storage."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return bool(getattr(self._raw, "seekable", lambda: False)())

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if (offset, whence) not in ((0, io.SEEK_SET), (self._position, io.SEEK_SET), (0, io.SEEK_CUR)):
            raise io.UnsupportedOperation("only back to the start")
        if offset == 0 and whence == io.SEEK_SET and self._position:
            self._raw.seek(0)
            self.digest = hashlib.sha256()
            self._position = 0
        return self._position

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.digest.update(data)
        self._position += n
        return n

    def drain(self) -> None:
        while chunk := self._raw.read(CHUNK):
            self.digest.update(chunk)


def _run_checks(version: DatasetVersion) -> dict[str, Any]:
    dataset = version.dataset
    market = market_settings()
    limits = Limits(
        max_columns=market.max_columns, max_line_bytes=market.max_line_bytes, max_cell_bytes=market.max_cell_bytes
    )
    options: dict[str, Any] = {
        "fmt": version.file_format,
        "data_class": dataset.data_class,
        "quasi_identifiers": dataset.anonymization.get("quasi_identifiers", []),
        "k": market.k_anonymity,
        "limits": limits,
        "spill_dir": settings.FILE_UPLOAD_TEMP_DIR,  # where the operator has room for uploads
    }
    storage, name = version.file.storage, version.file.name
    try:
        if version.file_format == FileFormat.PARQUET:
            # Parquet is read from its footer on, seeking: the digest is a pass of its own over the stored bytes.
            with storage.open(name, "rb") as raw:
                reader = _HashingReader(raw)
                reader.drain()
            with storage.open(name, "rb") as raw:
                report = validate_stream(raw, **options)
        else:
            with storage.open(name, "rb") as raw:
                reader = _HashingReader(raw)
                report = validate_stream(io.BufferedReader(reader, buffer_size=CHUNK), **options)
                reader.drain()
    except FileNotFoundError:
        missing = Check(name="stored_file", passed=False, detail="The uploaded file is missing from storage.")
        return {"passed": False, "checks": [missing.to_dict()]}
    intact = reader.digest.hexdigest() == version.sha256
    integrity = Check(
        name="checksum",
        passed=intact,
        detail=(
            f"SHA-256 {version.sha256} matches the upload."
            if intact
            else f"The stored file's SHA-256 {reader.digest.hexdigest()} differs from the upload's {version.sha256}."
        ),
    )
    result = report.to_dict()
    result["checks"] = [integrity.to_dict(), *result["checks"]]
    result["passed"] = report.passed and intact
    return result


def _claim(version_id: uuid.UUID) -> int | None:
    """Count a delivery of the validation as started, before any work, so that a worker killed during it (by
    the OOM killer: acks_late and reject_on_worker_lost then redeliver the task) leaves it counted. Returns the
    attempt's number, or None when the version is decided or another delivery started less than the time limit
    ago (it is still running, or its worker died and the sweeper re-drives it once the limit has passed)."""
    now = timezone.now()
    claimed = (
        DatasetVersion.objects.filter(pk=version_id, status=DatasetVersion.Status.VALIDATING)
        .filter(Q(validation_started_at__isnull=True) | Q(validation_started_at__lt=now - VALIDATION_TIME_LIMIT))
        .update(validation_attempts=F("validation_attempts") + 1, validation_started_at=now)
    )
    if not claimed:
        return None
    return DatasetVersion.objects.values_list("validation_attempts", flat=True).get(pk=version_id)


def _release(version_id: uuid.UUID) -> None:
    """Give a delivery back after a transient failure Celery retries: it was not interrupted."""
    try:
        DatasetVersion.objects.filter(pk=version_id, validation_attempts__gt=0).update(
            validation_attempts=F("validation_attempts") - 1, validation_started_at=None
        )
    except DatabaseError:  # the database is what failed: the sweeper re-drives the version after the limit
        logger.warning("validation of version %s: the interrupted attempt could not be given back", version_id)


def _interrupted(attempts: int, limit: int) -> dict[str, Any]:
    check = Check(
        name="interrupted",
        passed=False,
        detail=(
            f"Validation was interrupted {attempts:,} times (its worker stopped before finishing: it ran out of "
            f"memory or time), so it is not tried again; the market allows {limit:,} attempts (setting "
            "ICHIBA_VALIDATION_MAX_ATTEMPTS). Check the file, then upload it again or ask the market operator."
        ),
    )
    return {"passed": False, "checks": [check.to_dict()]}


def version_validate(*, version_id: uuid.UUID) -> DatasetVersion:
    """Run every check on a stored version and publish or reject it. Idempotent: a decided version stays.

    Each delivery is counted before it starts (``_claim``); past ``ICHIBA_VALIDATION_MAX_ATTEMPTS`` deliveries
    that never finished, the version is rejected with the check ``interrupted`` instead of validated again.
    """
    version = DatasetVersion.objects.select_related("dataset").get(pk=version_id)
    if version.status != DatasetVersion.Status.VALIDATING:
        return version
    attempt = _claim(version_id)
    if attempt is None:
        version.refresh_from_db()
        return version
    limit = market_settings().validation_max_attempts
    if attempt > limit:
        return _decide(version, _interrupted(attempt - 1, limit))
    # The checks read the whole file (minutes for gigabytes) outside any transaction; only the verdict
    # is written under lock, and only if no other worker decided first.
    started = time.perf_counter()
    try:
        result = _run_checks(version)
    except (OSError, OperationalError):  # retried by the task (its autoretry_for): not an interruption
        _release(version_id)
        raise
    _validation_count(version, result, seconds=time.perf_counter() - started)
    return _decide(version, result)


def _validation_count(version: DatasetVersion, result: dict[str, Any], *, seconds: float) -> None:
    """The throughput of validation (docs/operations.md#metrics): the file's bytes, its rows when they were
    counted (a file refused early has none), the time its checks took."""
    fmt = version.file_format
    metrics.VALIDATIONS.labels(fmt, "passed" if result["passed"] else "failed").inc()
    metrics.VALIDATION_BYTES.labels(fmt).inc(version.size_bytes or 0)
    metrics.VALIDATION_ROWS.labels(fmt).inc(result.get("row_count") or 0)
    metrics.VALIDATION_DURATION.labels(fmt).observe(seconds)


def _decide(version: DatasetVersion, result: dict[str, Any]) -> DatasetVersion:
    """Write the verdict under lock, unless another delivery decided first."""
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().get(pk=version.dataset_id)
        version = DatasetVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != DatasetVersion.Status.VALIDATING:
            return version
        target = DatasetVersion.Status.PUBLISHED if result["passed"] else DatasetVersion.Status.REJECTED
        states.version_check(version.status, target)
        version.status = target
        version.checks = result["checks"]
        version.row_count = result.get("row_count")
        version.schema = result.get("schema", [])
        version.sample = result.get("sample", {}) if result["passed"] else {}
        version.time_range = result.get("time_range")
        version.validated_at = timezone.now()
        version.save()
        failed = [check["name"] for check in result["checks"] if not check["passed"]]
        event_record(
            dataset=dataset,
            version=version,
            from_status=DatasetVersion.Status.VALIDATING,
            to_status=target,
            reason="all checks passed" if not failed else f"failed: {', '.join(failed)}",
        )
        if target == DatasetVersion.Status.PUBLISHED:
            dataset_mark_published(dataset=dataset)
            # Quality figures and renditions come after the verdict, in a task of their own: the version is
            # published now, with quality {} until they are stored (a lost message: the sweeper re-drives it).
            version_id = str(version.id)
            transaction.on_commit(lambda: profile_version.delay(version_id), robust=True)
            hooks.on_version_published(
                hooks.VersionPublished(
                    dataset_id=dataset.id,
                    dataset_title=dataset.title,
                    seller_id=dataset.seller_id,
                    version_id=version.id,
                    number=version.number,
                    sha256=version.sha256,
                    size_bytes=version.size_bytes,
                    row_count=version.row_count,
                    published_at=version.validated_at or timezone.now(),
                )
            )
    return version


# --- profiling: the quality figures and renditions of a published version (catalog.profiling) ----------------


def _encoding_of(checks: list[dict[str, Any]]) -> str | None:
    """The text encoding validation found ("cp932" or None for UTF-8), from its ``encoding`` check."""
    check = next((check for check in checks if check.get("name") == "encoding"), None)
    return "cp932" if check is not None and "cp932" in check.get("detail", "") else None


def _local_copy(version: DatasetVersion, work_dir: Path) -> Path:
    """A path to the stored file: the storage's own when it is a local folder, else a copy in ``work_dir``."""
    storage, name = version.file.storage, version.file.name
    try:
        return Path(storage.path(name))
    except NotImplementedError:  # S3-compatible storage has no local path
        pass
    copy = work_dir / f"original.{version.file_format}"
    with storage.open(name, "rb") as source, copy.open("wb") as target:
        shutil.copyfileobj(source, target, CHUNK)
    return copy


def _store_renditions(version: DatasetVersion, profile: Profile) -> list[VersionRendition]:
    """Move the converted files into the datasets' storage (outside any transaction: they may be large)."""
    stored: list[VersionRendition] = []
    try:
        for converted in profile.renditions:
            rendition = VersionRendition(
                version=version,
                file_format=converted.file_format,
                size_bytes=converted.size_bytes,
                sha256=converted.sha256,
            )
            with converted.path.open("rb") as data:
                rendition.file.save(converted.path.name, File(data), save=False)
            stored.append(rendition)
    except BaseException:
        _remove_files(stored)
        raise
    return stored


def _remove_files(renditions: list[VersionRendition]) -> None:
    for rendition in renditions:
        try:
            rendition.file.storage.delete(rendition.file.name)
        except OSError:
            logger.warning("profiling: could not remove the orphan file %s", rendition.file.name)


def version_profile(*, version_id: uuid.UUID) -> DatasetVersion:
    """Measure a published version's file and convert it to the other formats (``catalog.profiling``), then store
    both in one short transaction. Idempotent: a version already profiled stays as it is; of two deliveries that
    race, the first to lock the version stores its figures and renditions, the other removes its files."""
    version = DatasetVersion.objects.select_related("dataset").get(pk=version_id)
    if version.status != DatasetVersion.Status.PUBLISHED or version.quality:
        return version
    # Counted before the work, so that a delivery whose worker is killed (out of memory or time) stays counted.
    event_record(
        dataset=version.dataset,
        version=version,
        from_status=version.status,
        to_status=version.status,
        reason=PROFILE_STARTED,
        payload={},
    )
    work_dir = Path(tempfile.mkdtemp(prefix="ichiba-profile-", dir=settings.FILE_UPLOAD_TEMP_DIR))
    try:
        profile = profile_file(
            _local_copy(version, work_dir),
            fmt=version.file_format,
            schema=version.schema,
            encoding=_encoding_of(version.checks),
            published_at=version.validated_at or timezone.now(),
            work_dir=work_dir / "out",
            data_class=version.dataset.data_class,
        )
        renditions = _store_renditions(version, profile)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    try:
        with transaction.atomic():
            locked = DatasetVersion.objects.select_for_update().get(pk=version_id)
            if locked.status != DatasetVersion.Status.PUBLISHED or locked.quality:
                _remove_files(renditions)  # another delivery stored its own first
                return locked
            locked.quality = dict(profile.quality)
            locked.save(update_fields=["quality"])
            VersionRendition.objects.bulk_create(renditions)
            event_record(
                dataset=version.dataset,
                version=locked,
                from_status=locked.status,
                to_status=locked.status,
                reason="profiled",
                payload={
                    "rows": profile.quality["rows"],
                    "renditions": {r.file_format: {"size_bytes": r.size_bytes, "sha256": r.sha256} for r in renditions},
                },
            )
    except BaseException:
        _remove_files(renditions)
        raise
    return locked


def version_profile_failed(*, version_id: uuid.UUID, error: BaseException) -> None:
    """Record that a version could not be profiled: it stays published with ``quality == {}``."""
    logger.error("profiling of version %s failed: %r", version_id, error, exc_info=error)
    version = DatasetVersion.objects.select_related("dataset").filter(pk=version_id).first()
    if version is None:
        return
    event_record(
        dataset=version.dataset,
        version=version,
        from_status=version.status,
        to_status=version.status,
        reason=PROFILE_FAILED,
        payload={"error": type(error).__name__, "detail": str(error)[:1000]},
    )


def versions_unprofiled(*, older_than: timedelta, limit: int) -> list[uuid.UUID]:
    """The versions awaiting their profile (:func:`catalog.selectors.versions_awaiting_profile`) published longer
    ago than ``older_than``, oldest first: those the sweeper re-drives."""
    unprofiled = (
        versions_awaiting_profile()
        .filter(validated_at__lt=timezone.now() - older_than)
        .order_by("validated_at")
        .values_list("id", flat=True)
    )
    return list(unprofiled[:limit])
