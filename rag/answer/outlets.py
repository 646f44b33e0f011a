"""Questions about what a named outlet published, over passages from other outlets (issue #12).

"What did a Forbes article say about …?", "According to an article from The Times of India, …":
the question asks for one outlet's article. When no passage comes from an outlet the question
names this way, the passages cannot say what that outlet published, however close their subject:
abstain. The outlet is read only where the question names it as the publisher of an article
(``<Name> article|piece|story|op-ed|editorial|column``, ``article from|by|in <Name>``,
``another from <Name>``), so "the IPCC report" or "an AI-powered DJ feature" are not outlets.
A named outlet matches a passage's ``source`` when all its content words are in it ("Wall Street
Journal" ↔ "The Wall Street Journal", "CNBC" ↔ "Cnbc | World Business News Leader").

Latin-script names only: Arabic has no capitals to find a name by, and an Arabic outlet name
would have to be compared across scripts with the source (not done).
DEV (MultiHop): 109 of 260 answerable questions name an outlet this way, none is refused;
30 of 40 null queries do, 6 of the 7 the other rules answered are refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.text.sentences import content_keys
from rag.types import Retrieved

_NAME = r"((?:[Tt]he\s+)?[A-Z][\w&.'’-]*(?:\s+(?:of\s+|on\s+|&\s+)?[A-Z][\w&.'’-]*){0,4})"
_KIND = r"(?:article|piece|story|op-ed|editorial|column)s?"
_PATTERNS = (
    # "a Forbes article", "The Independent - Life and Style article"
    re.compile(rf"\b{_NAME}(?:\s+-\s+[A-Z][\w ]*?)?\s+{_KIND}\b"),
    # "an article from The Times of India", "a story by Reuters"
    re.compile(rf"\b{_KIND}\s+(?:from|by|in|published by|published in)\s+{_NAME}"),
    # "… and another from Hindustan Times"
    re.compile(rf"\b(?:another|one)\s+from\s+{_NAME}"),
)
_NOT_OUTLETS = content_keys(
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
    "Does Did Do Is Was Were Which What Who How According"
)
"""Capitalised words that start a match without naming an outlet ("Does the …", "the November article")."""


def named_outlets(question: str) -> list[set[str]]:
    """Content keys of each outlet ``question`` names as the publisher of an article."""
    out = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(question):
            keys = content_keys(re.sub(r"^[Tt]he\s+", "", m.group(1))) - _NOT_OUTLETS
            if keys:
                out.append(keys)
    return out


def missing_outlet(question: str, passages: Sequence[Retrieved]) -> str | None:
    """The outlets ``question`` names when no passage comes from any of them, else None."""
    names = named_outlets(question)
    if not names:
        return None
    sources = [content_keys(r.chunk.source) for r in passages]
    if any(name <= source for name in names for source in sources):
        return None
    return " / ".join(" ".join(sorted(n)) for n in names)
