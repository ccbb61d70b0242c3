"""Who may open the catalog's seller pages: members of an organisation with the seller role, on their own datasets.

Used by the seller pages of the datasets and versions, and by the marketplace's page that offers a dataset.
"""

from __future__ import annotations

import uuid

from django.http import Http404
from django.utils.translation import gettext_lazy

from catalog import selectors
from catalog.models import Dataset
from config.api.principal import SELLER, Principal
from config.errors import NotFound
from config.web import principal_required

# Checks only the session, never the request body, so the upload view can still choose its upload handlers
# after it.
seller_required = principal_required(
    refusal=gettext_lazy("Only organisations with the seller role may list data."), role=SELLER
)


def dataset_owned(dataset_id: uuid.UUID, principal: Principal) -> Dataset:
    """The principal's own dataset; anyone else's, or none, is a 404."""
    try:
        return selectors.dataset_get_owned(dataset_id=dataset_id, seller_id=principal.organization_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
