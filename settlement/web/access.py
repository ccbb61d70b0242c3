"""Who may open the settlement pages: signed-in members of an organisation; the seller pages need the seller role.

What is shown is always the principal's own: selectors filter by its organisation, and another's purchase
is a 404.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from config.api.principal import SELLER
from config.web import principal_required

member_required = principal_required(
    refusal=gettext_lazy("Only members of an organisation trading on the market have purchases.")
)
seller_required = principal_required(
    refusal=gettext_lazy("Only organisations with the seller role have sales and data usage."), role=SELLER
)
