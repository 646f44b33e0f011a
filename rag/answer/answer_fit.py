"""How well a sentence can answer a question by its candidates: a news lede that only restates the
topic against the detail sentence that holds the asked fact (issue 12).

One job: :func:`answer_fit` grades a sentence for a question as :data:`FIT_NONE`, :data:`FIT_TYPE`
(a candidate of the expected answer type, :mod:`rag.answer.answer_types`) or :data:`FIT_ASKED`
(one of the asked attribute: the asked unit, counted noun, duration grain, date granularity, or a
name of the asked kind). :func:`rag.answer.quotes.lead_with_asked_fact` promotes by it; the
relevance check (:mod:`rag.answer.relevance`) reads :func:`is_person_noun`.
"""

from __future__ import annotations

import re

from rag.answer.agents import agent_in, asked_relation
from rag.answer.answer_types import (
    AR_Q,
    DIGIT,
    ENTITY_KINDS,
    VAGUE_ATTRIBUTES,
    WEEKDAYS,
    WIRE_DATELINE,
    YEAR,
    Candidate,
    asked_measure,
    candidate_measure,
    date_candidates,
    in_question,
    name_candidates,
    quantity_candidates,
)
from rag.answer.count_nouns import (
    GENERIC_PEOPLE,
    counterparts,
    marked,
    people_marks,
    person_kinds,
    same_stem,
    stem,
)
from rag.answer.demonyms import describes_next_name
from rag.answer.roles import asked_role, name_after_role
from rag.answer.span_shapes import asks_score, class_named, has_score
from rag.answer.span_words import sentence_words
from rag.text.normalize import embedding_text
from rag.text.sentences import normalize

FIT_NONE, FIT_TYPE, FIT_ASKED = 0, 1, 2
""":func:`answer_fit` levels: no candidate; a candidate of the expected type; one of the asked
attribute (unit, counted noun, date granularity, a name the question lacks)."""

_COUNTED_EN = re.compile(r"\bhow many ((?:[a-z][\w'-]* ?){1,3})|\bnumber of ((?:[a-z][\w'-]* ?){1,3})")
_COUNTED_AR = re.compile(rf"{AR_Q}(?:كم|بكم|عدد)\s+((?:[\w]+\s*){{1,2}})")
_COUNT_STOP = VAGUE_ATTRIBUTES | frozenset(["the", "a", "an", "of", "new", "ال", "من", "في", "عدد"])
_YEAR_QUESTION = re.compile(
    r"\b(?:what|which|in what|in which) (?:year|decade|century)\b|(?:^|\s)(?:في )?اي (?:عام|سنه|قرن|عقد)\b"
    r"|(?:^|\s)(?:ما|ماهو|ماهي|ما هو|ما هي) (?:هو |هي )?(?:ال)?(?:عام|سنه|سنوات|قرن|عقد)\b"
)
_TIME_QUESTION = re.compile(r"\bwhat (?:time|hour)\b|(?:^|\s)(?:في )?اي ساعه\b|(?:^|\s)الساعه كم\b")
_CLOCK = re.compile(rf"{DIGIT}:{DIGIT}{{2}}|{DIGIT}\s*(?:a\.m|p\.m|am|pm)\b", re.IGNORECASE)
_YEAR_IN = re.compile(rf"(?<!{DIGIT})(?:{YEAR})(?!{DIGIT})|century|القرن")
_WEEKDAY_ONLY = re.compile(rf"^(?:[وبفل]?(?:يوم\s+)?)?(?:{WEEKDAYS})$", re.IGNORECASE)


def is_bare_weekday(text: str) -> bool:
    """True for a date that is only a weekday («السبت», «يوم الأحد», "Monday"): it dates nothing
    on its own, and in a news sentence it is the dateline's day ("… said on Saturday")."""
    return bool(_WEEKDAY_ONLY.match(embedding_text(text).strip()))


_LATIN_LETTER = re.compile(r"[A-Za-z]")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")


