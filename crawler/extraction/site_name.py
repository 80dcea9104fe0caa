"""Recognise the outlet's own name, so titles and bylines can be told apart from it.

A page names its outlet in ``og:site_name``, the JSON-LD publisher and its host name; titles
append it ("Headline | Outlet") and bylines credit it ("Outlet", "Outlet Desk"). The same
name comes in several spellings ("DER SPIEGEL", "spiegel.de"; "Börsen-Zeitung",
"boersen-zeitung.de"), so names are compared by their letters only, by containment, and
after dropping accents by similarity.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from urllib.parse import urlsplit

__all__ = ["name_key", "names_site", "site_keys"]

_NOT_WORD = re.compile(r"\W+")
# Host names spell a site's name in ASCII, so a close match without accents is the same name.
_SIMILAR_NAME = 0.85
# Shorter keys ("ap", "dw") would be found inside unrelated words; they may only open one.
_MIN_CONTAINED = 3
_MIN_PREFIX = 2
_MIN_HOST_LABEL = 4


def name_key(text: str) -> str:
    """``text`` reduced to its letters and digits, case-folded."""
    return _NOT_WORD.sub("", text).casefold()


def _ascii(key: str) -> str:
    decomposed = unicodedata.normalize("NFKD", key)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def site_keys(site_names: list[str], url: str = "") -> set[str]:
    """Keys of every name the page gives its outlet, its host and the host's main labels."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    labels = [label for label in host.split(".") if len(label) >= _MIN_HOST_LABEL]
    return {key for name in [*site_names, host, *labels] if (key := name_key(name))}


def names_site(text: str, keys: set[str]) -> bool:
    """Whether ``text`` is one of the outlet's names, or a spelling of one."""
    key = name_key(text)
    if not key:
        return False
    for site in keys:
        shorter = min(key, site, key=len)
        if len(shorter) >= _MIN_PREFIX and (key.startswith(site) or site.startswith(key)):
            return True
        if len(shorter) >= _MIN_CONTAINED and (key in site or site in key):
            return True
        if SequenceMatcher(None, _ascii(key), _ascii(site)).ratio() >= _SIMILAR_NAME:
            return True
    return False
