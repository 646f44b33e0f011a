"""Expected answer types of questions, and candidates of each type in sentences (Arabic, English).

:func:`question_type` reads the question's wh-phrase (after :func:`rag.text.sentences.normalize`:
lower case, tashkeel removed, ``أ إ آ → ا``, ``ى → ي``, ``ة → ه``) and returns one of
:data:`KINDS`. The rules are the usual wh-word → answer-type table of factoid QA (Li & Roth,
"Learning question classifiers", COLING 2002, coarse classes NUM / LOC / HUM / DESC), with the
Arabic interrogatives (كم، متى، من، أين، لماذا، هل، أي) and the attribute nouns that make «ما …» a
number question (ما عدد، ما مساحة، ما نسبة …).

:func:`candidates` finds spans of a sentence that can answer a question of a kind:

- ``quantity``: a number — ASCII or Arabic-Indic digits (with ``, . ٫ ٬`` separators), or a number
  word («سبع», «ثلاثة آلاف», "twelve", "million") — with the word after it as its unit when that
  word is not a stop word («١٢ هكتاراً», "40 tonnes", «سبع عيادات»), or a percentage;
- ``date``: a year (1000–2099, optionally with «م»/«هـ»), a month name (English, Arabic Gregorian
  and Levantine: «مارس», «آذار», «تشرين الأول») with the day before and the year after it, a
  weekday, a century, a numeric date (``12/05/2023``), a clock time (``4:51``) or "N years ago";
- ``person`` / ``place`` / ``organisation``: a run of capitalised Latin words (a name-like span);
  Arabic script has no capitals, so for Arabic the span finder (:mod:`rag.answer.span`) falls back
  to the words of the sentence that the question does not contain.

Offsets are half-open character offsets into the sentence, so ``sentence[a:b]`` is verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.sentences import content_keys, normalize

KINDS = ("quantity", "date", "person", "place", "organisation", "reason", "yes_no", "comparison", "other")
"""The expected answer types, as stored in :attr:`rag.types.ShortAnswer.kind`."""

ENTITY_KINDS = frozenset({"person", "place", "organisation"})
TYPED_KINDS = frozenset({"quantity", "date"})
"""Kinds whose candidates are found reliably in both scripts (digits, number words, months)."""


@dataclass(frozen=True)
class Candidate:
    """A span of a sentence that could answer a question of ``kind``.

    Attributes:
        start: Offset of the first character in the sentence.
        end: Offset after the last character (half-open).
        text: ``sentence[start:end]``.
        kind: The answer type it satisfies.
    """

    start: int
    end: int
    text: str
    kind: str


# --- question typing (patterns match normalize()d text) -------------------------------------------

_AR_Q = r"(?:^|\s|[-–—:«\"(])"  # an Arabic interrogative starts a word; questions may open with "- "
_AR_ATTR_QUANTITY = (
    r"عدد|مساح|نسب|قيم|مقدار|طول|عرض|ارتفاع|عمق|عمر|سعر|اسعار|تكلف|كلف|حجم|وزن|مسافه|سرع|درج"
    r"|مبلغ|ميزاني|سكان|تعداد|رواتب|راتب|حصه|معدل|كميه"
)
_QUESTION_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        # comparison before yes/no: "هل … ام …", "which of the two", "X or Y?"
        ("comparison", r"\b(?:which|who|what) (?:of (?:the|these) )?(?:two|both)\b|\bor\b.*\?\s*$"),
        ("comparison", rf"{_AR_Q}(?:ايهما|ايهم)\b|{_AR_Q}هل\b.*\sام\s"),
        # a question opening with "who" asks for a person, whatever "when"/"how many" clause follows
        # ("Who was the leader when the Franks entered the valley?")
        ("person", r"^\W*(?:who|whom|whose)\b"),
        ("quantity", r"\bhow (?:many|much|long|old|far|big|large|tall|high|often|deep|wide)\b"),
        (
            "quantity",
            r"\bwhat (?:is |was |were |are )?(?:the )?(?:number|percentage|proportion|share|amount|size"
            r"|population|area|cost|price|value|length|height|rate|total|sum|budget|distance|speed"
            r"|weight|age|capacity)\b",
        ),
        ("quantity", rf"{_AR_Q}(?:كم|بكم|لكم)\b"),
        (
            "quantity",
            rf"{_AR_Q}(?:ما|ماهو|ماهي|ما هو|ما هي|ما هى)\s+(?:هو |هي )?(?:ال)?(?:{_AR_ATTR_QUANTITY})",
        ),
        ("quantity", rf"{_AR_Q}(?:الى|إلى) اي (?:مدى|حد)\b"),
        # a measure asked by its adjective: "what is the heaviest truck allowed", «على أي عمق…»
        ("quantity", r"\bheaviest\b|\b(?:maximum|minimum) (?:load|weight|speed|height|depth)\b"),
        # a rate or price named by what it is of: "What is the exchange rate…", "the ticket price"
        ("quantity", r"\bwhat (?:is|was|are|were) (?:the )?(?:current |new )?[a-z]+ (?:rate|price)\b"),
        # a change asked by its noun: "What pay rise did the workers get?", "What increase…"
        ("quantity", r"\bwhat (?:\w+ )?(?:rise|raise|increase|cut|hike)\b"),
        ("quantity", rf"{_AR_Q}(?:على|الى|إلى|في)? ?اي (?:عمق|ارتفاع|بعد|مسافه|وزن|سرعه)\b"),
        (
            "date",
            r"\bwhen\b|\b(?:what|which|in what|in which) (?:year|years|date|month|day|decade|century|time"
            r" period|era|period|time|hour)\b|\bsince when\b",
        ),
        ("date", rf"{_AR_Q}(?:متي|ومتي)\b|(?:في|فى|خلال|منذ) اي (?:عام|سنه|شهر|يوم|تاريخ|قرن|عقد|فتره|وقت)"),
        ("date", r"^\W*(?:في )?اي (?:عام|سنه|قرن|عقد)\b"),
        # «ما السنة التي…», «ما هو العام الذي…», «ماهو القرن الذي…», «ما السنوات التي…»
        (
            "date",
            rf"{_AR_Q}(?:ما|ماهو|ماهي|ما هو|ما هي) (?:هو |هي )?(?:ال)?(?:تاريخ|عام|سنه|سنوات|قرن|عقد)\b",
        ),
        ("reason", r"\bwhy\b|\bwhat (?:was |is )?(?:the )?(?:reason|cause|purpose)\b|\bfor what reason\b"),
        (
            "reason",
            rf"{_AR_Q}(?:لماذا|ولماذا|لما)\b|(?:ما|ماهو|ما هو) (?:هو )?(?:ال)?(?:سبب|اسباب|هدف|الغرض)",
        ),
        (
            "place",
            r"\bwhere\b|\b(?:what|which|in what|in which) (?:city|country|state|region|place|location"
            r"|continent|province|town|area|county|island|nation)\b",
        ),
        (
            "place",
            rf"{_AR_Q}(?:اين|واين|من اين)\b|{_AR_Q}(?:في|فى|الى|إلى|من|علي)? ?اي (?:مدينه|دوله|بلد|مكان"
            r"|منطقه|قاره|ولايه|جزيره|محافظه|قريه|بلده|حي|شارع"
            # venues: «في أي ملعب أقيمت المباراة؟»
            r"|ملعب|ستاد|استاد|مسرح|قاعه|ساحه|مطار|ميناء|فندق|مستشفي)",
        ),
        ("place", rf"{_AR_Q}(?:ما|ماهي|ما هي) (?:هي )?(?:المدينه|الدوله|البلد|المكان|المنطقه|القاره)\b"),
        (
            "organisation",
            r"\b(?:what|which) (?:company|companies|organi[sz]ation|team|party|university"
            r"|group|agency|club|newspaper|firm|network|band|school|institution|outlet"
            # buyers, backers and makers in business news are firms more often than people
            r"|investor|investors|sponsor|buyer|bidder|lender|backer|supplier|contractor|manufacturer"
            r"|maker|carmaker|airline|bank|fund|insurer|retailer|broadcaster|publisher|startup|brand)\b",
        ),
        (
            "organisation",
            rf"{_AR_Q}(?:اي|ما|ما هي|ماهي) (?:هي )?(?:ال)?(?:شركه|منظمه|فريق|حزب|جامعه|مؤسسه"
            r"|هيئه|وكاله|نادي|صحيفه|جمعيه|فرقه)",
        ),
        (
            "person",
            r"\b(?:who|whom|whose)\b|\b(?:what|which) (?:person|man|woman|player|author|king"
            r"|president|leader)\b",
        ),
        ("person", rf"{_AR_Q}(?:من|ومن|لمن)\s+(?:هو|هي|هم|كان|كانت|الذي|التي|الذين|قام|قامت|صاحب)\b"),
        ("person", r"^\W*(?:من|ومن|لمن)\s"),
        ("yes_no", r"^\W*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|may)\b"),
        ("yes_no", r"^\W*(?:هل|وهل|اهل)\b"),
        # a leading time or source clause, then a yes/no main clause: "Between the report of … and
        # …, was there a change …?", «بعد تقرير … ، هل تغير …؟»
        (
            "yes_no",
            r"^\W*(?:between|after|before|following|since|given|considering|according to|compared to)\b"
            r".*,\s*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would)\s+(?:there|the|it"
            r"|this|that|they|these|those|both|either|its|their)\b",
        ),
        ("yes_no", r"^\W*(?:بين|بعد|قبل|منذ|حسب|وفقا|مقارنه)\b.*[،,]\s*(?:و)?هل\b"),
    )
)


def question_type(question: str) -> str:
    """The expected answer type of ``question`` (one of :data:`KINDS`; "other" when none applies).

    Examples: «كم عيادة افتتحت؟» → quantity, «ما مساحة الحديقة؟» → quantity, «متى ولد؟» → date,
    "Who will head the authority?" → person, «هل …؟» → yes_no, "Which of the two …" → comparison.
    """
    text = normalize(question).strip()
    for kind, pattern in _QUESTION_RULES:
        if pattern.search(text):
            return kind
    return "other"


_ATTRIBUTE_EN = re.compile(
    r"\bhow many ([a-z][\w-]*)|\bwhat (?:is |was |were |are )?(?:the )?(?:total )?"
    r"(?:number|amount|size|share|percentage|proportion) of ([a-z][\w-]*)"
    r"|\bwhat (?:is |was |were |are )?(?:the )?(population|area|budget|capacity|cost|price|salary)\b"
)
FIGURE_ATTRIBUTES = frozenset(
    [
        "population",
        "area",
        "budget",
        "capacity",
        "cost",
        "price",
        "salary",
        "مساحه",
        "سكان",
        "تعداد",
        "ميزانيه",
    ]
)
"""Attributes that name a measure (:func:`asked_attribute`'s "What is the population of…?", «ما
مساحة…»), not a counted thing: a passage answers only when a sentence gives them with a figure."""
_ATTRIBUTE_AR = re.compile(
    rf"{_AR_Q}(?:ما|كم|ماهو|ماهي)\s+(?:هو\s+|هي\s+|يبلغ\s+|بلغ\s+|كان\s+|كانت\s+)?عدد\s+(?:ال)?([\w]+)"
    rf"|{_AR_Q}(?:ما|ماهي|ما هي|ما هى)\s+(?:هي\s+)?(?:ال)?(مساحه|سكان|تعداد|ميزانيه)\b"
)
# Arabic: only «ما/كم عدد X» and «ما مساحة/عدد سكان…»; «كم X» and «ما نسبة X» name a verb, a
# verbal noun or a misspelling as often as the thing counted (DEV: 14 false abstentions of 1,325).
_VAGUE_TEXT = """of the a times time people years year days more less did do does has have had can could
    will would is are was were كان كانت مره مرات يوجد توجد هناك تم
    الذي التي عدد من دام يدوم بلغ يبلغ تبلغ استغرق يستغرق تستغرق"""
_VAGUE_ATTRIBUTES = frozenset(_VAGUE_TEXT.split())


def asked_attribute(question: str) -> str | None:
    """The noun a quantity question asks about: "population" in "What is the population of X?",
    "clinics" in "How many clinics…", «عيادة» in «كم عيادة…», «سكان» in «ما عدد سكان…» (None when
    the question names none, or names a vague one such as "times", «مرة»)."""
    text = normalize(question)
    for pattern in (_ATTRIBUTE_EN, _ATTRIBUTE_AR):
        m = pattern.search(text)
        if m:
            word = next(g for g in m.groups() if g)
            # a unit ("how many pounds") is the measure, not the thing measured
            return None if word in _VAGUE_ATTRIBUTES or candidate_measure(f"1 {word}") else word
    return None


_RATE_OF = re.compile(
    r"\bwhat (?:is|was|are|were) (?:the )?(?:current |latest |new )?([a-z]+) rate\b"
    # «سعر/أسعار X» only: «معدل X» names the change measured as often as its subject («ما معدل
    # التغير السنوي لعدد السكان…», ARCD: a false abstention with «معدل»)
    rf"|{_AR_Q}(?:ما|كم)\s+(?:هو\s+|هي\s+)?(?:ال)?(?:سعر|اسعار)\s+(\w+)"
)


def rate_qualifier(question: str) -> str | None:
    """What a rate or price question is the rate of: «صرف» in «ما سعر صرف الدينار؟», "exchange" in
    "What is the exchange rate…?", «النفط» in «ما سعر النفط؟» (None when it names none)."""
    m = _RATE_OF.search(normalize(question))
    word = next((g for g in m.groups() if g), None) if m else None
    return None if word is None or word in _VAGUE_ATTRIBUTES else word


# --- measures: which unit a quantity question asks for ---------------------------------------------

_UNITS: dict[str, str] = {
    "area": r"hectares?|acres?|square|sq|km2|km²|هكتار\w*|دونم\w*|فدان\w*|مربع\w*|كم2|كم²",
    "length": r"km|kilomet(?:re|er)s?|met(?:re|er)s?|miles?|feet|foot|cm|كيلومتر\w*|كم|متر\w*|ميل\w*|قدم",
    "weight": r"tonnes?|tons?|kg|kilograms?|طن|اطنان|أطنان|كيلوغرام\w*|كغ",
    "money": r"dollars?|euros?|pounds?|riyals?|dinars?|dirhams?|\$|€|£|دولار\w*|يورو|ريال\w*|دينار\w*"
    r"|جنيه\w*|درهم\w*|ليره|ليرة",
    "duration": r"years?|months?|weeks?|days?|hours?|minutes?|seconds?|سنه|سنة|سنوات|عام|عاما|أعوام|اعوام|شهر"
    r"|اشهر|أشهر|يوم|ايام|أيام|ساعه|ساعة|ساعات|دقيقه|دقيقة|دقائق|ثانيه|ثانية|ثوان|اسبوع|أسبوع|اسابيع"
    # Arabic duals are a number and a unit in one word: «يومين» (two days), «عامين», «ساعتين»
    r"|يومين|عامين|سنتين|شهرين|ساعتين|اسبوعين|أسبوعين|دقيقتين",
    "percent": r"%|٪|percent|بالمئه|بالمئة|المئه|المئة|بالمائه|بالمائة",
}
_UNIT_PATTERNS = {m: re.compile(rf"(?:^|[\s\d-])(?:{u})(?!\w)", re.IGNORECASE) for m, u in _UNITS.items()}
_MEASURE_RULES: tuple[tuple[frozenset[str], re.Pattern[str]], ...] = tuple(
    (frozenset(ms.split()), re.compile(p))
    for ms, p in (
        # "What pay rise…": a rise is given in percent or in money
        ("percent money", r"\bwhat (?:\w+ )?(?:rise|raise|increase|cut|hike)\b"),
        ("percent", r"\bpercent|\bproportion\b|(?:^|\s)(?:ال)?نسبه\b"),
        ("area", r"\bhow (?:big|large)\b|\barea\b|(?:^|\s)(?:ال)?مساح"),
        ("weight", r"\bhow heavy\b|\bheaviest\b|\bweigh|\bload\b|(?:^|\s)(?:ال)?(?:وزن|حموله)"),
        (
            "money",
            r"\bcost|\bprice|\bspen[dt]\b|\bpaid\b|\bpay\b|\bworth\b|\bbudget|\bhow much money\b"
            r"|\bhow much (?:damage|loss|losses)\b"
            r"|\bhow much (?:\w+ )*(?:raise|raised|donate|donated|lose|lost)\b"
            r"|(?:^|\s)(?:بكم|(?:ال|س)?(?:تكلف|كلف|سعر|ميزاني|قيمه|ثمن))",
        ),
        (
            "duration",
            r"\bhow many (?:years|months|weeks|days|hours|minutes|seconds)\b"
            r"|\bhow long (?:did|does|do|will|would|has|have|had|was|is)\b"
            r"|(?:^|\s)(?:كم (?:من الوقت|سنه|عاما|عام|شهرا|شهر|يوما|يوم|ساعه|دقيقه)|(?:ال)?مده)\b",
        ),
        (
            "length",
            r"\bhow (?:far|tall|high|deep|wide|long)\b|\blength\b|\bdistance\b"
            r"|(?:^|\s)(?:ال)?(?:طول|مسافه|ارتفاع|عمق|عرض)\b",
        ),
    )
)


def asked_measure(question: str) -> frozenset[str]:
    """What a quantity question measures: {"area"} for «ما مساحة…»/"how big", {"weight"} for "how
    heavy"/"weight limit", {"money"}, {"duration"}, {"length"}, {"percent"}; empty when it only
    counts ("how many clinics") or names no measure."""
    text = normalize(question)
    for measures, pattern in _MEASURE_RULES:
        if pattern.search(text):
            return measures
    return frozenset()


def candidate_measure(text: str) -> str | None:
    """The measure of a quantity candidate by its unit ("12 hectares" → "area"), or None."""
    for measure, pattern in _UNIT_PATTERNS.items():
        if pattern.search(text):
            return measure
    return None


# --- candidates in sentences (patterns match the original text; offsets stay verbatim) ------------

_DIGIT = r"[0-9\u0660-\u0669\u06F0-\u06F9]"
_NUMBER = rf"{_DIGIT}+(?:[.,\u066B\u066C]{_DIGIT}+)*"
_AR_NUMBER_WORDS = (
    "واحد|واحدة|اثنان|اثنين|اثنتان|اثنتين|ثلاث|ثلاثة|أربع|أربعة|اربع|اربعة|خمس|خمسة|ست|ستة|سبع|سبعة"
    "|ثمان|ثماني|ثمانية|تسع|تسعة|عشر|عشرة|عشرون|عشرين|ثلاثون|ثلاثين|أربعون|أربعين|خمسون|خمسين|ستون|ستين"
    "|سبعون|سبعين|ثمانون|ثمانين|تسعون|تسعين|مئة|مائة|مئتان|مئتين|مائتي|ألف|آلاف|الف|ألفين|مليون|ملايين"
    "|مليار|مليارات|بليون|نصف|ربع|ثلث|عشرات|مئات|آلاف|عدة|ثمانون|مرتين|مرتان|فريقين|عامين|سنتين|يومين"
    "|شهرين|ساعتين|مليونين|ضعفين|ضعف|أضعاف|اضعاف"
)
_EN_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    "|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|hundreds"
    "|thousand|thousands|million|millions|billion|billions|trillion|dozen|dozens|half|quarter|twice"
    "|once|single|double|triple"
)
_WORDCHAR = r"\w"
_NUMBER_TOKEN = re.compile(
    rf"(?<!{_WORDCHAR})(?:{_NUMBER}|(?:[وبل]?(?:ال)?(?:{_AR_NUMBER_WORDS}))|(?:{_EN_NUMBER_WORDS}))(?!{_WORDCHAR})",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"^\s*(?:%|٪|في ?الم[ئا]ة|بالم[ئا]ة|percent\b|per cent\b)")
_UNIT_WORD = re.compile(r"^(?:\s+|-)([^\W\d_][\w\u0600-\u06FF'’-]*)")

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
    "|يناير|فبراير|مارس|أبريل|ابريل|إبريل|مايو|يونيو|يونيه|يوليو|يوليه|أغسطس|اغسطس|سبتمبر|أكتوبر|اكتوبر"
    "|نوفمبر|ديسمبر|كانون الثاني|شباط|آذار|اذار|نيسان|أيار|ايار|حزيران|تموز|آب|أيلول|ايلول"
    "|تشرين الأول|تشرين الاول|تشرين الثاني|كانون الأول|كانون الاول"
    "|محرم|صفر|ربيع الأول|ربيع الثاني|جمادى الأولى|جمادى الآخرة|رجب|شعبان|رمضان|شوال|ذو القعدة|ذو الحجة"
)
_WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    "|الاثنين|الإثنين|الثلاثاء|الأربعاء|الاربعاء|الخميس|الجمعة|السبت|الأحد|الاحد"
)
# «الخامسِ من حزيران», «في الحادي عشر من أيار»: an ordinal day before the month (tashkeel allowed)
_AR_ORDINAL_DAY = (
    r"(?:ال)?(?:اول|أول|ثاني|ثالث|رابع|خامس|سادس|سابع|ثامن|تاسع|عاشر|حادي)[\u064B-\u0652]*"
    r"(?:\s+(?:عشر|والعشرين|والعشرون|والثلاثين)[\u064B-\u0652]*)?\s+(?:من\s+)?"
)
_YEAR = rf"(?:1[0-9]|20){_DIGIT}{{2}}|[\u0661][\u0660-\u0669]{{3}}|\u0662\u0660[\u0660-\u0669]{{2}}"
_DATE = re.compile(
    rf"(?<!{_WORDCHAR})(?:"
    rf"(?:{_DIGIT}{{1,2}}\s+|{_AR_ORDINAL_DAY})?(?:[وبفل]?(?:{_MONTHS}))(?:\s+{_DIGIT}{{1,2}})?(?:,?\s+(?:عام\s+|سنة\s+)?(?:{_YEAR}))?"
    rf"|{_DIGIT}{{1,2}}[/.-]{_DIGIT}{{1,2}}[/.-]{_DIGIT}{{2,4}}"
    rf"|(?:the\s+)?{_DIGIT}{{1,2}}(?:st|nd|rd|th)\s+century|القرن\s+(?:ال)?[\w\u0600-\u06FF]+"
    rf"|(?:(?:عام|سنة|year)\s+)?(?:{_YEAR})(?:s|\s*(?:م|هـ|ه)(?!{_WORDCHAR}))?"
    rf"|(?:(?:عام|سنة)\s+)?{_DIGIT}{{1,4}}\s*(?:ق\.\s?م|ق م|قبل الميلاد|BC|BCE|AD|CE)(?!{_WORDCHAR})"
    rf"|(?:{_WEEKDAYS})"
    rf"|{_DIGIT}{{1,2}}:{_DIGIT}{{2}}(?:\s*(?:a\.?m\.?|p\.?m\.?|صباحا|مساء))?"
    rf"|{_DIGIT}{{1,2}}\s*(?:a\.m\.|p\.m\.|am|pm)"
    rf"|(?:{_NUMBER}|[\w]+)\s+(?:million\s+|billion\s+)?years?\s+ago"
    rf")(?!{_WORDCHAR})",
    re.IGNORECASE,
)
_LATIN_WORD = re.compile(r"[A-Za-z\u00C0-\u024F][\w'’.-]*")
_NOT_NAMES = frozenset(_MONTHS.split("|")[:21] + _WEEKDAYS.split("|")[:7])
_CONNECTORS_TEXT = "of the de al bin van von for and & da du la le"
_NAME_CONNECTORS = frozenset(_CONNECTORS_TEXT.split())
_FUNCTION_CAPS_TEXT = """The A An In On At For But And Or If When While After Before Since During He She It
    They We I His Her Its Their This That These Those There Here However Although Though As By From With
    More Most Some Many Several Few Each Every All Both No Not Only About Around Nearly Almost Over Under
    Up Out Such Than Then Now Also Yet Still So Thus Meanwhile Instead Despite Without Within Through
    Across Among Between Against Into Until Unless Whether Which Who What Where Why How Our Your My You"""
_EN_FUNCTION_CAPS = frozenset(_FUNCTION_CAPS_TEXT.split())


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in " \t\n,.;:«»\"'()":
        a += 1
    while b > a and text[b - 1] in " \t\n,.;:«»\"'()":
        b -= 1
    return a, b


def quantity_candidates(sentence: str) -> list[Candidate]:
    """Numbers of ``sentence`` with their unit word or percent sign (see the module docstring)."""
    out: list[Candidate] = []
    dates = [(c.start, c.end) for c in date_candidates(sentence)]
    tokens = [m for m in _NUMBER_TOKEN.finditer(sentence) if not any(a <= m.start() < b for a, b in dates)]
    i = 0
    while i < len(tokens):
        a, b = tokens[i].start(), tokens[i].end()
        # "ثلاثة آلاف", "1.5 million", "two hundred": consecutive number tokens form one number
        while i + 1 < len(tokens) and sentence[b : tokens[i + 1].start()].strip() in ("", "-", "و"):
            i += 1
            b = tokens[i].end()
        rest = sentence[b:]
        pct = _PERCENT.match(rest)
        if pct:
            b += pct.end()
        else:
            unit = _UNIT_WORD.match(rest)
            if unit and normalize(unit.group(1)) not in _UNIT_STOP:
                b += unit.end()
        a, b = _strip(sentence, a, b)
        out.append(Candidate(a, b, sentence[a:b], "quantity"))
        i += 1
    return out


_UNIT_STOP_TEXT = """and or of in on at to the a an from by with for that which who was were is are has had
    have will would as than but في من على إلى الى عن مع أن ان إن و أو او ثم التي الذي الذين كما قد حتى
    منذ بعد قبل عام سنة"""
_UNIT_STOP = frozenset(normalize(w) for w in _UNIT_STOP_TEXT.split())


def date_candidates(sentence: str) -> list[Candidate]:
    """Dates, years, months, weekdays and centuries of ``sentence``."""
    out: list[Candidate] = []
    for m in _DATE.finditer(sentence):
        a, b = _strip(sentence, m.start(), m.end())
        if b > a and any(ch.isalnum() for ch in sentence[a:b]) and sentence[a:b].lower() not in ("in", "may"):
            out.append(Candidate(a, b, sentence[a:b], "date"))
    return out


def name_candidates(sentence: str, kind: str = "person") -> list[Candidate]:
    """Runs of capitalised Latin words (name-like spans: "Christine Lagarde", "Bank of England").

    Lower-case connectors ("of", "the", "al") join two capitalised words; a capitalised function
    word ("The", "In", "However", "More", "About": closed-class words, capitalised only by their
    place at the start of a sentence or after a wire dateline) does not start a name. A wire
    dateline ("LAKESIDE, April 14 -") is skipped: it names the place of filing.
    """
    out: list[Candidate] = []
    run: list[re.Match[str]] = []
    dateline = _DATELINE_EN.match(sentence)

    def close() -> None:
        while run and run[-1].group().lower() in _NAME_CONNECTORS and not run[-1].group()[0].isupper():
            run.pop()
        if run:
            a, b = _strip(sentence, run[0].start(), run[-1].end())
            if b > a:
                out.append(Candidate(a, b, sentence[a:b], kind))
        run.clear()

    last_end = -1
    for m in _LATIN_WORD.finditer(sentence, dateline.end() if dateline else 0):
        word = m.group()
        gap = sentence[last_end : m.start()] if last_end >= 0 else " "
        if run and gap.strip():  # punctuation between words ends a name
            close()
        bare = word.rstrip(".")  # "on Sunday." is a weekday, "More." a function word
        capital = word[0].isupper() and bare.lower() not in _NOT_NAMES
        if (capital and (run or bare not in _EN_FUNCTION_CAPS)) or (run and word in _NAME_CONNECTORS):
            run.append(m)
        else:
            close()
        last_end = m.end()
    close()
    return out


def candidates(sentence: str, kind: str) -> list[Candidate]:
    """Spans of ``sentence`` that can answer a question of ``kind`` (empty for other kinds).

    Args:
        sentence: One sentence (any script).
        kind: One of :data:`KINDS`.

    Returns:
        Candidates in reading order (may overlap across kinds, never within one).
    """
    if kind == "quantity":
        return quantity_candidates(sentence)
    if kind == "date":
        return date_candidates(sentence)
    if kind in ENTITY_KINDS:
        return name_candidates(sentence, kind)
    return []


_HAS_DIGIT = re.compile(_DIGIT)


def in_question(candidate_text: str, question_keys: set[str]) -> bool:
    """True when a candidate only repeats the question: its content keys are all the question's
    and it holds no digit ("Hamburg" for "What did Schmidt open in Hamburg?").

    A number is never "in the question" through its unit alone: "14 people" for "How many people
    …?", «٨٠ ملم» for «كم ملم من الأمطار…» are the answer, though the unit is the question's word
    (content keys drop digits; the newcomer check of session 4 got «ست ساعات» for «كم ملم…»).
    """
    keys = content_keys(candidate_text)
    return bool(keys) and keys <= question_keys and not _HAS_DIGIT.search(candidate_text)


# --- how well a sentence's candidates fit the asked attribute (lede vs detail sentences) ----------

FIT_NONE, FIT_TYPE, FIT_ASKED = 0, 1, 2
""":func:`answer_fit` levels: no candidate; a candidate of the expected type; one of the asked
attribute (unit, counted noun, date granularity, a name the question lacks)."""

_COUNTED_EN = re.compile(r"\bhow many ((?:[a-z][\w'-]* ?){1,3})|\bnumber of ((?:[a-z][\w'-]* ?){1,3})")
_COUNTED_AR = re.compile(rf"{_AR_Q}(?:كم|بكم|عدد)\s+((?:[\w]+\s*){{1,2}})")
_COUNT_STOP = _VAGUE_ATTRIBUTES | frozenset(["the", "a", "an", "of", "new", "ال", "من", "في", "عدد"])
_YEAR_QUESTION = re.compile(
    r"\b(?:what|which|in what|in which) (?:year|decade|century)\b|(?:^|\s)(?:في )?اي (?:عام|سنه|قرن|عقد)\b"
    r"|(?:^|\s)(?:ما|ماهو|ماهي|ما هو|ما هي) (?:هو |هي )?(?:ال)?(?:عام|سنه|سنوات|قرن|عقد)\b"
)
_TIME_QUESTION = re.compile(r"\bwhat (?:time|hour)\b|(?:^|\s)(?:في )?اي ساعه\b|(?:^|\s)الساعه كم\b")
_CLOCK = re.compile(rf"{_DIGIT}:{_DIGIT}{{2}}|{_DIGIT}\s*(?:a\.m|p\.m|am|pm)\b", re.IGNORECASE)
_YEAR_IN = re.compile(rf"(?<!{_DIGIT})(?:{_YEAR})(?!{_DIGIT})|century|القرن")
_WEEKDAY_ONLY = re.compile(rf"^(?:[وبفل]?(?:يوم\s+)?)?(?:{_WEEKDAYS})$", re.IGNORECASE)
# "MARSEILLE (Reuters) - ", "RIVERTON, Jan 5 (AP) — ", "SAN FRANCISCO - ": a wire dateline opening
# a sentence names the place of filing and the agency, never the asked person or organisation.
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
_DATELINE_EN = re.compile(r"^\s*[A-Z][A-Z.'’ -]{1,40}(?:,[^-–—()]{1,30})?\s*(?:\([^()]{1,40}\))?\s*[-–—]+\s")


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


def stem(word: str) -> str:
    """A rough stem for counting nouns: «عيادات»/«عيادة» → عياد, «مريضا» → مريض, "routes" → route."""
    w = normalize(word)
    if re.match(r"[\u0600-\u06FF]", w):
        w = re.sub(r"^(?:[وفب]?ال|[وفب](?=\w{4}))", "", w)
        w = re.sub(r"(?:ات|ين|ون|ا|ه)$", "", w) if len(w) > 3 else w
        return w
    return re.sub(r"(?:ies|es|s)$", "", w) if len(w) > 3 else w


# Nouns that count people: a question counting one kind of person («المصابين», "fans") is answered
# by a number of any ("إصابة 14 شخصا", "18 ألف متفرج"): news counts people under many names.
# Population nouns are not among them: a town's population is not the number of people at an event.
_PERSON_NOUNS_TEXT = """people persons person individuals residents workers employees staff runners
    players fans spectators visitors tourists pupils students children patients passengers crew
    members victims injured wounded dead casualties soldiers troops officers firefighters volunteers
    voters protesters refugees migrants attendees guests participants delegates pilgrims
    شخص اشخاص مواطن مواطنين عامل عمال موظف موظفين مصاب مصابين جريح جرحي قتيل قتلي ضحيه ضحايا
    متفرج متفرجين مشجع مشجعين جمهور جماهير زائر زوار سائح سياح طالب طلاب تلميذ تلاميذ مريض مرضي
    لاعب لاعبين راكب ركاب جندي جنود متطوع متطوعين ناخب ناخبين لاجئ لاجئين مشارك مشاركين ضيف حاج
    حجاج مصلي مصلين رجل رجال امراه نساء طفل اطفال"""
_PERSON_NOUNS = frozenset(normalize(w) for w in _PERSON_NOUNS_TEXT.split())
_PERSON_STEMS = frozenset(stem(w) for w in _PERSON_NOUNS)


def is_person_noun(word: str) -> bool:
    """True for a noun counting people («المصابين», "fans", «شخصا»), by its rough stem."""
    # whole stems only: a prefix match made "plays" a "player" (DEV en→ar)
    return normalize(word) in _PERSON_NOUNS or stem(word) in _PERSON_STEMS


def counted_words(question: str) -> frozenset[str]:
    """Stems of the words a "how many"/«كم» question counts: {"firefight"…} for "How many
    firefighters…", {عياد, خصصت} for «كم عيادة خصصت…» (the first two or three words after the
    interrogative, stop words left out: a following verb is harmless, it rarely stands after a
    number)."""
    text = normalize(question)
    out: set[str] = set()
    for pattern in (_COUNTED_EN, _COUNTED_AR):
        for m in pattern.finditer(text):
            words = next(g for g in m.groups() if g).split()
            out.update(stem(w) for w in words if w not in _COUNT_STOP and len(w) > 1)
    return frozenset(w for w in out if len(w) >= 3)


def _counts(sentence: str, c: Candidate, stems: frozenset[str]) -> bool:
    """True when one of the three words after (or in) the number ``c`` is a counted word, or any
    noun for people when the question counts people (:func:`is_person_noun`)."""
    words = re.findall(r"[^\W\d_][\w'’-]*", sentence[c.start :])[:4]
    if any(is_person_noun(t) for t in stems) and any(is_person_noun(w) for w in words):
        return True
    return any(
        any(s == t or (min(len(s), len(t)) >= 4 and (s.startswith(t) or t.startswith(s))) for t in stems)
        for s in (stem(w) for w in words)
    )


def _opener(sentence: str, c: Candidate, dateline: re.Match[str] | None) -> bool:
    """True when the one-word name ``c`` opening ``sentence`` is only capitalised by its place: it
    follows a wire dateline, or a role word follows it ("Head librarian …")."""
    following = re.match(r"\s+([a-z]+)", sentence[c.end :])
    return dateline is not None or bool(following and following.group(1) in _ROLES)


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
        asked = any(
            (
                measures
                and candidate_measure(c.text) in measures
                and (candidate_measure(c.text) != "duration" or _fits_duration(sentence, c, question))
            )
            or (stems and _counts(sentence, c, stems))
            for c in found
        )
        return FIT_ASKED if asked else FIT_TYPE
    if kind == "date":
        dates = [c.text for c in date_candidates(sentence) if not in_question(c.text, question_keys)]
        if not dates:
            return FIT_NONE
        text = normalize(question)
        if _TIME_QUESTION.search(text):
            fitting = [t for t in dates if _CLOCK.search(t)]
        elif _YEAR_QUESTION.search(text):
            fitting = [t for t in dates if _YEAR_IN.search(t)]
        else:
            fitting = [t for t in dates if not _WEEKDAY_ONLY.match(t.strip())]
        return FIT_ASKED if fitting else FIT_TYPE
    if kind in ENTITY_KINDS and len(_LATIN_LETTER.findall(sentence)) > len(_ARABIC_LETTER.findall(sentence)):
        # the one capitalised word after a wire dateline is capitalised by its place ("DUNMORE -
        # Officials said…"); at the start of a plain sentence it is as often a name ("Greenland
        # signed…", "Students thronged…": DEV XQuAD-en lost such leads when it was left out), unless a
        # role word follows: "Head librarian Sofia Marques", "Fire chief Laurent Dubois"
        dateline = _DATELINE_EN.match(sentence)
        opening = dateline.end() if dateline else len(sentence) - len(sentence.lstrip())
        names = [c for c in name_candidates(sentence) if not in_question(c.text, question_keys)]
        names = [
            c
            for c in names
            if not (c.start == opening and " " not in c.text and _opener(sentence, c, dateline))
        ]
        # a person question is not answered by a firm's name, nor an organisation question by a
        # person's; a place is neither
        wrong = _WRONG_NAME_KINDS[kind]
        return FIT_ASKED if any(name_kind(sentence, c) not in wrong for c in names) else FIT_NONE
    return FIT_NONE