# Durations by grain, on normalize()d text: "how many years" asks for years, not «يومين».
_GRAINS: dict[str, str] = {
    "year": r"years?|سنه|سنوات|سنين|سنتين|عام|عاما|اعوام|عامين",
    "month": r"months?|شهر|شهرا|اشهر|شهور|شهرين",
    "week": r"weeks?|اسبوع|اسبوعا|اسابيع|اسبوعين",
    "day": r"days?|يوم|يوما|ايام|يومين",
    "hour": r"hours?|ساعه|ساعات|ساعتين",
    "minute": r"minutes?|دقيقه|دقائق|دقيقتين",
}
_GRAIN_WORD = {g: re.compile(rf"(?:^|[\s\d-])(?:{p})(?!\w)") for g, p in _GRAINS.items()}
_ASKED_GRAIN = re.compile(r"\bhow many (\w+)|(?:^|\s)كم (?:من )?(?:ال)?(\w+)")
# "How many years since…", "How long ago…", «منذ متى…»: the question asks for time elapsed; a
# duration written after «منذ»/"since" or before "ago" is one («منذ 24 عاما»), and answers no
# "how long will the visit last?" (the same article's «زيارة تستغرق يومين» does).
_ELAPSED_QUESTION = re.compile(r"\bsince\b|\bago\b|(?:^|\s)(?:منذ|مضي|مضت)(?:\s|$)")
_ELAPSED_BEFORE = re.compile(r"(?:\bsince|(?:^|\s)منذ)\s+(?:\S+\s+)?$")
_ELAPSED_AFTER = re.compile(r"^\s*(?:ago\b|(?:قد\s+)?(?:مضت|مضي|خلت)(?:\s|$))")


def grain(text: str) -> str | None:
    """The time unit of a duration: "year" for "24 years"/«٢٤ عاما»/«عامين», "day" for «يومين»…"""
    norm = normalize(text)
    return next((g for g, p in _GRAIN_WORD.items() if p.search(norm)), None)


def asked_grain(question: str) -> str | None:
    """The time unit a duration question counts in ("How many years…", «كم يوما…»), or None."""
    m = _ASKED_GRAIN.search(normalize(question))
    return grain(next(g for g in m.groups() if g)) if m else None


def _elapsed(sentence: str, c: Candidate) -> bool:
    """True when the duration ``c`` is time elapsed: «منذ 24 عاما», "since …", "24 years ago"."""
    before = normalize(sentence[max(0, c.start - 30) : c.start])
    after = normalize(sentence[c.end : c.end + 20])
    return bool(_ELAPSED_BEFORE.search(before) or _ELAPSED_AFTER.match(after))


def _fits_duration(sentence: str, c: Candidate, question: str) -> bool:
    """A duration candidate fits a duration question when its grain is the one asked (if any) and
    it is an elapsed time only when the question asks for one (:data:`_ELAPSED_QUESTION`)."""
    asked = asked_grain(question)
    if asked and grain(c.text) != asked:
        return False
    return not _elapsed(sentence, c) or bool(_ELAPSED_QUESTION.search(normalize(question)))


# What kind of thing a Latin name is, by its last word or the title/role word before it. Sources:
# the usual company-suffix and honorific lists of named-entity gazetteers (closed lists, English).
_ORG_WORDS_TEXT = """inc ltd llc plc corp corporation co company companies group holdings motors airlines
    airways bank fund capital ventures partners industries technologies systems shipping logistics
    builders construction energy media press wire news times post herald gazette journal council
    ministry agency authority commission committee department university college institute
    foundation trust association union federation league club fc united party court parliament
    board services network studios labs foods electric telecom brothers bros"""
_ORG_WORDS = frozenset(_ORG_WORDS_TEXT.split())
_PERSON_TITLES_TEXT = """mr mrs ms miss dr sir dame lord lady prof professor captain capt colonel general
    sergeant mayor president governor senator minister judge chief superintendent inspector detective
    officer councillor coach father rev"""
_PERSON_TITLES = frozenset(_PERSON_TITLES_TEXT.split())
_ROLES_TEXT = """executive director librarian secretary minister mayor president spokesman spokeswoman
    spokesperson coach manager governor councillor head leader founder chairman chairwoman chair
    officer commissioner judge senator professor player striker midfielder goalkeeper singer author
    writer actor actress captain winner engineer doctor nurse teacher lawyer analyst economist
    researcher scientist official resident mother father wife husband son daughter brother sister"""
_ROLES = frozenset(_ROLES_TEXT.split()) | _PERSON_TITLES


