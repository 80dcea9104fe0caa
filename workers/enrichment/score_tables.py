"""Teams in the lines of a results or standings table, which name them by their town.

Sports copy writes results and tables one line each: "Florida 3 Cincinnati 1", "Livingston
1 Hamilton 0 (halftime 0-0)", "Seattle 70 63 .526 5", "Crewe 4 1 1 2 4 6 4". A town or
state in such a line is a team, an organisation, not the place: the model reads it as the
place (or, in a table in capitals, not at all), and the article would be geotagged to every
town of a league's table. The lines have a shape no sentence has: names and scores only.

Only integer scores count, and a table's percentage written as baseball writes it (.526):
an election or poll table gives shares with decimals or a per cent sign, and its regions
stay places.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["team_spans"]

# A name of one to four capitalised words ("West Hartlepool", "St Louis", "NEW YORK").
_NAME = r"[A-Z][\w.'&-]*(?: [A-Z][\w.'&-]*){0,3}"
# A score or a table's column: an integer, a win percentage (.526), a half game (1/2), a dash.
_COLUMN = r"(?:\d{1,3}|\.\d{3}|\d{1,2}/\d|-)"
# "Florida 3 Cincinnati 1", optionally with a note in brackets ("(halftime 0-0)").
_RESULT = re.compile(
    rf"^(?P<first>{_NAME}) \d{{1,3}} (?P<second>{_NAME}) \d{{1,3}}(?: \([^)]*\))?$", re.MULTILINE
)
# "Seattle 70 63 .526 5": a name heading three columns or more.
_STANDING = re.compile(rf"^(?P<first>{_NAME})(?: {_COLUMN}){{3,}}$", re.MULTILINE)


def team_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each team name in the results and standings lines of ``text``."""
    for match in _RESULT.finditer(text):
        yield match.span("first")
        yield match.span("second")
    for match in _STANDING.finditer(text):
        yield match.span("first")
