"""The schema.org description in a published dataset's page <head> (registered in catalog.hooks.register_dataset_head
by DataspaceConfig.ready): nothing for a draft or a withdrawn dataset, which no catalog lists."""

from __future__ import annotations

import uuid

from django.http import HttpRequest

from config.errors import NotFound
from dataspace import selectors
from dataspace.dcat import Site
from dataspace.schema_org import dataset_schema, json_ld_script


def dataset_structured_data(request: HttpRequest, dataset_id: uuid.UUID) -> str:
    try:
        entry = selectors.catalog_entry(dataset_id=dataset_id)
    except NotFound:
        return ""
    return json_ld_script(dataset_schema(entry, Site.of(request)))