def name_kind(sentence: str, c: Candidate) -> str | None:
    """ "organisation", "person" or None (unknown) for a Latin name candidate of ``sentence``.

    An organisation's name ends in a company or institution word ("Vortex Motors", "Kestrel
    Builders", "Bank of England"); a person's starts with a title ("Mayor Ann Lee") or follows a
    role word ("librarian Sofia Marques", "secretary, Mark Ellis"). Anything else is unknown and
    fits either kind of question.
    """
    words = [w.rstrip(".").lower() for w in c.text.split()]
    if words[-1] in _ORG_WORDS or (len(words) > 2 and words[0] in _ORG_WORDS and words[1] == "of"):
        return "organisation"
    before = re.findall(r"[A-Za-z]+", sentence[max(0, c.start - 40) : c.start])[-2:]
    if words[0] in _PERSON_TITLES or any(w.lower() in _ROLES for w in before):
        return "person"
    return None


def is_person_noun(word: str) -> bool:
    """True for a noun counting people («المصابين», "fans", «شخصا»): one of a kind of people
    (:func:`rag.answer.count_nouns.person_kinds`)."""
    return bool(person_kinds(word))


# An English counted phrase ends at its verb: "How many people were forced from…" counts people, not
# "forced"; "How many aid trucks entered Gaza…" counts trucks (newcomer check, session 6).
_AUXILIARIES_TEXT = "were was are is be been did do does has have had will would can could may"
_EN_AUXILIARIES = frozenset(_AUXILIARIES_TEXT.split())

# Irregular past forms a news question puts after its counted noun ("How many workers built the
# plant?" counts workers, not "built"; second newcomer check, session 7): the regular ones end the
# phrase by their "-ed"
_IRREGULAR_PAST_TEXT = """built made took won saw ran paid sold left brought bought went came gave held
    led lost hit
    set put got found met kept spent sent told said thought caught fought taught drove wrote rose
    fell flew grew knew threw began chose broke spoke stole wore bore beat ate heard felt stood
    shot fled fed read became struck sank swam sang drank rang hung dug shut cut quit split spread
    overcame undertook withdrew"""
_EN_IRREGULAR_PAST = frozenset(_IRREGULAR_PAST_TEXT.split())


def _counted_phrase(words: list[str], english: bool) -> list[str]:
    """The words of a counted phrase: English up to an auxiliary or a past form after the first
    word (:data:`_EN_IRREGULAR_PAST` for "built", "won"…); stop words left out, except nouns for
    people ("people" is vague as an attribute but is what "how many people" counts)."""
    if english:
        kept: list[str] = []
        for w in words:
            if w in _EN_AUXILIARIES or (
                kept and (w in _EN_IRREGULAR_PAST or (w.endswith("ed") and len(w) > 4))
            ):
                break
            kept.append(w)
        words = kept
    return [w for w in words if len(w) > 1 and (w not in _COUNT_STOP or is_person_noun(w))]


def counted_words(question: str) -> frozenset[str]:
    """Stems of the words a "how many"/«كم» question counts: {"firefight"…} for "How many
    firefighters…", {"peopl"} for "How many people were forced…", {عياد, خصصت} for «كم عيادة
    خصصت…» (the first two or three words after the interrogative, stop words left out; an English
    phrase ends at its verb, an Arabic verb is harmless: it rarely stands after a number)."""
    text = normalize(question)
    out: set[str] = set()
    for pattern, english in ((_COUNTED_EN, True), (_COUNTED_AR, False)):
        for m in pattern.finditer(text):
            words = next(g for g in m.groups() if g).split()
            out.update(stem(w) for w in _counted_phrase(words, english))
    return frozenset(w for w in out if len(w) >= 3)


_EN_COUNTED_VERB = re.compile(
    r"\bhow many (?:[a-z][\w'-]* ){1,3}?(?:were|was|are|is|have been|had been|has been|got|get|will be)\s+"
    r"(?:\w+ly\s+)?([a-z]{3,}(?:ed|en|ted))\b"
)
# «كم عدد الحجاج الذين وقفوا على عرفات؟»: the people counted by the verb of their relative clause
_AR_COUNTED_VERB = re.compile(
    rf"{AR_Q}(?:كم|ما)\s+(?:عدد\s+)?(?:ال)?\w+\s+(?:الذين|اللواتي|اللاتي)\s+(\w{{3,}})"
)
VERB_NEAR_WORDS = 4
"""Words on either side of a number within which the counted verb must stand."""


