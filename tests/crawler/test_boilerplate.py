"""The body clean-up removes page furniture by its shape and keeps the article."""

from __future__ import annotations

from crawler.extraction.boilerplate import clean_body


def test_drops_ad_labels_and_read_more_teasers() -> None:
    text = "First paragraph.\nAdvertisement\nRead more: Another story\nSecond paragraph."
    assert clean_body(text) == "First paragraph.\n\nSecond paragraph."


def test_drops_video_card_with_repeated_title() -> None:
    text = "Before.\n03:56\nVideo title here\nVideo title here\nAfter."
    assert clean_body(text) == "Before.\n\nAfter."


def test_keeps_repeated_text_that_is_not_adjacent() -> None:
    text = "A point.\nSomething else.\nA point."
    assert clean_body(text) == "A point.\n\nSomething else.\n\nA point."


def test_keeps_paragraphs_that_only_mention_boilerplate_words() -> None:
    text = "Read more about the talks in our earlier report, he said."
    assert clean_body(text) == text


def test_drops_more_stories_cues_in_several_languages() -> None:
    cues = ["Lesen Sie auch: Neue Sanktionen", "Les også: Ny rapport", "DON'T MISS", "Most read"]
    text = "\n".join(["First paragraph.", *cues, "Second paragraph."])
    assert clean_body(text) == "First paragraph.\n\nSecond paragraph."


def test_keeps_sentences_that_start_with_a_cue_word() -> None:
    text = "Related talks will follow next week, the ministry said."
    assert clean_body(text) == text


def test_drops_picture_credit_lines_but_keeps_sentences_about_photos() -> None:
    text = "First paragraph.\nPhoto: Agency/Photographer\nSecond paragraph."
    assert clean_body(text) == "First paragraph.\n\nSecond paragraph."
    sentence = "Photo: the ministry released a picture of the launch site on Monday."
    assert clean_body(sentence) == sentence


def test_drops_video_captions_that_end_with_a_running_time() -> None:
    first, last = "The envoy arrived in Seoul on Monday.", "Talks begin at 10:30 on Tuesday."
    caption = "Sanctions were widened after the launch. 18.04.2024 | 0:21 min"
    text = f"{first}\n\n{caption}\n\n05.09.2024 | 2:03 min\n\n{last}"
    assert clean_body(text) == f"{first}\n\n{last}"
    assert clean_body("The meeting lasted 45 min.\n\nIt ended at 11:45.") == (
        "The meeting lasted 45 min.\n\nIt ended at 11:45."
    )
