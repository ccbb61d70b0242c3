"""Hooks through which higher apps add to what the contract pages show, without contracts importing them.

Registered once, in the subscriber's ``AppConfig.ready()``; see docs/architecture.md#hooks.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest

# Renders HTML (escaped by its renderer's template) for a contract's page, for the signed-in party viewing it: the
# dataspace app's "Dataspace Protocol" panel (the negotiation that concluded the contract and its transfers). Given
# the request and the contract's id; "" for nothing.
ContractPanelRenderer = Callable[[HttpRequest, uuid.UUID], str]

_contract_panel_renderers: list[ContractPanelRenderer] = []


def register_contract_panel(renderer: ContractPanelRenderer) -> None:
    if renderer not in _contract_panel_renderers:
        _contract_panel_renderers.append(renderer)


def contract_panels(request: HttpRequest, contract_id: uuid.UUID) -> str:
    """What the registered apps add to a contract's page, in the order they registered; empty if none."""
    return "".join(renderer(request, contract_id) for renderer in _contract_panel_renderers)