def counted_verb(question: str) -> str | None:
    """The stem of the participle an English count question qualifies its noun by: "kill" in "How
    many people were killed…", "forc" in "How many people were forced from…"; the Arabic relative
    clause's verb, «وقفوا» in «كم عدد الحجاج الذين وقفوا…» (None without one)."""
    m = _EN_COUNTED_VERB.search(normalize(question))
    if m:
        return stem(m.group(1))
    m = _AR_COUNTED_VERB.search(normalize(question))
    return m.group(1) if m else None


def _ar_verb_forms(word: str) -> frozenset[str]:
    """Rough forms of an Arabic verb for comparing a question's «وقفوا» with a sentence's «وقف»:
    with and without a leading «و/ف» (a conjunction or the first root letter) and a plural or
    feminine ending («وا», «ون», «ت», «ن»)."""
    w = normalize(word)
    bases = {w, w[1:]} if len(w) > 3 and w[0] in "وف" else {w}
    return frozenset(re.sub(r"(?:وا|ون|ين|ت|ن)$", "", b) if len(b) > 3 else b for b in bases)


def _verb_near(sentence: str, c: Candidate, verb: str) -> bool:
    before = re.findall(r"[^\W\d_][\w'’-]*", sentence[: c.start])[-VERB_NEAR_WORDS:]
    after = re.findall(r"[^\W\d_][\w'’-]*", sentence[c.end :])[:VERB_NEAR_WORDS]
    if _ARABIC_LETTER.search(verb):
        forms = _ar_verb_forms(verb)
        return any(_ar_verb_forms(w) & forms for w in before + after)
    return any(same_stem(stem(w.lower()), verb) for w in before + after)


def counted_head(question: str) -> str | None:
    """The stem of the noun a "how many"/«كم» question counts — English: the last word before "of"
    or the verb ("speci" in "How many species of trees…": the trees are what the species are of;
    "truck" in "How many aid trucks entered…": English puts the head noun last), Arabic: the first
    counted word («عائل» in «كم عدد العائلات التي…») — or None."""
    text = normalize(question)
    for pattern, english in ((_COUNTED_EN, True), (_COUNTED_AR, False)):
        m = pattern.search(text)
        if m:
            raw = next(g for g in m.groups() if g).split()
            if english and "of" in raw:
                raw = raw[: raw.index("of")]
            words = _counted_phrase(raw, english)
            head = words[-1] if english and words else (words[0] if words else None)
            return stem(head) if head and len(stem(head)) >= 3 else None
    return None


def across_languages(question: str) -> frozenset[str]:
    """Stems of the question's counted noun (:func:`counted_head`) in the other language
    (:func:`rag.answer.count_nouns.counterparts`): only the head noun, so "How many species of
    trees…" does not count «390 بليون شجرة» (DEV en→ar)."""
    head = counted_head(question)
    return counterparts(head) if head else frozenset()


def holds_count(text: str, nouns: frozenset[str]) -> bool:
    """True when ``text`` holds a number counted in one of ``nouns`` (stems, e.g.
    :func:`across_languages`): «وحضر المباراة نحو 45 ألف متفرج» for "spectators"."""
    return bool(nouns) and any(_counts(text, c, frozenset(), nouns) for c in quantity_candidates(text))


def counted_across(candidate: str, question: str) -> bool:
    """True when a quantity candidate's words («37 عائلة», "12 families") hold the question's
    counted noun as written in the other language (:func:`rag.answer.count_nouns.counterparts`):
    the figure counts what was asked, as a candidate sharing the question's own noun does."""
    targets = across_languages(question)
    return bool(targets) and any(
        same_stem(stem(w), t) for w in re.findall(r"[^\W\d_][\w'’-]*", candidate) for t in targets
    )


def _counts(
    sentence: str,
    c: Candidate,
    stems: frozenset[str],
    across: frozenset[str] = frozenset(),
    verb: str | None = None,
) -> bool:
    """True when one of the three words after (or in) the number ``c`` is a counted word or the
    counted noun in the other language (``across``, :func:`across_languages`: "families" ↔ «37
    عائلة»), or, when the question counts people, a noun for the kind of people it counts
    (:func:`counts_asked_people`)."""
    people = counts_asked_people(sentence, c, stems)
    if people is not None:
        # people counted by what befell them ("how many people were killed"): the verb stands
        # near the number, before or after it ("forced 12,400 people", "14 people were killed");
        # "230 people injured" is no count of the killed
        return people and (not verb or _verb_near(sentence, c, verb))
    words = re.findall(r"[^\W\d_][\w'’-]*", sentence[c.start :])[:4]
    return any(any(same_stem(s, t) for t in stems | across) for s in (stem(w) for w in words))


