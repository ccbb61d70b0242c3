"""Remove the webhook signing secrets that stored replays of endpoint creations kept (shown once, never stored).

Records written before ``@idempotent(secret_fields=...)`` held the created endpoint's ``secret`` in their body, so a
replay returned it again, even after a rotation. They lose it here and replay as new records do: without the
field, named in ``Idempotent-Omitted``.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import migrations

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def forget_secrets(apps: Any, schema_editor: Any) -> None:
    records = apps.get_model("api", "IdempotencyRecord").objects
    for record in records.filter(response_body__contains=f'"{SECRET_PREFIX}').iterator():
        try:
            body = json.loads(record.response_body)
        except ValueError:
            continue
        secret = body.get("secret") if isinstance(body, dict) else None
        if not (isinstance(secret, str) and secret.startswith(SECRET_PREFIX)):
            continue
        del body["secret"]
        record.response_body = json.dumps(body)
        record.response_headers = {**record.response_headers, "Idempotent-Omitted": "secret"}
        record.save(update_fields=["response_body", "response_headers"])


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [migrations.RunPython(forget_secrets, migrations.RunPython.noop)]
