"""Which scored sentences the extractive answerer quotes, and which articles carry copies of them.

One job: from sentences already scored against the question (:mod:`rag.answer.extractive`), pick
up to ``MAX_QUOTES`` to quote — the best first, then others within ``RELATIVE_FLOOR``, never a
headline as filler, never a planted instruction or a source-list line, never an unrelated
sentence of another article; yes/no and comparison questions take one sentence per article first,
a sentence of each article the question names before the others (:func:`compared_facets`).
A near-duplicate of a picked sentence (a syndicated copy) is not quoted again; its article is
recorded as a copy (``Citation.also_in``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answer.answer_fit import FIT_ASKED, FIT_NONE, answer_fit
from rag.answer.answer_types import asked_attribute, asked_measure, name_candidates
from rag.answer.matching import script_of, sentence_match
from rag.answer.sources import fold_for_duplicates, near_duplicate_texts, source_ref
from rag.retrieval.facets import Facet, question_facets
from rag.retrieval.mentions import SourceMatcher
from rag.text.crossscript import match_keys
from rag.text.sentences import content_keys, sentence_spans
from rag.types import Retrieved, SourceRef

MAX_QUOTES = 3
RELATIVE_FLOOR = 1.0
"""How far below the best sentence's score another may be and still be quoted (1.0: any, so three
sentences are always quoted when there are three). Measured on the full DEV sets (docs/results.md,
2026-11-30): 0.05 → 1.0 raised answer containment 0.828 → 0.883 (XQuAD-ar), 0.792 → 0.866 (ARCD);
the best sentence holds the answer for ~0.72 of the questions and the next two for another ~0.12."""
OTHER_ARTICLE_FLOOR = 0.05
"""A sentence of another article than the best one's is quoted when it scores within this of the
best (the pre-#12 floor) or shares a word or name with the question; otherwise it is an unrelated
filler that would show the reader a source with nothing to do with the question (an ECB rate
sentence under "How many residents were evacuated?"). Full DEV, same passages: containment
XQuAD-ar 0.884 → see docs/results.md (2026-11-30, lead)."""
SECOND_ARTICLE_FLOOR = 0.3
"""Yes/no and comparison questions: how far below the best a sentence of another article may score
and still be quoted beside it, one per article (a question over two articles needs both sides).
MultiHop DEV subset (235 of 609 articles; 72 comparison/temporal questions): a sentence from two
gold articles quoted 0.333 (old answerer) → 0.583 (best of a second article within 0.15) → 0.653
(one per article for every slot) → 0.681 (outlets the question names first, 0.3); retrieval
ceiling (two gold articles among the five passages) 0.778."""

_INJECTION = re.compile(
    r"ignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier) (?:instructions|prompts?|messages)"
    r"|disregard (?:all |the )?(?:previous|prior|above) |system prompt|you are now |new instructions"
    r"|(?:reply|respond|answer) (?:only )?with\b"
    r"|تجاهل (?:جميع |كل )?(?:التعليمات|الأوامر)",
    re.IGNORECASE,
)
# A line that opens with a bracketed number reads as a list of sources ("[7] Reuters, 'Budget 99
# billion', 2024"): in article text it is a footnote or a planted citation, never the answer.
_SOURCE_LINE = re.compile(r"^\s*(?:sources?\s*:\s*)?[\[［(]\s*\d{1,3}\s*[\]］)]", re.IGNORECASE)


def is_planted(text: str) -> bool:
    """True when ``text`` reads like an instruction to an AI or a source-list entry (never quoted
    as filler, and penalised in the sentence score)."""
    return bool(_INJECTION.search(text) or _SOURCE_LINE.match(text))


@dataclass(frozen=True)
class ScoredSentence:
    """A candidate sentence and its score.

    Attributes:
        score: The total score (module docstring, step 2).
        passage: Index into the passages given to the answerer.
        start: Offset of the sentence in that passage's chunk text.
        end: Offset after it (half-open).
        text: ``chunk.text[start:end]``.
        typed: True when it holds a candidate of the expected answer type.
        header: True when it is only a headline, dateline or byline.
    """

    score: float
    passage: int
    start: int
    end: int
    text: str
    typed: bool = False
    header: bool = False


def names_outlet(question_keys: set[str], source: str) -> bool:
    """True when every content word of the outlet name ``source`` is among ``question_keys``."""
    keys = content_keys(source)
    return bool(keys) and keys <= question_keys


TWO_SIDED_KINDS = ("yes_no", "comparison")
"""Question kinds answered from two (or more) articles side by side."""


def compared_facets(question: str, kind: str, matcher: SourceMatcher) -> tuple[Facet, ...]:
    """The articles a yes/no or comparison question names (two or more), else ().

    Other kinds keep one ranked list even when they name outlets ("Which company, reported by
    TechCrunch and The Verge, …?"): MultiHop DEV, their citation precision fell 0.73 → 0.64 with a
    passage and a quote per named article, for no gain in containment (docs/results.md,
    2026-11-30 session 4).
    """
    if kind not in TWO_SIDED_KINDS:
        return ()
    facets = question_facets(question, matcher)
    return facets if len(facets) >= 2 else ()


def named_article(question: str, kind: str, matcher: SourceMatcher) -> Facet | None:
    """The one article a question asks about by its outlet ("… according to the Daily Post?",
    «… بحسب صحيفة الفجر؟») or by its day ("What happened on 5 June 2025?"), else None (none
    named, several named, or a two-sided question).

    Its best sentence leads the answer (:func:`lead_from`): the reader asked what that outlet
    reported, and the best-scoring sentence of another outlet, however close, answers another
    question (newcomer check, session 4: "How many workers were evacuated according to the Daily
    Post?" led with the Evening News figure); likewise a day's news is that day's article's
    (newcomer check, session 6: "What happened on 5 June 2025?" led with a transport story of
    20 September).
    """
    if kind in TWO_SIDED_KINDS:
        return None
    facets = question_facets(question, matcher)
    return facets[0] if len(facets) == 1 and (facets[0].sources or facets[0].day) else None


def lead_from(
    scored: Sequence[ScoredSentence], passages: Sequence[Retrieved], facet: Facet
) -> list[ScoredSentence]:
    """``scored`` with the best sentence of an article that fits ``facet`` first (never a headline,
    dateline or planted line); unchanged when the best already fits or no sentence does."""
    if not scored or facet.fits(passages[scored[0].passage].chunk):
        return list(scored)
    for i, cand in enumerate(scored):
        if facet.fits(passages[cand.passage].chunk) and not cand.header and not is_planted(cand.text):
            return [cand, *scored[:i], *scored[i + 1 :]]
    return list(scored)


ASKED_FACT_MARGIN = 0.3
"""How far (cosine-equivalents) below the best sentence a sentence of the same passage may score and
still lead because it holds the asked fact and the best does not (:func:`lead_with_asked_fact`)."""


def lead_with_asked_fact(
    scored: Sequence[ScoredSentence],
    passages: Sequence[Retrieved],
    kind: str,
    question: str,
    margin: float | None = None,
) -> list[ScoredSentence]:
    """``scored`` with the sentence that holds the asked fact first, when the best does not.

    A news lede restates the story's topic, so it wins on similarity and shared words, while the
    asked figure, date or name sits in a later sentence that refers back («وقال إن مساحة الحديقة
    تبلغ ١٢ هكتاراً», "The blaze started shortly after 3 a.m."; issue 12). Within the best
    sentence's article — the one the question is about, in any of its passages read (a long article
    is several chunks: «زيارة تستغرق يومين» sits two chunks from the best-scoring sentence; the
    other chunks only when the best sentence holds no candidate of the type, and the best
    sentence's own passage first) — when the best sentence holds no candidate of the asked
    attribute (:func:`rag.answer.answer_types.answer_fit` = ``FIT_ASKED``: a number in the asked
    unit or counted noun, a date of the asked granularity, a name of the asked kind the question
    lacks), the best-scoring sentence that does leads, if it scores within ``margin`` (default
    :data:`ASKED_FACT_MARGIN`) of the best. A candidate of the type alone (any number, a bare
    weekday) does not promote: on DEV it moved the lead from «من 1870 إلى 1939» to «(1922-26)» for
    "How long was the theatre in operation?". A quantity question that names its subject, whose
    article's asked figure names none of it, leads with another read article's figure that does
    (a family's "30 dinars a month" against «بكلفة بلغت ١٢ مليون دينار» for "How much did the new
    water treatment plant in Zarqa cost?"; DEV unchanged). Headlines, datelines, bylines and
    planted lines never lead this way; yes/no and comparison questions are returned unchanged.
    """
    if not scored or kind in TWO_SIDED_KINDS:
        return list(scored)
    top = scored[0]
    qk = content_keys(question)
    top_fit = answer_fit(top.text, kind, question, qk)
    if top_fit == FIT_ASKED:
        return list(scored)
    # the best passage's own sentences; its article's other chunks only when the best sentence holds
    # no candidate of the type at all (they are further from the question: DEV XQuAD-en, "How many
    # tackles…" lost its lead «…in tackles (118)» to another chunk's "N tackles" otherwise), or a
    # number in no unit of the measure asked («٦٥ ألف كتاب» for «كم بلغت تكلفة المكتبة؟» while «٣٫٢
    # مليون دولار» opens the next chunk: money, area, weight… are written with their unit; a share
    # often is not — "half of the planet's rainforests" lost to another chunk's "60%" on DEV)
    article = passages[top.passage].chunk.article_id
    unit_measure = kind == "quantity" and bool(asked_measure(question) - {"percent"})
    whole_article = top_fit == FIT_NONE or unit_measure
    same = [
        s
        for s in scored[1:]
        if (s.passage == top.passage or (whole_article and passages[s.passage].chunk.article_id == article))
        and not s.header
        and not is_planted(s.text)
    ]
    asked = [s for s in same if answer_fit(s.text, kind, question, qk) == FIT_ASKED]
    if asked:
        cand = next((s for s in asked if s.passage == top.passage), asked[0])
        if kind == "quantity":
            # the article's figure is about something the question does not name (a family's 30
            # dinars a month beside the cost of the plant in Zarqa it asks about): another read
            # article's figure that names the question's subject leads instead (second newcomer
            # check, session 7)
            subject = question_subject(question)
            if subject.names and not names_subject(cand.text, subject):
                cand = _asked_elsewhere(scored, passages, kind, question, qk, ours_first=False) or cand
    else:
        found = _asked_elsewhere(scored, passages, kind, question, qk) if kind == "quantity" else None
        if found is None:
            return list(scored)
        cand = found
    if cand.score < top.score - (ASKED_FACT_MARGIN if margin is None else margin):
        return list(scored)
    return [cand, *(s for s in scored if s is not cand)]


def _asked_elsewhere(
    scored: Sequence[ScoredSentence],
    passages: Sequence[Retrieved],
    kind: str,
    question: str,
    question_keys: set[str],
    ours_first: bool = True,
) -> ScoredSentence | None:
    """The best-scoring sentence of another article than the best sentence's that holds the asked
    fact (``FIT_ASKED``) and names the question's subject (:func:`names_subject`), when no sentence
    read of the best sentence's article holds it (``ours_first``; False: whether or not); else None.

    The fact a question asks may sit in another retrieved article than the one that best matches
    its wording: "What is the population of Kessa?" is best matched by a report of the people who
    fled Kessa, while "Kessa, a town of about 85,000 people" is in another outlet's report
    (newcomer check, session 6). Naming the subject keeps a fact about another place or person
    out: "a town of about 85,000 people" in a report on another town answers nothing here.
    :func:`lead_with_asked_fact` asks this of quantity questions only, whose asked fact is
    specific (a population, the asked unit or counted noun): any date or name of another article
    fits a date or name question, and "When did the Amman–Zarqa bus service launch?" led with a
    desalination plant's «عام ٢٠٢٩» (newcomer check, session 7).
    """
    article = passages[scored[0].passage].chunk.article_id
    ours = [s for s in scored[1:] if passages[s.passage].chunk.article_id == article]
    if ours_first and any(answer_fit(s.text, kind, question, question_keys) == FIT_ASKED for s in ours):
        return None  # the article holds it, in a passage not read for this question
    subject = question_subject(question)
    return next(
        (
            s
            for s in scored[1:]
            if passages[s.passage].chunk.article_id != article
            and not s.header
            and not is_planted(s.text)
            and answer_fit(s.text, kind, question, question_keys) == FIT_ASKED
            and names_subject(s.text, subject)
        ),
        None,
    )


# Words that ask rather than name: a question's interrogatives and the verbs of "how much is…", in
# Arabic (English ones are stop words of content_keys already)
_ASKING_TEXT = "كم عدد ما ماذا متى أين من هو هي كيف لماذا هل أي يبلغ تبلغ بلغ بلغت كان كانت يكون تكون"
_ASKING = frozenset(content_keys(_ASKING_TEXT))


@dataclass(frozen=True)
class Subject:
    """What a question asks about, as keys (:func:`question_subject`).

    Attributes:
        names: Per Latin name the question gives ("Kessa", "New York"), its content keys and its
            cross-script keys (:func:`rag.text.crossscript.match_keys`: "Kessa" ↔ «كيسا»).
        words: Without a name, the question's content keys that neither ask nor name the asked
            attribute («زرقاء» of «كم عدد سكان الزرقاء؟»).
    """

    names: tuple[tuple[frozenset[str], frozenset[str]], ...]
    words: frozenset[str]


def question_subject(question: str) -> Subject:
    """The entity ``question`` asks about (:class:`Subject`): its Latin names (capitalised runs
    but the question's first word), else its words less the interrogatives and the asked
    attribute (:func:`rag.answer.answer_types.asked_attribute`)."""
    names: list[tuple[frozenset[str], frozenset[str]]] = []
    lead = len(question) - len(question.lstrip())
    for c in name_candidates(question):
        words = c.text.split()[1:] if c.start == lead else c.text.split()
        keys = frozenset(content_keys(" ".join(words)))
        if keys:
            names.append((keys, frozenset(match_keys(" ".join(words)))))
    attribute = asked_attribute(question) or ""
    rest = frozenset(content_keys(question)) - _ASKING - content_keys(attribute)
    return Subject(tuple(names), frozenset() if names else rest)


def names_subject(sentence: str, subject: Subject) -> bool:
    """True when ``sentence`` names the question's subject: every one of its names (all content
    keys of it, or, in an Arabic sentence, all its cross-script keys, each of three consonants or
    more), or, without names, every one of its words.

    Cross-script keys are consonant skeletons: one of two consonants is any short word's («من» is
    "~MN" like "Amman"), and even «شركة» is "Zarqa"'s "~SRK"; hence all names, and no short keys.
    XQuAD-ar DEV (one paragraph an article): with half of the words, «كم طنا من غاز الكربون
    يمتصها الأمازون…» led with another paragraph's per-hectare figure."""
    have = content_keys(sentence)
    if subject.names:
        cross = match_keys(sentence) if script_of(sentence) == "arabic" else frozenset()

        def named(keys: frozenset[str], skeletons: frozenset[str]) -> bool:
            if keys <= have:
                return True
            return bool(skeletons) and skeletons <= cross and all(len(k) >= 4 for k in skeletons)

        return all(named(keys, mk) for keys, mk in subject.names)
    return bool(subject.words) and subject.words <= have


def select_quotes(
    scored: Sequence[ScoredSentence],
    passages: Sequence[Retrieved],
    kind: str,
    question_keys: set[str],
    facets: Sequence[Facet] = (),
    question_script: str | None = None,
) -> tuple[list[ScoredSentence], dict[int, list[SourceRef]]]:
    """The quoted sentences (best first) and, per quoted sentence index, its near-duplicate copies.

    Up to ``MAX_QUOTES`` sentences no more than ``RELATIVE_FLOOR`` below the best, skipping
    overlaps and near-duplicates (whose articles are recorded as copies). A question naming
    several articles (``facets``, :func:`rag.retrieval.facets.question_facets`) first takes the
    best sentence of each named article not yet quoted; yes/no and comparison questions then take
    one sentence per article (outlets the question names first). Both stay within
    ``SECOND_ARTICLE_FLOOR`` of the best.

    ``question_keys`` are :func:`rag.answer.matching.question_match_keys`; with
    ``question_script`` given, a sentence in the other script is matched through the cross-script
    name and number keys too (an Arabic report naming «أوسييك» shares a word with "Osijek"), one in
    the question's script by its words alone.
    """
    picked: list[ScoredSentence] = []
    copies: dict[int, list[SourceRef]] = {}
    best = scored[0].score

    def admit(cand: ScoredSentence, filler: bool = False) -> bool:
        if any(p.passage == cand.passage and p.start < cand.end and cand.start < p.end for p in picked):
            return False
        dup = next((i for i, p in enumerate(picked) if near_duplicate_texts(p.text, cand.text)), None)
        if dup is not None:
            owner = passages[picked[dup].passage].chunk.article_id
            article = passages[cand.passage].chunk.article_id
            refs = copies.setdefault(dup, [])
            if article != owner and all(r.article_id != article for r in refs):
                refs.append(source_ref(passages[cand.passage].chunk))
            return False
        if filler and restates(cand, picked):
            return False  # another passage's edited copy of a quoted sentence: a slot that shows nothing new
        picked.append(cand)
        return True

    admit(scored[0])
    used: set[int] = set()  # picked sentences already standing for a facet
    for facet in facets:  # a question naming several articles: a sentence of each first
        if len(picked) >= MAX_QUOTES:
            break
        fits = [i for i, p in enumerate(picked) if i not in used and facet.fits(passages[p.passage].chunk)]
        if not fits:
            quoted = {passages[p.passage].chunk.article_id for p in picked}
            cand = next(
                (
                    c
                    for c in scored[1:]
                    if facet.fits(passages[c.passage].chunk)
                    and passages[c.passage].chunk.article_id not in quoted
                    and not c.header
                    and not is_planted(c.text)
                    and c.score >= best - SECOND_ARTICLE_FLOOR
                ),
                None,
            )
            if cand is not None and admit(cand):
                fits = [len(picked) - 1]
        used.update(fits[:1])
    if kind in TWO_SIDED_KINDS:
        # one sentence per article first: the question is about two (or more) of them; articles
        # of an outlet the question names ("the TechCrunch article … and The Verge's …") first
        named = [c for c in scored[1:] if names_outlet(question_keys, passages[c.passage].chunk.source)]
        for cand in [*named, *(c for c in scored[1:] if c not in named)]:
            if len(picked) >= MAX_QUOTES:
                break
            if cand.score < best - SECOND_ARTICLE_FLOOR:
                continue
            quoted = {passages[p.passage].chunk.article_id for p in picked}
            if passages[cand.passage].chunk.article_id not in quoted and not cand.header:
                admit(cand)
    top_article = passages[scored[0].passage].chunk.article_id
    for cand in scored[1:]:
        if len(picked) >= MAX_QUOTES or cand.score < best - RELATIVE_FLOOR:
            break
        if cand in picked or cand.header:  # a headline only ever leads, when nothing beats it
            continue
        if is_planted(cand.text):
            continue  # planted instructions and source lists never fill a slot
        other = passages[cand.passage].chunk.article_id != top_article
        cross = question_script is None or script_of(cand.text) != question_script
        if (
            other
            and cand.score < best - OTHER_ARTICLE_FLOOR
            and not sentence_match(question_keys, cand.text, cross)
        ):
            continue  # another article's sentence that shares no word with the question: unrelated
        admit(cand, filler=True)
    return picked, carried_copies(picked, copies, passages)


RESTATED_SHARE = 0.7
"""Share of a filler sentence's content keys that, when found in one quoted sentence of another
passage, make it a restatement (:func:`restates`)."""


def restates(cand: ScoredSentence, picked: Sequence[ScoredSentence], share: float = RESTATED_SHARE) -> bool:
    """True when ``cand`` restates a sentence of ``picked`` from another passage: ``share`` or more
    of its content keys are that sentence's, and so is every number it holds.

    Wiki and news archives carry the same article twice with small edits (a parenthetical added,
    «هي» for «هو»), which :func:`rag.answer.sources.near_duplicate_texts` does not merge, and the
    copy then fills a quote slot with words already shown (ARCD DEV: 22 of the second and third
    quotes, none holding the answer). A changed figure is news ("rose 12 %" beside "rose 8 %"),
    and so is a sentence of the *same* passage (a list restated with the next month's figure):
    both stay candidates.
    """
    keys = content_keys(cand.text)
    numbers = _figures(cand.text)
    return bool(keys) and any(
        p.passage != cand.passage
        and len(keys & content_keys(p.text)) >= share * len(keys)
        and numbers <= _figures(p.text)
        for p in picked
    )


def _figures(text: str) -> set[str]:
    return {w for w in fold_for_duplicates(text) if any(ch.isdigit() for ch in w)}


def carried_copies(
    picked: Sequence[ScoredSentence], copies: dict[int, list[SourceRef]], passages: Sequence[Retrieved]
) -> dict[int, list[SourceRef]]:
    """``copies`` without the articles that do not carry *every* sentence quoted from the owner.

    A copy is found through one quoted sentence, but the owner's citation may quote two
    (``more_quotes``), and the copy may have changed the other one ("rose 8 %" / "rose 12 %"):
    listing it in ``also_in`` would say it carried a figure it does not. A copy is kept only when,
    for each sentence quoted from the owner's article, one of the copy's passages read holds a
    near-duplicate (:func:`rag.answer.sources.near_duplicate_texts`); a copy whose passage lacks
    that part of the story cannot be vouched for and is left out.
    """
    out: dict[int, list[SourceRef]] = {}
    for i, refs in copies.items():
        owner = passages[picked[i].passage].chunk.article_id
        quoted = [p.text for p in picked if passages[p.passage].chunk.article_id == owner]
        kept = []
        for ref in refs:
            sentences = [
                r.chunk.text[a:b]
                for r in passages
                if r.chunk.article_id == ref.article_id
                for a, b in sentence_spans(r.chunk.text)
            ]
            if all(any(near_duplicate_texts(q, s) for s in sentences) for q in quoted):
                kept.append(ref)
        if kept:
            out[i] = kept
    return out