def counts_asked_people(sentence: str, c: Candidate, stems: frozenset[str]) -> bool | None:
    """Whether the number ``c`` counts the kind of people the question counts, or None when the
    question's counted words (``stems``, :func:`counted_words`) are no noun for people or no noun
    for people follows the number (within the three words after it).

    News counts people under many names, so a question counting people in general ("How many
    people…", «كم شخصا…») takes a number of any kind ("21,000 spectators", «إصابة 14 شخصا»); a
    question counting one kind ("passengers", «الركاب») needs a number of that kind
    (:func:`rag.answer.count_nouns.person_kinds`: "fans" and "spectators" are one kind), or, for
    what befell people (the injured, the dead), a number of people with its mark near («إصابة 14
    شخصا» for «كم عدد المصابين»): "22 crew members" is no count of passengers (newcomer check,
    session 6).
    """
    asked = frozenset(k for t in stems for k in person_kinds(t))
    words = re.findall(r"[^\W\d_][\w'’-]*", sentence[c.start :])[:4]
    found = frozenset(k for w in words for k in person_kinds(w))
    if not asked or not found:
        return None
    specific = asked - {GENERIC_PEOPLE}
    if not specific or specific & found:
        return True
    marks = people_marks(specific)
    before = re.findall(r"[^\W\d_][\w'’-]*", sentence[: c.start])[-VERB_NEAR_WORDS:]
    return bool(marks) and any(marked(w, marks) for w in before + words)


def counts_other_people(sentence: str, c: Candidate, question: str) -> bool:
    """True when ``question`` counts one kind of people and the number ``c`` counts another kind
    (:func:`counts_asked_people` is False): "22 crew members" for "How many passengers…"."""
    return counts_asked_people(sentence, c, counted_words(question)) is False


# A price paid per use (a fare, a fee, a ticket, a toll) against what a project costs: «بطول ٢١
# كيلومتراً وبكلفة ١٧٠ مليون دينار» is no fare («أجرة الرحلة … ٨٥ قرشاً» is; newcomer check, session 6).
_PRICE_OF_USE = re.compile(
    r"\b(?:fares?|fees?|tolls?|tickets?|admission)\b|(?:^|\s)(?:ال)?(?:اجره|اجور|تعرفه|رسوم|تذكره|تذاكر)(?:\s|$)"
)
_COST_BEFORE = re.compile(
    r"(?:\b(?:cost|costs|costing|budget|invest|investment|worth|funding|financed)\b(?:\s+\w+){0,2}\s*$)"
    r"|(?:(?:^|\s)[وب]*(?:ال)?(?:كلفه|تكلفه|ميزانيه|استثمار|استثمارات|تمويل)(?:\s+\S+){0,2}\s*$)"
)


# Indices given in percent, in either language: "What was the inflation…?" is not answered by the
# policy rate's percent in the sentence before (newcomer check, session 6).
_INDICES: dict[str, re.Pattern[str]] = {
    "inflation": re.compile(r"\binflation\b|(?:^|\s)(?:ال|لل|بال)?تضخم"),
    "unemployment": re.compile(r"\b(?:unemployment|jobless)\b|(?:^|\s)(?:ال|لل|بال)?بطاله"),
    "interest": re.compile(
        r"\b(?:policy|interest|key|benchmark|main|lending|deposit) rates?\b|(?:^|\s)(?:ال|لل|بال)?فايده"
    ),
    "growth": re.compile(r"\bgrowth\b|\bgdp\b|(?:^|\s)(?:ال|لل|بال)?نمو(?:\s|$)"),
    "turnout": re.compile(r"\bturnout\b|(?:^|\s)نسبه (?:ال)?(?:مشاركه|اقبال)"),
}


def _indices(text: str) -> frozenset[str]:
    norm = normalize(text).lower()
    return frozenset(k for k, p in _INDICES.items() if p.search(norm))


def _other_index(sentence: str, c: Candidate, question: str) -> bool:
    """True when the question asks an index (:data:`_INDICES`) in percent and the percent ``c``
    belongs to another: its clause (from the previous comma) names an index, none of the asked."""
    asked = _indices(question)
    if not asked or candidate_measure(c.text) != "percent":
        return False
    clause = re.split(r"[,،;؛]", sentence[: c.start])[-1]
    named = _indices(clause)
    return bool(named) and not named & asked


