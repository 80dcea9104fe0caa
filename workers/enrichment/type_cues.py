"""The type English grammar gives a name, where the small model's own guess is weakest: a
common noun in apposition right before it ("her friend Bianca Jones", "the party town Van
Vieng", "the newspaper Reforma"), a plural noun a list of names exemplifies ("companies
such as Petronas, Proton and others"), or the platform one posts on ("said on Twitter").

These are the trigger words of classic NER feature sets; the model sees them too, but on
one or two unfamiliar words it often types the name by its shape instead. A cue decides only
between our three types, and the watch list still wins over it.
"""

from __future__ import annotations

import re

from newsloom.schema import EntityType

_NOUNS: dict[EntityType, frozenset[str]] = {
    "person": frozenset((
        "friend", "father", "mother", "son", "daughter", "wife", "husband", "brother",
        "sister", "uncle", "aunt", "cousin", "grandfather", "grandmother", "grandson",
        "granddaughter", "nephew", "niece", "boyfriend", "girlfriend", "widow",
        "teenager", "schoolboy", "schoolgirl", "boy", "girl", "student", "spokesman",
        "spokeswoman", "spokesperson", "actor", "actress", "singer", "rapper", "comedian",
        "novelist", "author", "journalist", "reporter", "photographer", "lawyer", "attorney",
        "businessman", "businesswoman", "billionaire", "footballer", "striker", "midfielder",
        "goalkeeper", "activist", "dissident", "defector", "politician", "lawmaker",
        "economist", "analyst", "researcher", "scientist", "professor", "doctor", "nurse",
        "victim", "suspect", "defendant", "colleague", "neighbour", "neighbor", "pilot",
        "soldier", "officer", "envoy", "diplomat", "candidate", "incumbent", "veteran",
        "leaders", "officials", "politicians", "actors", "players", "artists", "celebrities",
        "figures", "lawmakers", "activists", "journalists", "analysts", "experts", "scholars",
        "critics", "ministers", "diplomats", "generals",
    )),
    "place": frozenset((
        "town", "city", "village", "province", "region", "district", "county", "capital",
        "port", "island", "islands", "neighbourhood", "neighborhood", "suburb", "municipality",
        "prefecture", "oblast", "township", "hamlet", "resort", "enclave", "exclave",
        "countries", "cities", "towns", "villages", "regions", "provinces", "nations",
        "states", "ports", "destinations",
    )),
    "organization": frozenset((
        "company", "firm", "carmaker", "automaker", "airline", "carrier", "bank", "lender",
        "insurer", "retailer", "manufacturer", "maker", "startup", "conglomerate", "giant",
        "newspaper", "daily", "tabloid", "broadcaster", "magazine", "outlet", "agency",
        "ministry", "party", "militia", "charity", "union", "university", "club", "team",
        "operator", "developer", "publisher", "brand", "chain", "group", "network", "regulator",
        "companies", "firms", "carmakers", "automakers", "airlines", "carriers", "banks",
        "lenders", "insurers", "retailers", "manufacturers", "newspapers", "broadcasters",
        "magazines", "outlets", "agencies", "parties", "charities", "unions", "universities",
        "clubs", "teams", "brands", "chains", "groups", "networks", "media", "platforms",
    )),
}  # fmt: skip
_TYPE_OF = {noun: kind for kind, nouns in _NOUNS.items() for noun in nouns}
# "her friend Bianca Jones": the lower-case noun right before, one space between.
_NOUN_BEFORE = re.compile(r"(?<![\w'\u2019-])([a-z]+) $")
# "companies such as Petronas, Proton and": a plural noun, an example marker, then names
# separated by commas, "and" or "or" up to the name.
_EXAMPLES = re.compile(
    r"(?<![\w-])([A-Za-z][a-z]+),? (?:such as|including|like) "
    r"((?:[A-Z][\w&.'\u2019-]*(?: (?:of |de |del |la |el )?[A-Z][\w&.'\u2019-]*)*"
    r"(?:,? and |,? or |, ))*)$"
)
# "the newspaper Reforma and El Economista": a name joined to the one before, which may
# have a cue of its own.
_JOINED = re.compile(r"(?<![\w-])([A-Z][\w&.'\u2019-]*(?: [A-Z][\w&.'\u2019-]*)*),? (?:and|or) $")
# "said on Twitter", "wrote on Telegram": where one posts is a platform, an organisation.
_POSTED_ON = re.compile(r"(?<![\w-])(?:said|wrote|posted|tweeted|shared|announced) on $")
# How far back a cue may be: a list of names is short.
_REACH = 200


def cued_type(text: str, start: int) -> EntityType | None:
    """The type the words right before ``text[start:]`` give the name that starts there,
    if they give one."""
    before = text[max(0, start - _REACH) : start]
    noun = _NOUN_BEFORE.search(before)
    if noun is not None and noun.group(1) in _TYPE_OF:
        return _TYPE_OF[noun.group(1)]
    if _POSTED_ON.search(before):
        return "organization"
    listed = _EXAMPLES.search(before)
    if listed is not None:
        return _TYPE_OF.get(listed.group(1).lower())
    joined = _JOINED.search(before)
    if joined is not None and joined.start() > 0:
        return cued_type(text, start - len(before) + joined.start())
    return None
