"""Per-source extraction overrides: the registry's selectors win over the general extractor.

``article.extract_article`` runs the general extractor (``fields.extract_fields``) on every
page, then :func:`apply_overrides` with the page's source. A source without an ``extraction:``
block is returned untouched. A selector that finds nothing leaves the general value in place
and is reported as a miss with a reason, so the caller can count it: an override that stops
matching means the outlet changed its layout, and ops must hear of it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from lxml.html import HtmlElement
from parsel import Selector, SelectorList

from crawler.extraction.boilerplate import clean_body
from crawler.extraction.fields import ExtractedFields
from crawler.sources import Source
from crawler.sources.model import ExtractionOverrides, selector_xpath

__all__ = ["FIELD_ATTRIBUTES", "MissReason", "OverrideMiss", "OverrideResult", "apply_overrides"]

# Each override field and the ExtractedFields attribute it sets, in the order they are read:
# body last, because its drop selectors remove elements from the page.
FIELD_ATTRIBUTES = {
    "title": "title",
    "authors": "authors",
    "published": "published_at",
    "modified": "modified_at",
    "lead": "lead",
    "section": "section",
    "body": "body",
}

# Elements that start a new paragraph of body text; their text never runs into a neighbour's.
_BLOCKS = (
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
)  # fmt: skip
# Never readable text, whatever the selector matched.
_INVISIBLE = "script, style, noscript, template"
_BYLINE_PREFIX = re.compile(r"^by\s+", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


class MissReason(StrEnum):
    """Why an override selector gave no value."""

    NO_MATCH = "no_match"  # nothing on the page matches: the layout changed
    EMPTY = "empty"  # it matches, but only empty elements
    NOT_A_DATE = "not_a_date"  # it matches text that no date parser reads


@dataclass(frozen=True)
class OverrideMiss:
    """One override field that found no value on one page."""

    field: str
    reason: MissReason

    @property
    def label(self) -> str:
        """The drop reason it is counted under, e.g. ``override_body_no_match``."""
        return f"override_{self.field}_{self.reason}"


@dataclass(frozen=True)
class OverrideResult:
    """The page's fields after the overrides, and the overrides that missed."""

    fields: ExtractedFields
    misses: tuple[OverrideMiss, ...] = ()


def _normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _texts(matches: SelectorList[Selector]) -> list[str]:
    """Each match's text: an attribute or text node as is, an element's whole text."""
    texts = []
    for match in matches:
        value = match.root if isinstance(match.root, str) else match.xpath("string()").get("")
        texts.append(_normalise(value))
    return texts


def _paragraphs(element: HtmlElement) -> str:
    """An element's text with one line per block element, for ``clean_body`` to split."""
    for node in element.iter():
        # Markup whitespace (line wrapping in the HTML source) is not a paragraph break.
        node.text = _SPACE.sub(" ", node.text) if node.text else node.text
        node.tail = _SPACE.sub(" ", node.tail) if node.tail else node.tail
    for node in element.iter(*_BLOCKS):
        node.tail = "\n" + (node.tail or "")
        if node.tag != "br":
            node.text = "\n" + (node.text or "")
    return "".join(element.itertext())


def _body(page: Selector, overrides: ExtractionOverrides, xpath: str) -> list[str]:
    for selector in (*overrides.drop, _INVISIBLE):
        for unwanted in page.xpath(selector_xpath(selector)):
            # Text, attributes and the document element itself cannot be removed.
            if not isinstance(unwanted.root, str) and unwanted.root.getparent() is not None:
                unwanted.drop()
    return [
        match.root if isinstance(match.root, str) else _paragraphs(match.root)
        for match in page.xpath(xpath)
    ]


def _read_date(text: str, languages: Sequence[str]) -> datetime | None:
    """dateparser, told the source's languages first (fewer misreadings), then on its own."""
    # Imported here: loading its language data takes most of a second, and only sources with
    # a date override that is not ISO 8601 need it.
    import dateparser

    found: datetime | None = None
    if languages:
        with contextlib.suppress(ValueError):  # a code dateparser does not know, like "und"
            found = dateparser.parse(text, languages=list(languages))
    if found is None:
        found = dateparser.parse(text)
    return found


def _parse_date(text: str, languages: Sequence[str], zone: str | None) -> datetime | None:
    """A date as the page writes it; its own offset kept, else the source's zone if given."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        found = _read_date(text, languages)
        if found is None:
            return None
        parsed = found
    offset = parsed.utcoffset()
    if offset is not None:
        # dateparser's own tzinfo classes are replaced by a plain fixed offset.
        return parsed.replace(tzinfo=timezone(offset))
    return parsed.replace(tzinfo=ZoneInfo(zone)) if zone else parsed


def _value(
    field: str, matches: SelectorList[Selector], texts: list[str], source: Source
) -> tuple[Any, MissReason | None]:
    """The override's value for ``field`` (None if it has none) and why it has none."""
    if not matches:
        return None, MissReason.NO_MATCH
    found = [text for text in texts if text]
    if not found:
        return None, MissReason.EMPTY
    match field:
        case "authors":
            names = (_BYLINE_PREFIX.sub("", text) for text in found)
            return list(dict.fromkeys(name for name in names if name)), None
        case "lead":
            return "\n\n".join(found), None
        case "body":
            body = clean_body("\n".join(found))
            return (body, None) if body else (None, MissReason.EMPTY)
        case "published" | "modified":
            zone = source.extraction.timezone if source.extraction else None
            for text in found:
                date = _parse_date(text, source.languages, zone)
                if date is not None:
                    return date, None
            return None, MissReason.NOT_A_DATE
        case _:
            return found[0], None


def _strip_suffix(title: str, pattern: str | None) -> str:
    if not pattern or not title:
        return title
    stripped = re.sub(f"(?:{pattern})$", "", title).strip()
    return stripped or title  # a suffix pattern that eats everything is wrong, not the title


def apply_overrides(fields: ExtractedFields, html: str, source: Source) -> OverrideResult:
    """Replace each field the source overrides with what its selector finds on ``html``.

    A selector that finds nothing keeps the general value and is returned as a miss.
    """
    overrides = source.extraction
    if overrides is None:
        return OverrideResult(fields)
    page = Selector(text=html)
    changes: dict[str, Any] = {}
    misses: list[OverrideMiss] = []
    for field, attribute in FIELD_ATTRIBUTES.items():
        selector: str | None = getattr(overrides, field)
        if selector is None:
            continue
        xpath = selector_xpath(selector)
        matches = page.xpath(xpath)
        texts = _body(page, overrides, xpath) if field == "body" else _texts(matches)
        value, reason = _value(field, matches, texts, source)
        if reason is not None:
            misses.append(OverrideMiss(field, reason))
        else:
            changes[attribute] = value
    title = changes.get("title", fields.title)
    changes["title"] = _strip_suffix(title, overrides.title_suffix)
    return OverrideResult(dataclasses.replace(fields, **changes), tuple(misses))
