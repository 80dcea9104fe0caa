"""URL canonicalisation: one article, one URL, whatever tracking parameters it was linked with."""

from __future__ import annotations

from w3lib.url import canonicalize_url, url_query_cleaner

__all__ = ["canonical_url"]

_TRACKING_PARAMETERS = (
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref", "cmpid",
)  # fmt: skip


def canonical_url(url: str) -> str:
    """Drop tracking parameters and the fragment, and normalise the rest of ``url``."""
    cleaned = url_query_cleaner(url, _TRACKING_PARAMETERS, remove=True, keep_fragments=False)
    return canonicalize_url(cleaned, keep_fragments=False)
