from __future__ import annotations

from django.db import models


class IdempotencyRecord(models.Model):
    """The first response to a ``POST`` carrying an ``Idempotency-Key``, per organisation.

    The row is inserted in the same transaction as the work it guards, so the database's unique index is
    the lock: a concurrent request with the same key waits for the first to commit, then replays it.
    """

    scope = models.CharField(max_length=64, help_text="The calling organisation's id.")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=2048)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    response_status = models.PositiveSmallIntegerField()
    response_body = models.TextField()
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="unique_idempotency_key_per_scope")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
