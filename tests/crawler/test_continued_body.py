"""An article the page cuts into containers of one kind is extracted to its end."""

from __future__ import annotations

from crawler.extraction.fields import extract_fields

_PARAGRAPH = (
    "<p>{n}. The delegations met again on Tuesday in the capital and agreed to keep talking "
    "about the border crossings, the shipping lanes and the prisoners each side still holds, "
    "officials from both governments said after the meeting ended late in the evening.</p>"
)


def _part(numbers: range, modifier: str = "") -> str:
    paragraphs = "".join(_PARAGRAPH.format(n=n) for n in numbers)
    return f'<div class="story"><div class="body articleBody {modifier}">{paragraphs}</div></div>'


def _page(*blocks: str) -> str:
    return (
        "<html><head><title>Talks resume</title></head><body><main>"
        "<h1>Talks resume</h1>" + "".join(blocks) + "</main></body></html>"
    )


_ADVERT = '<div class="advert"><p>Advertisement</p></div>'


def test_the_later_parts_of_a_split_body_are_appended() -> None:
    html = _page(_part(range(1, 5), "-bottom-space"), _ADVERT, _part(range(5, 9)), _ADVERT)
    body = extract_fields(html, "https://outlet.example/talks").body
    assert [line.split(".")[0] for line in body.split("\n\n")] == [str(n) for n in range(1, 9)]
    assert "Advertisement" not in body


def test_the_next_story_below_the_article_is_not_part_of_it() -> None:
    html = (
        "<html><head><title>Talks resume</title></head><body>"
        f"<article><h1>Talks resume</h1>{_part(range(1, 5))}</article>"
        f"<article><h1>Another story</h1>{_part(range(5, 9))}</article>"
        "</body></html>"
    )
    body = extract_fields(html, "https://outlet.example/talks").body
    assert body.count("The delegations met again") == 4
