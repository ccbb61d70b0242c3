"""The Dataspace Protocol 2025-1, provider side, HTTPS binding (docs/dataspace.md, "Dataspace Protocol").

Layout, one module per part of the protocol, all pure of HTTP except the views in ``dataspace/api/dsp.py``:

- ``schemas``: the vendored normative JSON schemas (``schemas/``, Apache-2.0, see NOTICE) and ``message_check``,
  which every message received and answered goes through;
- ``errors``: ``DspError``, the protocol's error messages (``CatalogError`` now; ``ContractNegotiationError`` and
  ``TransferError`` for the next slices) with their HTTP status;
- ``catalog``: the catalog protocol's messages (``Catalog``, ``Dataset`` with ODRL ``Offer``s) built from the
  same rows and the same DCAT mapping as ``GET /catalog`` (``dataspace.dcat``);
- next: ``negotiations`` (the contract negotiation state machine, a request for an offer being a fill-or-kill buy
  of one seat) and ``transfers`` (the transfer process handing out the download's data address).
"""

from __future__ import annotations

VERSION = "2025-1"
BINDING = "HTTPS"
# Where the protocol's endpoints are, below the site's origin (the versions object's ``path``).
PATH = "/dsp/2025-1"
CONTEXT = "https://w3id.org/dspace/2025/1/context.jsonld"