def wrong_measure(sentence: str, c: Candidate, question: str) -> bool:
    """True when the candidate ``c`` has the asked measure's unit but is another quantity: a
    project's cost for a fare (:func:`wrong_amount`), another index's percent (:func:`_other_index`)."""
    return wrong_amount(sentence, c, question) or _other_index(sentence, c, question)


def wrong_amount(sentence: str, c: Candidate, question: str) -> bool:
    """True when the question asks a price paid per use (:data:`_PRICE_OF_USE`) and the money
    amount ``c`` is what something costs (a cost word within three words before it)."""
    if not _PRICE_OF_USE.search(normalize(question).lower()):
        return False
    return bool(_COST_BEFORE.search(normalize(sentence[max(0, c.start - 40) : c.start]).lower()))


# «العقبة، ١٢ آذار ٢٠٢٥ — …»: an Arabic dateline, the place, a comma, the date, a dash
_AR_DATELINE = re.compile(r"^\s*[\u0600-\u06FF ]{2,30}[،,]\s*[^—–\n]{4,30}?\s*[—–]\s")


def dateline_end(sentence: str) -> int:
    """The offset where a wire dateline opening ``sentence`` ends ("KESSA, March 14, 2025 — ",
    «العقبة، ١٢ آذار ٢٠٢٥ — »), 0 when there is none."""
    m = WIRE_DATELINE.match(sentence) or _AR_DATELINE.match(sentence)
    return m.end() if m else 0


_POPULATION_QUESTION = re.compile(
    r"\bpopulation\b|\bhow many (?:people|residents|inhabitants) (?:live|lives|living)\b"
    r"|(?:^|\s)(?:عدد )?(?:ال)?(?:سكان|تعداد)(?:\s|$)"
)
_SETTLED_BEFORE = re.compile(
    r"(?:\b(?:town|city|village|country|island|region|district|population|home to|inhabitants)\b"
    r"|(?:^|\s)[وبل]?(?:ال)?(?:مدينه|بلده|قريه|دوله|جزيره|منطقه|سكان\w*|تعداد|يقطن\w*|يسكن\w*))"
    r"(?:\s+\S+){0,3}\s*$"
)
_SETTLED_AFTER = re.compile(r"^\s*(?:inhabitants|residents|نسمه|ساكن)\b")


_SHARE_QUESTION = re.compile(
    r"\b(?:percent|percentage|proportion|share|fraction)\b|(?:^|\s)(?:ال)?نسبه(?:\s|$)"
    r"|\bhow many times\b|(?:^|\s)كم (?:مره|ضعفا?)(?:\s|$)"
)
"""A share of a population, or how many times it grew («كم مرة تضاعف سكان آسيا…»): not the
population itself."""


_POPULATION_NUMBER = re.compile(
    r"[0-9\u0660-\u0669]|million|thousand|billion|مليون|ملايين|الف|ألف|آلاف|مليار"
)


def asks_population(question: str) -> bool:
    """True for "What is the population of X?", «كم عدد سكان X؟» (not for a share of it: "What
    percentage of Warsaw's population…", «نسبة العرب من سكان…», nor how many times it grew)."""
    text = normalize(question).lower()
    return bool(_POPULATION_QUESTION.search(text)) and not _SHARE_QUESTION.search(text)


def population_figure(sentence: str, c: Candidate) -> bool:
    """True when the number ``c`` is a place's population: a settlement or population word within
    three words before it ("a town of about 85,000 people", «يبلغ عدد سكانها ٣٠٠ ألف») or
    "inhabitants"/«نسمة» after it; "9,000 people fled" is no population."""
    if not _POPULATION_NUMBER.search(c.text):
        return False  # "two extended families" is no population
    before = normalize(sentence[max(0, c.start - 50) : c.start]).lower()
    after = normalize(sentence[c.start :]).lower()
    after = re.sub(r"^[\d\u0660-\u0669.,٫٬]+\s*(?:الف|مليون|مليار|thousand|million|billion)?", "", after)
    return bool(_SETTLED_BEFORE.search(before) or _SETTLED_AFTER.match(after))


def _opener(sentence: str, c: Candidate, dateline: re.Match[str] | None) -> bool:
    """True when the one-word name ``c`` opening ``sentence`` is only capitalised by its place: it
    follows a wire dateline, or a role word follows it ("Head librarian …")."""
    following = re.match(r"\s+([a-z]+)", sentence[c.end :])
    return dateline is not None or bool(following and following.group(1) in _ROLES)


