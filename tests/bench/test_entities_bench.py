"""The entity benchmark reads CoNLL files as the format says and scores strict spans."""

from __future__ import annotations

from pathlib import Path

from bench.entities import conll_scores, read_conll

# IOB1 (an entity may start on I-) in the first sentence, IOB2 in the second.
_CONLL = """-DOCSTART- -X- O O

Angela NNP I-NP I-PER
Merkel NNP I-NP I-PER
visited VBD I-VP O
Paris NNP I-NP I-LOC
. . O O

Talks B-MISC
in O
Berlin B-LOC
with O
Siemens B-ORG
AG I-ORG
ended O
. O
"""


def test_conll_spans_follow_iob1_and_iob2(tmp_path: Path) -> None:
    path = tmp_path / "sample.txt"
    path.write_text(_CONLL, encoding="utf-8")
    (document,) = read_conll(path)
    text = document.text
    assert text.split("\n")[0] == "Angela Merkel visited Paris ."
    spans = {(text[start:end], kind) for start, end, kind in document.spans}
    assert spans == {
        ("Angela Merkel", "PER"),
        ("Paris", "LOC"),
        ("Berlin", "LOC"),
        ("Siemens AG", "ORG"),
    }


def test_without_docstart_every_twenty_sentences_make_a_document(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("Tokyo B-LOC\n. O\n\n" * 45, encoding="utf-8")
    assert [len(d.lines) for d in read_conll(path)] == [20, 20, 5]


def test_scores_are_strict_span_matches(tmp_path: Path) -> None:
    path = tmp_path / "sample.txt"
    path.write_text(_CONLL, encoding="utf-8")
    scores = conll_scores(read_conll(path), "model")
    precision, recall, f1 = scores["all"]
    assert 0 < precision <= 1 and 0 < recall <= 1
    assert f1 == 2 * precision * recall / (precision + recall)
    assert conll_scores(read_conll(path), "none")["all"] == (0.0, 0.0, 0.0)
