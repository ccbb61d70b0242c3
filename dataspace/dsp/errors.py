"""The protocol's error messages: a DSP endpoint answers every refusal with one (never a problem details document,
which is the partner API's form), with the status the HTTPS binding gives."""

from __future__ import annotations

from typing import Any

from dataspace.dsp import CONTEXT


class DspError(Exception):
    """A refusal of a DSP request: ``status`` is the HTTP status, ``code`` a short machine-readable code, ``reason``
    what a connector operator reads. ``message_type`` is the protocol's error type for the endpoint's protocol
    (``CatalogError``, ``ContractNegotiationError``, ``TransferError``); the last two name the process by both its
    ids (an id the request did not give, or an unknown process's, is the empty string)."""

    def __init__(
        self,
        status: int,
        code: str,
        *reason: str,
        message_type: str = "CatalogError",
        provider_pid: str = "",
        consumer_pid: str = "",
    ) -> None:
        super().__init__(f"{code}: {'; '.join(reason)}")
        self.status = status
        self.code = code
        self.reason = list(reason)
        self.message_type = message_type
        self.provider_pid = provider_pid
        self.consumer_pid = consumer_pid

    def message(self) -> dict[str, Any]:
        message: dict[str, Any] = {"@context": [CONTEXT], "@type": self.message_type}
        if self.message_type != "CatalogError":
            message.update(providerPid=self.provider_pid, consumerPid=self.consumer_pid)
        message.update(code=self.code, reason=self.reason)
        return message


def unauthorized() -> DspError:
    return DspError(401, "unauthorized", "Send the organisation's API key: Authorization: Bearer <api key>.")


def key_rejected() -> DspError:
    return DspError(401, "unauthorized", "The API key is unknown, expired or revoked.")


def not_found(what: str) -> DspError:
    return DspError(404, "not-found", what)


def malformed(*reason: str) -> DspError:
    return DspError(400, "malformed", *reason)