# A rank the question asks by ("Who finished second…?", "the third-placed team"): a name in a
# sentence without that rank is another finisher's (the winner's, in a race report's lede).
_RANK = re.compile(
    r"\b(second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|runner-up)\b", re.IGNORECASE
)


def _lacks_asked_rank(sentence: str, question: str) -> bool:
    """True when ``question`` asks for a rank (:data:`_RANK`) or a division (:func:`divisions`)
    that ``sentence`` does not state."""
    asked = {m.lower() for m in _RANK.findall(question)}
    if asked and not asked & {m.lower() for m in _RANK.findall(sentence)}:
        return True
    wanted = divisions(question) if _ASKS_DIVISION.search(normalize(question).lower()) else frozenset()
    return bool(wanted) and not wanted & divisions(sentence)


# A competition's division, in either language: "Who won the women's race…?" is not answered by the
# lede's overall (men's) winner (newcomer check, session 6). Sources: the divisions sports news
# names; «السيدات»/«النساء» are the women's events, «الرجال» the men's, «الناشئين» the juniors'.
_DIVISIONS: dict[str, re.Pattern[str]] = {
    "women": re.compile(
        r"\b(?:women|womens|ladies|female)\b|(?:^|\s)(?:[بل]?ال|لل)?(?:سيدات|نساء|ناشئات)(?:\s|$)"
    ),
    "men": re.compile(r"\b(?:men|mens|male)\b|(?:^|\s)(?:[بل]?ال|لل)?رجال(?:\s|$)"),
    "junior": re.compile(
        r"\b(?:junior|juniors|youth|under-\d+|u-?\d{2})\b|(?:^|\s)(?:[بل]?ال|لل)?(?:ناشئين|شباب)(?:\s|$)"
    ),
}


_EVENTS = r"(?:race|event|final|title|tournament|competition|marathon|division|category|team|singles|doubles)"
_ASKS_DIVISION = re.compile(
    rf"\b(?:women|men|ladies)['’]s?\b|\b(?:women|men|junior|youth) {_EVENTS}\b"
    r"|(?:سباق|فئه|بطوله|منافسات|مسابقه|فريق|نهائي|لقب|ماراثون)\s+(?:ال)?(?:سيدات|نساء|رجال|ناشئين|ناشئات|شباب)"
)
"""A question asks for a division only by a possessive or an event noun: "the women's race",
«سباق السيدات»; "Who attacked the men?" names men, no division."""


def divisions(text: str) -> frozenset[str]:
    """The competition divisions ``text`` names: {"women"} for "the women's race", «سباق السيدات»."""
    norm = normalize(text).lower().replace("'s", "s").replace("’s", "s")
    return frozenset(d for d, p in _DIVISIONS.items() if p.search(norm))


_WRONG_NAME_KINDS: dict[str, tuple[str, ...]] = {
    "person": ("organisation",),
    "organisation": ("person",),
    "place": ("person", "organisation"),
}


