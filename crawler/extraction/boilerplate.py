"""Paragraph-level clean-up of what the main-content extractor leaves in an article body.

Extractors keep blocks that sit inside the article container: ad slot labels, "Read more:"
teasers that link to other stories, and embedded video cards (a duration stamp followed by the
video's title, often twice). Those are not the article, and they pollute search and entity
extraction, so they are removed here by their shape, never by naming a site.
"""

from __future__ import annotations

import re

__all__ = ["clean_body"]

# Cue phrases of "more stories" boxes in the major languages of the sources (English, German,
# Scandinavian, Romance): editorial vocabulary every outlet of a language uses, not a site's.
_MORE_STORIES = (
    r"read more|read also|also read|related( (news|posts?|articles?|stories))?|see also"
    r"|see more|recommended|more on this|watch|you may also like|don'?t miss|most read"
    r"|lesen sie auch|auch interessant|mehr zum thema|les også|læs også|läs också"
    r"|lire aussi|à lire aussi|leggi anche|lee también|noticia relacionada|te puede interesar"
)
_LABEL = re.compile(
    r"^(advertisement|advertising|sponsored( content)?|story continues below( advertisement)?"
    rf"|learn more|subscribe( now)?|sign up|share( this article)?|{_MORE_STORIES})[.:]?$",
    re.IGNORECASE,
)
_TEASER = re.compile(rf"^({_MORE_STORIES})\s*:", re.IGNORECASE)
_DURATION = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")
# A video card's caption ends with its running time and unit ("... 18.04.2024 | 0:21 min");
# a sentence of the article never ends on a clock-style duration.
_VIDEO_CAPTION = re.compile(
    r"\b\d{1,2}:\d{2}(:\d{2})?\s*(min|mins|minutes|minuten)\.?$", re.IGNORECASE
)
# A picture credit on a line of its own ("Photo: Agency/Photographer"), never a sentence.
_CREDIT = re.compile(
    r"^(photo|image|picture|pictures|photograph|credit|foto|fotos|bild|imagen)\s*:\s*\S[^.!?]{0,80}$",
    re.IGNORECASE,
)


def _is_video_card(paragraphs: list[str], index: int) -> bool:
    """A duration stamp right before a line marks an embedded video's title."""
    return index > 0 and bool(_DURATION.match(paragraphs[index - 1]))


def clean_body(text: str) -> str:
    """Drop boilerplate paragraphs and immediate repeats; keep the order of the rest."""
    paragraphs = [line.strip() for line in text.splitlines()]
    paragraphs = [line for line in paragraphs if line]
    kept: list[str] = []
    skip_title: str | None = None
    for index, paragraph in enumerate(paragraphs):
        if any(shape.match(paragraph) for shape in (_LABEL, _TEASER, _DURATION, _CREDIT)):
            continue
        if _VIDEO_CAPTION.search(paragraph):
            continue
        if _is_video_card(paragraphs, index):
            skip_title = paragraph
            continue
        if paragraph == skip_title or (kept and kept[-1] == paragraph):
            continue
        skip_title = None
        kept.append(paragraph)
    return "\n\n".join(kept)
