"""Questions about what a named outlet published, over passages from other outlets (issue #12).

"What did a Forbes article say about …?", "According to an article from The Times of India, …":
the question asks for one outlet's article. When no passage comes from an outlet the question
names this way, the passages cannot say what that outlet published, however close their subject:
abstain. The outlet is read only where the question names it as the publisher of an article
(``<Name> article|piece|story|op-ed|editorial|column``, ``article from|by|in <Name>``,
``another from <Name>``), so "the IPCC report" or "an AI-powered DJ feature" are not outlets.
A named outlet matches a passage's ``source`` when all its content words are in it ("Wall Street
Journal" ↔ "The Wall Street Journal", "CNBC" ↔ "Cnbc | World Business News Leader").

Latin-script names only: Arabic has no capitals to find a name by. A question that names an
outlet of the passages read (:func:`named_sources`, in either script: "Al Jazeera" / «الجزيرة»)
asks what *that* outlet said about its subject: the grounding policy then asks its passages for
evidence on the question without the outlet's name (:func:`without_outlets`,
:func:`rag.answer.grounding.should_abstain`), so another outlet's report on the subject does not
answer "What did Al Jazeera report about the Kessa flood?" when Al Jazeera's article is on Gaza.
DEV (MultiHop): 109 of 260 answerable questions name an outlet this way, none is refused;
30 of 40 null queries do, 6 of the 7 the other rules answered are refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.retrieval.mentions import SourceMatcher
from rag.text.crossscript import key_set
from rag.text.sentences import content_keys
from rag.types import Retrieved

OUTLET_KEY_CLASSES = 3
"""An outlet named across scripts ("Al Jazeera" / «الجزيرة» → KSR) needs a key of at least three
sound classes: «العربية» keys RB, which any "Rabat" or "Arab" would match."""

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


def named_sources(question: str, passages: Sequence[Retrieved]) -> frozenset[str]:
    """The outlets of ``passages`` that ``question`` names, in its script (the source's name or
    the part before " | ", as whole words: :class:`rag.retrieval.mentions.SourceMatcher`) or in
    the other ("What did Al Jazeera report…" over «الجزيرة»: every cross-script key of the source
    is in the question, one of them of :data:`OUTLET_KEY_CLASSES` classes or more)."""
    sources = {r.chunk.source for r in passages if r.chunk.source}
    found = set(SourceMatcher(sources).named(question))
    asked = key_set(question)
    for source in sources - found:
        keys = key_set(source)
        if (
            keys
            and keys <= asked
            and any(len(k) >= OUTLET_KEY_CLASSES and not k.startswith("#") for k in keys)
        ):
            found.add(source)
    return frozenset(found)


def without_outlets(question: str, sources: frozenset[str]) -> str:
    """``question`` without the words that name ``sources`` (in either script): what it asks
    *about* ("What did report about the Kessa flood?")."""
    ckeys: set[str] = set()
    skeys: set[str] = set()
    for source in sources:
        ckeys |= content_keys(source)
        skeys |= key_set(source)
    return " ".join(w for w in question.split() if not (content_keys(w) & ckeys or key_set(w) & skeys))
