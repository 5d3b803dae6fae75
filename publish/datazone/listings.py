"""Published listings: what the catalog shows now, per asset or data product.

One paginated SearchListings (with FORMS) gives every active listing and the forms of the revision
it publishes; the publisher's form in there carries the content hash of that revision, so "is the
listing up to date" is a comparison with the desired hash, without reading each asset.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from publish.datazone.api import DataZoneApi


@dataclass(frozen=True)
class CurrentListing:
    listing_id: str
    entity_id: str
    entity_type: str  # ASSET | DATA_PRODUCT
    entity_revision: str | None
    content_hash: str | None  # from the publisher's form on the listed revision


def read_listings(api: DataZoneApi, form_names: tuple[str, ...]) -> dict[str, CurrentListing]:
    """Active listings by entity id."""
    out: dict[str, CurrentListing] = {}
    for hit in api.pages(
        "SearchListings", domainIdentifier=api.domain_id, additionalAttributes=["FORMS"]
    ):
        kind, item = next(iter(hit.items()))
        entity_type = "ASSET" if kind == "assetListing" else "DATA_PRODUCT"
        forms: dict[str, Any] = {}
        raw = (item.get("additionalAttributes") or {}).get("forms")
        if raw:
            try:
                forms = json.loads(raw)
            except ValueError:
                forms = {}
        digest = next(
            (
                forms[name].get("contentHash")
                for name in form_names
                if isinstance(forms.get(name), dict)
            ),
            None,
        )
        out[item["entityId"]] = CurrentListing(
            item["listingId"], item["entityId"], entity_type, item.get("entityRevision"), digest
        )
    return out
