"""Korean, Japanese, Chinese and Russian names from the real analysers' dictionaries, and
the entities stage that resolves them through the watch list and the place index."""

from __future__ import annotations

from newsloom.schema import EntityType
from workers.enrichment.entities import find_entities, methods, recogniser_for
from workers.enrichment.propernouns import name_spans


def _spans(text: str, language: str) -> set[tuple[EntityType | None, str]]:
    found = name_spans(text, language)
    for span in found:
        assert span.start < span.end <= len(text)
    return {(span.type, text[span.start : span.end]) for span in found}


def _entities(text: str, language: str) -> dict[str, tuple[EntityType, list[str]]]:
    return {e.name: (e.type, e.surface_forms) for e in find_entities(text, language)}


def test_korean_proper_nouns_by_their_semantic_class() -> None:
    spans = _spans("김상욱 의원과 김다니엘씨가 목포와 경상도를 찾았다.", "ko")
    assert ("person", "김상욱") in spans
    assert ("person", "김다니엘") in spans  # 김 + 다니엘, written together
    assert ("place", "목포") in spans
    assert ("place", "경상도") in spans


def test_korean_places_take_the_index_english_name_and_names_stay_native() -> None:
    found = _entities("김상욱 의원은 목포와 경상도에서 유세했다.", "ko")
    assert found["Mokpo"] == ("place", ["목포"])
    assert found["김상욱"] == ("person", ["김상욱"])
    assert found["경상도"][0] == "place"


def test_korean_common_nouns_listed_with_places_are_the_towns_the_index_knows() -> None:
    found = _entities("이 후보는 여수, 순천, 목포를 찾았다.", "ko")
    assert {"Yeosu", "Suncheon", "Mokpo"} <= found.keys()  # 여수 and 순천 are common nouns
    # Listed with a place but no place the index knows: nothing.
    assert _entities("부산, 사과를 샀다.", "ko").keys() == {"Busan"}


def test_japanese_family_and_given_names_are_one_person() -> None:
    spans = _spans("小池和樹氏はソウルでネタニヤフ首相と会った。", "ja")
    assert ("person", "小池和樹") in spans
    assert ("person", "ネタニヤフ") in spans
    assert ("place", "ソウル") in spans


def test_japanese_surname_with_an_honorific_is_the_person_named_in_full() -> None:
    found = _entities("尹錫悦大統領が演説した。尹氏は反対勢力を批判した。", "ja")
    assert found["Yoon Suk-yeol"] == ("person", ["尹錫悦", "尹氏"])
    assert not _entities("小池氏が話した。", "ja")  # whose surname, the text does not say


def test_a_surname_alone_before_a_title_is_the_article_s_person_of_that_surname() -> None:
    found = _entities("윤석열 대통령이 담화를 발표했다. 윤 전 대통령은 사과하지 않았다.", "ko")
    assert found["Yoon Suk-yeol"] == ("person", ["윤석열", "윤"])
    found = _entities("尹錫悦大統領が演説した。野党は尹大統領を批判した。", "ja")
    assert found["Yoon Suk-yeol"] == ("person", ["尹錫悦", "尹"])
    found = _entities("김정은 국무위원장이 말했다. 金 위원장은 웃었다.", "ko")
    assert found["Kim Jong-un"] == ("person", ["김정은", "金"])  # hanja, read as 김
    found = _entities("金正恩委員長が視察した。金委員長は満足を示した。", "ja")
    assert found["Kim Jong-un"] == ("person", ["金正恩", "金"])  # 委員 + 長, one title
    # No full name to give the surname to: nothing, rather than a guess (金 is also the
    # Congo's one-character name in Chinese).
    assert not _entities("이 후보는 말했다.", "ko")
    assert not _entities("金委員長が話した。", "ja")


def test_a_hanja_surname_alone_in_a_korean_headline_is_the_watched_person() -> None:
    # The dictionary has no reading for 李; the watch list writes him 李在明. The page's
    # character is the compatibility ideograph of the old Korean charset (U+F9E1).
    text = "\uf9e1 여수, 순천 찾아 유세\n이재명 후보는 15일 호남을 찾았다."
    found = _entities(text, "ko")
    assert found["Lee Jae-myung"] == ("person", ["\uf9e1", "이재명"])
    assert "United States" in _entities("美 국무부 발표\n이재명 후보는 말했다.", "ko")


def test_initials_stand_for_the_article_s_person_they_fit() -> None:
    # The Korean press writes some politicians by their given name's romanised initials.
    found = _entities("DJ 고향에서 유세\n김대중 전 대통령의 고향을 찾았다.", "ko")
    assert found["김대중"] == ("person", ["DJ", "김대중"])
    # A reporter's note in a quote is signed with the initials of the name.
    text = "Корреспондент Андрей Колесников спросил. «Решим сами (— А. К.)», — сказал он."  # noqa: RUF001
    signed = ("person", ["Андрей Колесников", "А. К."])  # noqa: RUF001
    assert _entities(text, "ru")["Андрей Колесников"] == signed


