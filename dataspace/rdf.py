"""The catalog in Turtle: the JSON-LD document read into an rdflib graph and written out again, so both formats
state the same triples. The context is inline (dataspace.dcat.CONTEXT): nothing is fetched (the market may run
offline, and a remote context would be a request per page)."""

from __future__ import annotations

import json
from typing import Any

from rdflib import Graph

from dataspace.dcat import DCAT_CONTEXT

# Prefixes Turtle writes besides rdflib's own (odrl, xsd, rdf ... are bound by default).
_PREFIXES = {**DCAT_CONTEXT, "ichiba": "urn:ichiba:odrl:"}


def graph_of(document: dict[str, Any]) -> Graph:
    graph = Graph()
    for prefix, namespace in _PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    graph.parse(data=json.dumps(document), format="json-ld")
    return graph


def turtle(document: dict[str, Any]) -> str:
    return graph_of(document).serialize(format="turtle")