def answer_fit(sentence: str, kind: str, question: str, question_keys: set[str]) -> int:
    """How well ``sentence`` can answer ``question`` by its candidates (:data:`FIT_ASKED` > FIT_TYPE
    > FIT_NONE), so a news lede that only restates the topic loses to the detail sentence holding
    the asked fact (issue 12):

    - quantity: a number in the asked measure's unit («ما مساحة…» → hectares; "how much damage" →
      money) or followed by the counted noun («كم عيادة» → «سبع عيادات», "how many routes" → "14
      new bus routes") fits the asked attribute; any other number only the type;
    - date: a year for "what year"/«أي عام», a clock time for "what time", otherwise any date but a
      bare weekday (a lede's «يوم الأحد»/"on Sunday" dates the news, not the detail asked);
    - person, place, organisation: a name-like span the question lacks (Latin script only; Arabic
      has no capitals to find names by, so Arabic sentences are FIT_NONE, as are other kinds).

    Args:
        sentence: One sentence.
        kind: The question's expected answer type (:func:`question_type`).
        question: The question.
        question_keys: Its content keys (:func:`rag.text.sentences.content_keys`).
    """
    if kind == "quantity":
        found = [c for c in quantity_candidates(sentence) if not in_question(c.text, question_keys)]
        if not found:
            return FIT_NONE
        measures = asked_measure(question)
        stems = counted_words(question)
        across = across_languages(question)
        verb = counted_verb(question)
        if asks_population(question):
            # "What is the population of Kessa?": the people a place has, not those who fled it
            return FIT_ASKED if any(population_figure(sentence, c) for c in found) else FIT_TYPE
        asked = any(
            (
                measures
                and candidate_measure(c.text) in measures
                and not wrong_measure(sentence, c, question)
                and (candidate_measure(c.text) != "duration" or _fits_duration(sentence, c, question))
            )
            or (stems and _counts(sentence, c, stems, across, verb))
            for c in found
        )
        return FIT_ASKED if asked else FIT_TYPE
    if kind == "date":
        # read without Arabic marks: «الثلاثاءَ» is a bare weekday as «الثلاثاء» is
        found_dates = [c for c in date_candidates(sentence) if not in_question(c.text, question_keys)]
        if not found_dates:
            return FIT_NONE
        # the dateline's date is the report's, not the asked event's ("KESSA, March 14, 2025 —"
        # for "When was the dam built?"): of the type only
        line = dateline_end(sentence)
        dates = [embedding_text(c.text) for c in found_dates if c.start >= line]
        if not dates:
            return FIT_TYPE
        text = normalize(question)
        if _TIME_QUESTION.search(text):
            fitting = [t for t in dates if _CLOCK.search(t)]
        elif _YEAR_QUESTION.search(text):
            fitting = [t for t in dates if _YEAR_IN.search(t)]
        else:
            fitting = [t for t in dates if not _WEEKDAY_ONLY.match(t.strip())]
        return FIT_ASKED if fitting else FIT_TYPE
    if kind in ENTITY_KINDS and _lacks_asked_rank(sentence, question):
        return FIT_NONE
    if kind in ("organisation", "place") and class_named(
        question, sentence, sentence_words(sentence), question_keys
    ):
        return FIT_ASKED  # «… شركة «ميريديام»» for "Which company…?" over an Arabic sentence
    if kind == "other" and asks_score(question):
        # «ما نتيجة مباراة…؟», "What was the score…?": the sentence that writes a score
        return FIT_ASKED if has_score(sentence) else FIT_NONE
    relation = asked_relation(question) if kind in ENTITY_KINDS else None
    if relation is not None and agent_in(sentence, relation, question_keys) is not None:
        return FIT_ASKED  # "Who funded…?": the sentence that names the funder («بتمويل من …»)
    role = asked_role(question) if kind == "person" else None
    if role is not None:
        # asked by a role ("Who is the chief executive…?", «من هو رئيس بلدية…؟»): the name written
        # after that role, in either language, is the asked one; another name only of the type
        if name_after_role(sentence, role, question_keys):
            return FIT_ASKED
        return min(_name_fit(sentence, kind, question_keys), FIT_TYPE)
    return _name_fit(sentence, kind, question_keys)


def _name_fit(sentence: str, kind: str, question_keys: set[str]) -> int:
    """:func:`answer_fit` of a person, place or organisation question by the Latin names of
    ``sentence`` (FIT_NONE for other kinds and for Arabic sentences)."""
    if kind in ENTITY_KINDS and len(_LATIN_LETTER.findall(sentence)) > len(_ARABIC_LETTER.findall(sentence)):
        # the one capitalised word after a wire dateline is capitalised by its place ("DUNMORE -
        # Officials said…"); at the start of a plain sentence it is as often a name ("Greenland
        # signed…", "Students thronged…": DEV XQuAD-en lost such leads when it was left out), unless a
        # role word follows: "Head librarian Sofia Marques", "Fire chief Laurent Dubois"
        dateline = WIRE_DATELINE.match(sentence)
        opening = dateline.end() if dateline else len(sentence) - len(sentence.lstrip())
        names = [c for c in name_candidates(sentence) if not in_question(c.text, question_keys)]
        names = [
            c
            for c in names
            if not (c.start == opening and " " not in c.text and _opener(sentence, c, dateline))
            and not describes_next_name(sentence, c, names)  # "Kenyan runner Peter …": no name
        ]
        # a person question is not answered by a firm's name, nor an organisation question by a
        # person's; a place is neither
        wrong = _WRONG_NAME_KINDS[kind]
        return FIT_ASKED if any(name_kind(sentence, c) not in wrong for c in names) else FIT_NONE
    return FIT_NONE