def test_a_foreign_name_in_chinese_is_read_from_its_middle_dot() -> None:
    found = _entities("英国首相基尔·斯塔默和法国总统埃马纽埃尔·马克龙通电话。", "zh")
    # Whole names, not 纽埃 (Niue) inside one of them.
    assert found == {
        "United Kingdom": ("place", ["英国"]),
        "France": ("place", ["法国"]),
        "基尔·斯塔默": ("person", ["基尔·斯塔默"]),
        "埃马纽埃尔·马克龙": ("person", ["埃马纽埃尔·马克龙"]),
    }


def test_a_chinese_body_cut_into_words_is_one_organisation() -> None:
    # jieba cuts the company's name and tags two of its words as towns.
    found = _entities("中国航天科工航天三江江北公司数控车工阎敏说。", "zh")
    assert found["中国航天科工航天三江江北公司"] == (
        "organization",
        ["中国航天科工航天三江江北公司"],
    )
    assert not {name for name, (kind, _) in found.items() if kind == "place"}
    found = _entities("湖北省国防科工办负责人李金坤表示。", "zh")
    assert found["湖北省国防科工办"] == ("organization", ["湖北省国防科工办"])
    # A country before a body stays the country; a common word ending like a body is none.
    assert "United States" in _entities("美国白宫发言人表示。", "zh")
    assert not _entities("中东僵局持续。这家公司表示。", "zh")


def test_a_given_name_before_a_watched_surname_is_part_of_the_person() -> None:
    for text, language, written in [
        ("美国总统唐纳德·特朗普周二表示。", "zh", "唐纳德·特朗普"),
        ("ドナルド・トランプ大統領は20日、会談した。", "ja", "ドナルド・トランプ"),
        ("도널드 트럼프 대통령은 통화했다.", "ko", "도널드 트럼프"),
    ]:
        people = {n: s for n, (t, s) in _entities(text, language).items() if t == "person"}
        assert people == {"Donald Trump": [written]}, language


def test_words_before_a_title_that_are_not_surnames_name_nobody() -> None:
    assert not {t for t, _ in _spans("이 일은 대통령이 결정한다.", "ko")} & {"person"}
    # A common noun before a title is only a candidate, which no full name here claims.
    assert not _entities("党代表が辞任した。", "ja")
    assert _entities("米大統領が訪日した。", "ja") == {"United States": ("place", ["米"])}


def test_a_katakana_reading_in_brackets_is_another_spelling_of_the_name() -> None:
    text = "習近平(シージンピン)国家主席と李強(リーチャン)首相が江原道(カンウォンド)を訪れた。"
    found = _entities(text.replace("(", "\uff08", 1).replace(")", "\uff09", 1), "ja")
    assert found["Xi Jinping"] == ("person", ["習近平", "シージンピン"])
    assert found["Li Qiang"] == ("person", ["李強", "リーチャン"])
    assert found["江原道"] == ("place", ["江原道", "カンウォンド"])
    # A name written in katakana has no reading to give: the brackets say something else.
    found = _entities("プーチン(ロシア)大統領が話した。", "ja")
    assert found["Vladimir Putin"] == ("person", ["プーチン"])
    assert found["Russia"] == ("place", ["ロシア"])


def test_a_japanese_name_with_a_space_or_a_hiragana_reading_is_one_person() -> None:
    text = "白川 俊介氏(しらかわ・しゅんすけ)は会長に就任した。白川俊介会長は述べた。"
    found = _entities(text, "ja")
    assert found == {"白川俊介": ("person", ["白川 俊介", "しらかわ・しゅんすけ", "白川俊介"])}


def test_japanese_unknown_katakana_before_a_title_is_a_person() -> None:
    spans = _spans("スモトリッチ財務相は反発した。", "ja")
    assert ("person", "スモトリッチ") in spans


def test_japanese_foreign_name_cut_into_pieces_of_other_words_is_one_word() -> None:
    # UniDic covers タミム with タ (a pronoun) + ミム, or タミ + ム (a prefix).
    spans = _spans("カタールのタミム首長と合意した。ハマスもタミム氏と協議した。", "ja")
    assert ("person", "タミム") in spans
    assert not {name for _, name in spans} & {"タミ", "ミム"}
    # Names UniDic knows, either side of a middle dot, stay one person.
    spans = _spans("ウォロディミル・ゼレンスキー大統領とプーチン大統領が話した。", "ja")
    assert {("person", "ウォロディミル・ゼレンスキー"), ("person", "プーチン")} <= spans


def test_chinese_listed_name_saying_something_is_a_person_and_a_region_is_its_place() -> None:
    spans = name_spans("专业博士生泰勒斯表示，中东地区局势紧张。", "zh")  # noqa: RUF001 - Chinese punctuation
    found = {(span.type, span.name) for span in spans}
    assert ("person", "泰勒斯") in found
    assert ("place", "中东") in found  # 中东地区, the Middle East region
    # Cut from a longer name (古 + 特雷斯), the rest is not taken for a person.
    spans = name_spans("联合国秘书长古特雷斯强调，各方应保持克制。", "zh")  # noqa: RUF001 - Chinese punctuation
    assert {(span.type, span.name) for span in spans} == {("organization", "联合国")}


def test_japanese_place_before_a_body_is_an_organisation_and_areas_merge() -> None:
    found = _entities("イスラエル軍はガザ地区から撤退し、ガザの住民が戻った。", "ja")
    assert found["イスラエル軍"][0] == "organization"
    assert found["Gaza"] == ("place", ["ガザ地区", "ガザ"])
    # A town named like a family is a place with its suffix (菊池 + 市).
    assert _entities("熊本県の八代市、菊池市、宇土市", "ja")["Kikuchi"][0] == "place"
    # A named body may hold common nouns before its word (国防 + 省); a description may not.
    assert _entities("韓国国防省は発表した。", "ja")["韓国国防省"][0] == "organization"
    assert _entities("ガザ保健当局によると。", "ja") == {"Gaza": ("place", ["ガザ"])}


def test_chinese_names_jieba_found_and_surname_given_name_pairs() -> None:
    text = "中国国家航天局国际合作司副司长姚建廷说。湖北省负责人李金坤表示。"
    spans = _spans(text, "zh")
    assert ("person", "姚建廷") in spans
    assert ("person", "李金坤") in spans
    assert ("organization", "中国国家航天局") in spans
    assert ("place", "湖北省") in spans


def test_chinese_names_after_a_title_are_people_even_cut_into_other_words() -> None:
    found = _entities("玻利维亚驻华公使衔参赞罗满月说,合作很重要。(记者宋晨、田中全)", "zh")
    assert {"罗满月", "宋晨", "田中全"} <= found.keys()  # 罗 + 满月 "a full moon"; 田中 + 全
    assert found["罗满月"] == ("person", ["罗满月"])
    found = _entities("(记者王晓东、刘洋)清华大学教授阎学通指出,中美关系仍面临挑战。", "zh")
    assert {"王晓东", "刘洋", "阎学通"} <= found.keys()  # 王晓东, a name jieba lists
    assert "中美关系" not in found  # China-US relations, which jieba tags an organisation
    assert {"China", "United States"} <= found.keys()
    # After a title, but words: a pronoun, a particle, a word the dictionary lists.
    for text in ("记者了解到。", "记者向本报介绍", "教授陈述了。", "研究员黄河说"):
        assert not {name for name, (kind, _) in _entities(text, "zh").items() if kind == "person"}


def test_traditional_chinese_is_cut_as_jieba_cuts_its_simplified_form() -> None:
    text = "國防部長顧立雄將赴美訪問。台積電董事長魏哲家強調產能充足。"
    spans = _spans(text, "zh")  # offsets and surfaces stay the text's own characters
    assert {("person", "顧立雄"), ("person", "魏哲家")} <= spans
    assert not {name for _, name in spans} & {"顧立", "魏哲家強"}


def test_chinese_dictionary_words_tagged_as_names_are_not_people() -> None:
    # jieba's dictionary lists 贺信 ("letter of congratulation") as a person's name.
    spans = _spans("习近平主席致贺信。", "zh")
    assert ("person", "习近平") in spans
    assert not any(surface == "贺信" for _kind, surface in spans)


def test_russian_given_name_and_surname_are_one_person_in_any_case() -> None:
    text = "Встреча с Анваром Ибрагимом. Анвар Ибрагим сказал, что Ибрагиму нравится Стамбул."  # noqa: RUF001
    found = _entities(text, "ru")
    kind, surfaces = found["Анвар Ибрагим"]
    assert kind == "person"
    assert {"Анваром Ибрагимом", "Анвар Ибрагим", "Ибрагиму"} <= set(surfaces)
    assert found["Istanbul"][0] == "place"


def test_russian_words_listed_with_a_person_are_people() -> None:
    found = _entities("Переговоры вели Мединский, Фоменко и Галузин.", "ru")
    assert {name for name, (kind, _) in found.items() if kind == "person"} == {
        "Мединский", "Фоменко", "Галузин"
    }  # fmt: skip
    assert {kind for kind, _ in _entities("Москва, Киев и Минск ответили.", "ru").values()} == {
        "place"
    }


def test_russian_watch_list_names_keep_the_whole_inflected_mention() -> None:
    found = _entities("Визит Владимира Путина. Путин прибыл.", "ru")
    assert found["Vladimir Putin"] == ("person", ["Владимира Путина", "Путин"])


def test_each_language_records_its_analyser() -> None:
    recorded = {
        language: methods(recogniser_for(language), language)
        for language in ["ko", "ja", "zh", "ru"]
    }
    assert recorded == {
        "ko": "mecab-ko-dic-nnp+watchlist",
        "ja": "unidic-propn+watchlist",
        "zh": "jieba-pos+watchlist",
        "ru": "pymorphy3-names+watchlist",
    }


def test_country_names_of_several_inflected_words_are_the_country() -> None:
    found = _entities("Визит в Южную Корею и переговоры с Российской Федерацией.", "ru")  # noqa: RUF001
    assert found["South Korea"] == ("place", ["Южную Корею"])
    assert found["Russia"] == ("place", ["Российской Федерацией"])
