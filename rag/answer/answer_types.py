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
from collections.abc import Callable
from dataclasses import dataclass

from rag.text.normalize import strip_marks_mapped
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

AR_Q = r"(?:^|\s|[-–—:«\"(])"  # an Arabic interrogative starts a word; questions may open with "- "
# "What was the winning time…?", "the finishing/record time": how long a race took
_RACE_TIME = r"\b(?:winning|finishing|finish|record|fastest|race|course record|best) time\b"
_AR_ATTR_QUANTITY = (
    r"عدد|مساح|نسب|قيم|مقدار|طول|عرض|ارتفاع|عمق|عمر|سعر|اسعار|تكلف|كلف|حجم|وزن|مسافه|سرع|درج"
    r"|مبلغ|ميزاني|سكان|تعداد|رواتب|راتب|حصه|معدل|كميه"
)
_QUESTION_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        # comparison before yes/no: "هل … ام …", "which of the two", "X or Y?"
        ("comparison", r"\b(?:which|who|what) (?:of (?:the|these) )?(?:two|both)\b|\bor\b.*\?\s*$"),
        ("comparison", rf"{AR_Q}(?:ايهما|ايهم)\b|{AR_Q}هل\b.*\sام\s"),
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
        ("quantity", rf"{AR_Q}(?:كم|بكم|لكم)\b"),
        (
            "quantity",
            rf"{AR_Q}(?:ما|ماهو|ماهي|ما هو|ما هي|ما هى)\s+(?:هو |هي )?(?:ال)?(?:{_AR_ATTR_QUANTITY})",
        ),
        ("quantity", rf"{AR_Q}(?:الى|إلى) اي (?:مدى|حد)\b"),
        # a measure asked by its adjective: "what is the heaviest truck allowed", «على أي عمق…»
        ("quantity", r"\bheaviest\b|\b(?:maximum|minimum) (?:load|weight|speed|height|depth)\b"),
        # a rate or price named by what it is of: "What is the exchange rate…", "the ticket price"
        ("quantity", r"\bwhat (?:is|was|are|were) (?:the )?(?:current |new )?[a-z]+ (?:rate|price)\b"),
        # a rate or economic index asked by its head noun, whatever names it before: "What is the
        # Central Bank of Jordan's policy rate?", "What was Jordan's inflation in June?" (newcomer
        # check, session 6: typed "other", answered "kept its main"); not its cause or effect
        (
            "quantity",
            r"^\W*what (?:is|was|are|were|will be|has been)\b(?!.*\b(?:cause|causes|reason|effect|impact"
            r"|purpose|role|meaning|definition|name|history|policy of)\b)[^?]*?\b(?:rate|inflation"
            r"|unemployment|turnout)\b(?:\s+(?:in|for|of|at|on|during|last|this|next|now|today)\b[^?]*)?"
            r"\s*\?*\s*$",
        ),
        # a change asked by its noun: "What pay rise did the workers get?", "What increase…"
        ("quantity", r"\bwhat (?:\w+ )?(?:rise|raise|increase|cut|hike)\b"),
        ("quantity", rf"{AR_Q}(?:على|الى|إلى|في)? ?اي (?:عمق|ارتفاع|بعد|مسافه|وزن|سرعه)\b"),
        # a race's time is how long it took ("What was the winning time…?": «2 hours, 1 minute»),
        # not a date nor a name
        ("quantity", _RACE_TIME),
        (
            "date",
            r"\bwhen\b|\b(?:what|which|in what|in which) (?:year|years|date|month|day|decade|century|time"
            r" period|era|period|time|hour)\b|\bsince when\b",
        ),
        ("date", rf"{AR_Q}(?:متي|ومتي)\b|(?:في|فى|خلال|منذ) اي (?:عام|سنه|شهر|يوم|تاريخ|قرن|عقد|فتره|وقت)"),
        ("date", r"^\W*(?:في )?اي (?:عام|سنه|قرن|عقد)\b"),
        # «ما السنة التي…», «ما هو العام الذي…», «ماهو القرن الذي…», «ما السنوات التي…»
        (
            "date",
            rf"{AR_Q}(?:ما|ماهو|ماهي|ما هو|ما هي) (?:هو |هي )?(?:ال)?(?:تاريخ|عام|سنه|سنوات|قرن|عقد)\b",
        ),
        ("reason", r"\bwhy\b|\bwhat (?:was |is )?(?:the )?(?:reason|cause|purpose)\b|\bfor what reason\b"),
        (
            "reason",
            rf"{AR_Q}(?:لماذا|ولماذا|لما)\b|(?:ما|ماهو|ما هو) (?:هو )?(?:ال)?(?:سبب|اسباب|هدف|الغرض)",
        ),
        (
            "place",
            r"\bwhere\b|\b(?:what|which|in what|in which) (?:city|country|state|region|place|location"
            r"|continent|province|town|area|county|island|nation"
            # venues: "In which stadium was the match played?"
            r"|stadium|arena|venue|airport|hospital|port|theatre|theater|hotel|prison|camp|museum)\b",
        ),
        (
            "place",
            rf"{AR_Q}(?:اين|واين|من اين)\b|{AR_Q}(?:في|فى|الى|إلى|من|علي)? ?اي (?:مدينه|دوله|بلد|مكان"
            r"|منطقه|قاره|ولايه|جزيره|محافظه|قريه|بلده|حي|شارع"
            # venues: «في أي ملعب أقيمت المباراة؟»
            r"|ملعب|ستاد|استاد|مسرح|قاعه|ساحه|مطار|ميناء|فندق|مستشفي)",
        ),
        ("place", rf"{AR_Q}(?:ما|ماهي|ما هي) (?:هي )?(?:المدينه|الدوله|البلد|المكان|المنطقه|القاره)\b"),
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
            rf"{AR_Q}(?:اي|ما|ما هي|ماهي) (?:هي )?(?:ال)?(?:شركه|منظمه|فريق|حزب|جامعه|مؤسسه"
            r"|هيئه|وكاله|نادي|صحيفه|جمعيه|فرقه)",
        ),
        (
            "person",
            r"\b(?:who|whom|whose)\b|\b(?:what|which) (?:person|man|woman|player|author|king"
            r"|president|leader)\b",
        ),
        ("person", rf"{AR_Q}(?:من|ومن|لمن)\s+(?:هو|هي|هم|كان|كانت|الذي|التي|الذين|قام|قامت|صاحب)\b"),
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
    rf"{AR_Q}(?:ما|كم|ماهو|ماهي)\s+(?:هو\s+|هي\s+|يبلغ\s+|بلغ\s+|كان\s+|كانت\s+)?عدد\s+(?:ال)?([\w]+)"
    rf"|{AR_Q}(?:ما|ماهي|ما هي|ما هى)\s+(?:هي\s+)?(?:ال)?(مساحه|سكان|تعداد|ميزانيه)\b"
)
# Arabic: only «ما/كم عدد X» and «ما مساحة/عدد سكان…»; «كم X» and «ما نسبة X» name a verb, a
# verbal noun or a misspelling as often as the thing counted (DEV: 14 false abstentions of 1,325).
_VAGUE_TEXT = """of the a times time people years year days more less did do does has have had can could
    will would is are was were كان كانت مره مرات يوجد توجد هناك تم
    الذي التي عدد من دام يدوم بلغ يبلغ تبلغ استغرق يستغرق تستغرق"""
VAGUE_ATTRIBUTES = frozenset(_VAGUE_TEXT.split())


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
            return None if word in VAGUE_ATTRIBUTES or candidate_measure(f"1 {word}") else word
    return None


_RATE_OF = re.compile(
    r"\bwhat (?:is|was|are|were) (?:the )?(?:current |latest |new )?([a-z]+) rate\b"
    # «سعر/أسعار X» only: «معدل X» names the change measured as often as its subject («ما معدل
    # التغير السنوي لعدد السكان…», ARCD: a false abstention with «معدل»)
    rf"|{AR_Q}(?:ما|كم)\s+(?:هو\s+|هي\s+)?(?:ال)?(?:سعر|اسعار)\s+(\w+)"
)


def rate_qualifier(question: str) -> str | None:
    """What a rate or price question is the rate of: «صرف» in «ما سعر صرف الدينار؟», "exchange" in
    "What is the exchange rate…?", «النفط» in «ما سعر النفط؟» (None when it names none)."""
    m = _RATE_OF.search(normalize(question))
    word = next((g for g in m.groups() if g), None) if m else None
    return None if word is None or word in VAGUE_ATTRIBUTES else word


# --- measures: which unit a quantity question asks for ---------------------------------------------

# Currencies by the word written after the amount ("42 million lari", «500 مليون روبل»): the units
# of the currencies in use (ISO 4217 list, names as CLDR writes them in English and Arabic: babel's
# ``get_currency_name``), with the common codes. Left out: names that are also common words after
# a number ("won", "real", "mark": "passed the 1,000 mark"), Arabic names of two letters («ين»).
_CURRENCIES = (
    r"dollars?|euros?|pounds?|riyals?|rials?|dinars?|dirhams?|liras?|lire|shekels?|rupees?|rupiahs?"
    r"|yen|yuan|renminbi|francs?|kronor|krona|kroner|krone|roubles?|rubles?|pesos?|reais|nairas?"
    r"|shillings?|ringgits?|baht|laris?|manats?|tenge|zlotys?|forints?|hryvnias?|takas?|kwachas?"
    r"|cedis?|birrs?|dong|lempiras?|quetzals?|usd|eur|gbp|jod|egp|sar|aed|qar|kwd|bhd|omr|mad"
    r"|tnd|dzd|lbp|iqd|inr|cny|jpy|chf|nok|sek|dkk|gel|\$|€|£|¥|₹|₪"
    r"|دولار\w*|يورو|ريال\w*|دينار\w*|دنانير|جنيه\w*|درهم\w*|دراهم|ليره|ليرة|ليرات|روبل\w*|روبي\w*"
    r"|يوان|فرنك\w*|شيكل|شيقل|كرون\w*|بيزو|نايرا|شلن\w*|لاري|مانات|رينغيت"
)
# The smaller unit of a currency, written after the amount («٨٥ قرشاً», "50 cents", "20 pence").
_SUBUNITS = r"|cents?|pence|piastres?|fils|halalas?|kopecks?|قرش\w*|قروش|فلس\w*|فلوس|هلله|هللات|سنت\w*|بيسه"
_UNITS: dict[str, str] = {
    # before length and area: "cubic metres" holds a length unit, «متر مكعب» an area's word
    "volume": r"cubic|m3|m³|litres?|liters?|gallons?|barrels?|مكعب\w*|لتر\w*|برميل|براميل|غالون\w*",
    "area": r"hectares?|acres?|square|sq|km2|km²|هكتار\w*|دونم\w*|فدان\w*|مربع\w*|كم2|كم²",
    # small lengths apart: rain is given in them, and "40 kilometres" downstream is no rainfall
    "fine_length": r"mm|millimet(?:re|er)s?|cm|centimet(?:re|er)s?|inch|inches|ملم|مم|مليمتر\w*|ملليمتر\w*"
    r"|سم|سنتيمتر\w*",
    "length": r"km|kilomet(?:re|er)s?|met(?:re|er)s?|miles?|feet|foot|كيلومتر\w*|كم|متر\w*|ميل\w*|قدم",
    "weight": r"tonnes?|tons?|kg|kilograms?|طن|اطنان|أطنان|كيلوغرام\w*|كغ",
    # energy before power: "megawatt-hours" holds "megawatt" («ميغاواط ساعة» too)
    "energy": r"(?:kilo|mega|giga|tera)?watt[- ]hours?|[kmgt]wh|(?:كيلو|ميغا|ميجا|غيغا|جيجا)?واط[ -]ساع\w*",
    "power": r"(?:kilo|mega|giga)?watts?|[kmg]w|horsepower|hp|(?:كيلو|ميغا|ميجا|غيغا|جيجا) ?واط|واط",
    "money": _CURRENCIES + _SUBUNITS,
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
        (
            "percent",
            r"\bpercent|\bproportion\b|(?:^|\s)(?:ال)?نسبه\b"
            # rates and indices written in percent: "policy rate", "inflation", «سعر الفائدة»
            r"|\b(?:inflation|unemployment|turnout)\b|\b(?:policy|interest|key|main|benchmark|growth|tax"
            r"|vat|mortgage|lending|deposit|jobless) rate\b|(?:^|\s)(?:ال)?(?:تضخم|بطاله|فايده)\b",
        ),
        ("area", r"\bhow (?:big|large)\b|\barea\b|(?:^|\s)(?:ال)?مساح"),
        ("weight", r"\bhow heavy\b|\bheaviest\b|\bweigh|\bload\b|(?:^|\s)(?:ال)?(?:وزن|حموله)"),
        # a volume: "How much water does the dam hold?", "How much oil…", «ما سعة السد التخزينية؟»
        (
            "volume",
            # the substance follows "how much" ("how much rain water"), never a verb: "How much did
            # the new water plant cost?" asks for money (second newcomer check, session 7)
            r"\bhow much (?:(?!(?:did|does|do|will|would|has|have|had|was|is|are|were|can|could)\b)\w+ ){0,3}"
            r"(?:water|gas|oil|fuel|rain ?water)\b|\bvolume\b|\bcubic\b"
            r"|\bhow much (?:\w+ ){0,4}(?:hold|holds|store|stores|contain|contains)\b"
            r"|(?:^|\s)(?:ال)?(?:سعه|مكعب|لتر)|(?:^|\s)(?:يتسع|تتسع|يخزن|تخزن|يستوعب|تستوعب)\b",
        ),
        (
            "money",
            # what is paid or held in money: fares, fees, reserves, debts, investments
            r"\bfares?\b|\bfees?\b|\btolls?\b|\btickets?\b|\breserves\b|\bdebts?\b|\bdeficit\b"
            r"|\brevenues?\b|\binvest|\bloans?\b|\bsalar(?:y|ies)\b|\bwages?\b"
            r"|(?:^|\s)(?:ال)?(?:اجره|اجور|تعرفه|رسوم|احتياطي\w*|ديون|عجز|ايرادات|استثمار\w*|قرض|رواتب|راتب)\b"
            r"|\bcost|\bprice|\bspen[dt]\b|\bpaid\b|\bpay\b|\bworth\b|\bbudget|\bhow much (?:\w+ )?money\b"
            r"|\bhow much (?:damage|loss|losses)\b"
            r"|\bhow much (?:\w+ )*(?:raise|raised|donate|donated|lose|lost)\b"
            r"|(?:^|\s)(?:بكم|(?:ال|س)?(?:تكلف|كلف|سعر|ميزاني|قيمه|ثمن))",
        ),
        (
            "duration",
            _RACE_TIME + r"|\bhow many (?:years|months|weeks|days|hours|minutes|seconds)\b"
            r"|\bhow long (?:did|does|do|will|would|has|have|had|was|is)\b"
            r"|(?:^|\s)(?:كم (?:من الوقت|سنه|عاما|عام|شهرا|شهر|يوما|يوم|ساعه|دقيقه)|(?:ال)?مده)\b",
        ),
        (
            "length fine_length",
            r"\bhow (?:far|tall|high|deep|wide|long)\b|\blength\b|\bdistance\b"
            r"|(?:^|\s)(?:ال)?(?:طول|مسافه|ارتفاع|عمق|عرض)\b",
        ),
        # rain and snow are measured in millimetres: "How much rain fell…", «كم بلغ هطول الأمطار»
        (
            "fine_length",
            r"\b(?:rain|rainfall|precipitation|snow|snowfall)\b|(?:^|\s)(?:ال)?(?:امطار|مطر|هطول|ثلوج)\b",
        ),
    )
)


# the unit and the word after it: "how many square kilometres", «كم كيلومترا مربعا» are areas
_NAMED_UNIT = re.compile(r"\bhow many ([a-z]+(?: [a-z]+)?)|(?:^|\s)كم (?:من )?(\w+(?: \w+)?)")


def asked_measure(question: str) -> frozenset[str]:
    """What a quantity question measures: {"area"} for «ما مساحة…»/"how big", {"weight"} for "how
    heavy"/"weight limit", {"money"}, {"duration"}, {"length", "fine_length"} (km… and mm…),
    {"fine_length"} for rain, {"volume"}, {"percent"}; empty when it only
    counts ("how many clinics") or names no measure. A unit asked by name ("how many litres", «كم
    ملم») is its own measure; rain is measured as a length (mm), fares and reserves as money,
    rates and inflation in percent, "how much water does it hold" as a volume."""
    text = normalize(question)
    named = _NAMED_UNIT.search(text)
    if named:
        # "how many millimetres…", «كم ملم من الأمطار…»: the question names the unit itself
        unit = candidate_measure(f"1 {next(g for g in named.groups() if g)}")
        if unit is not None:
            return frozenset([unit])
    for measures, pattern in _MEASURE_RULES:
        if pattern.search(text):
            return measures
    return frozenset()


_CURRENCY_SIGNS = "$€£¥₹₪"
_CURRENCY_SIGN_FIRST = re.compile(rf"^\s*(?:US|A|C|HK|NZ)?[{_CURRENCY_SIGNS}]")
_RACE_CLOCK = re.compile(r"[0-9\u0660-\u0669]{1,2}:[0-9\u0660-\u0669]{2}:[0-9\u0660-\u0669]{2}")
"""A time of hours, minutes and seconds ("2:04:51"): a race's duration, not a time of day."""


def candidate_measure(text: str) -> str | None:
    """The measure of a quantity candidate by its unit ("12 hectares" → "area", «مِلْيُونِ دُولَارٍ»
    → "money"), or None."""
    bare = strip_marks_mapped(text)[0]
    if _CURRENCY_SIGN_FIRST.match(bare):
        return "money"  # "$3.4 billion": the sign is written before the amount
    if _RACE_CLOCK.fullmatch(bare.strip()):
        return "duration"  # "2:04:51": hours, minutes and seconds
    for measure, pattern in _UNIT_PATTERNS.items():
        if pattern.search(bare):
            return measure
    return None


# --- candidates in sentences (patterns match the original text; offsets stay verbatim) ------------

DIGIT = r"[0-9\u0660-\u0669\u06F0-\u06F9]"
_NUMBER = rf"{DIGIT}+(?:[.,\u066B\u066C]{DIGIT}+)*"
_AR_NUMBER_WORDS = (
    "واحد|واحدة|اثنان|اثنين|اثنتان|اثنتين|ثلاث|ثلاثة|أربع|أربعة|اربع|اربعة|خمس|خمسة|ست|ستة|سبع|سبعة"
    "|ثمان|ثماني|ثمانية|تسع|تسعة|عشر|عشرة|عشرون|عشرين|ثلاثون|ثلاثين|أربعون|أربعين|خمسون|خمسين|ستون|ستين"
    "|سبعون|سبعين|ثمانون|ثمانين|تسعون|تسعين|مئة|مائة|مئتان|مئتين|مائتي|ألف|آلاف|الف|ألفين|مليون|ملايين"
    "|مليار|مليارات|بليون|نصف|ربع|ثلث|عشرات|مئات|آلاف|عدة|ثمانون|مرتين|مرتان|فريقين|عامين|سنتين|يومين"
    "|شهرين|ساعتين|مليونين|ضعفين|ضعف|أضعاف|اضعاف"
    # the hundreds are one word: «مليون وستمئة ألف حاج» lost its «ألف» (newcomer check, session 6)
    "|ثلاثمئة|ثلاثمائة|أربعمئة|اربعمئة|أربعمائة|اربعمائة|خمسمئة|خمسمائة|ستمئة|ستمائة|سبعمئة|سبعمائة"
    "|ثمانمئة|ثمانمائة|ثمانيمئة|تسعمئة|تسعمائة"
)
# A compound ordinal is a number: «للمرة الخامسة والثلاثين» (35th time) gave «والثلاثين» alone. The
# units ordinal counts only before «و» and a tens word: alone, «الثاني» is as often a name's part.
_AR_COMPOUND_ORDINAL = (
    r"(?:لل|ال)?(?:حادي|حاديه|حادية|ثاني|ثانيه|ثانية|ثالث|ثالثه|ثالثة|رابع|رابعه|رابعة|خامس|خامسه|خامسة"
    r"|سادس|سادسه|سادسة|سابع|سابعه|سابعة|ثامن|ثامنه|ثامنة|تاسع|تاسعه|تاسعة)"
    r"(?=\s+و(?:ال)?(?:عشرين|ثلاثين|أربعين|اربعين|خمسين|ستين|سبعين|ثمانين|تسعين)(?!\w))"
)
_EN_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    "|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|hundreds"
    "|thousand|thousands|million|millions|billion|billions|trillion|dozen|dozens|half|quarter|twice"
    "|once|single|double|triple"
)
_WORDCHAR = r"\w"
# digits may follow a one-letter Arabic proclitic written onto them: «و220 ألف منزل», «ب15 دقيقة»
_DIGITS_START = rf"(?:(?<!{_WORDCHAR})|(?<=(?<!{_WORDCHAR})[وبلف]))"
_NUMBER_TOKEN = re.compile(
    rf"(?:{_DIGITS_START}{_NUMBER}|(?<!{_WORDCHAR})(?:{_AR_COMPOUND_ORDINAL}|[وبل]?(?:ال)?(?:{_AR_NUMBER_WORDS})"
    rf"|{_EN_NUMBER_WORDS}))"
    rf"(?!{_WORDCHAR})",
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
WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    "|الاثنين|الإثنين|الثلاثاء|الأربعاء|الاربعاء|الخميس|الجمعة|السبت|الأحد|الاحد"
)
# «الخامسِ من حزيران», «في الحادي عشر من أيار»: an ordinal day before the month (tashkeel allowed)
_AR_ORDINAL_DAY = (
    r"(?:ال)?(?:اول|أول|ثاني|ثالث|رابع|خامس|سادس|سابع|ثامن|تاسع|عاشر|حادي)[\u064B-\u0652]*"
    r"(?:\s+(?:عشر|والعشرين|والعشرون|والثلاثين)[\u064B-\u0652]*)?\s+(?:من\s+)?"
)
YEAR = rf"(?:1[0-9]|20){DIGIT}{{2}}|[\u0661][\u0660-\u0669]{{3}}|\u0662\u0660[\u0660-\u0669]{{2}}"
_DATE = re.compile(
    rf"{_DIGITS_START}(?:"
    rf"(?:{DIGIT}{{1,2}}\s+|{_AR_ORDINAL_DAY})?(?:[وبفل]?(?:{_MONTHS}))(?:\s+{DIGIT}{{1,2}})?(?:,?\s+(?:عام\s+|سنة\s+)?(?:{YEAR}))?"
    rf"|{DIGIT}{{1,2}}[/.-]{DIGIT}{{1,2}}[/.-]{DIGIT}{{2,4}}"
    rf"|(?:the\s+)?{DIGIT}{{1,2}}(?:st|nd|rd|th)\s+century|القرن\s+(?:ال)?[\w\u0600-\u06FF]+"
    rf"|(?:(?:عام|سنة|year)\s+)?(?:{YEAR})(?:s|\s*(?:م|هـ|ه)(?!{_WORDCHAR}))?"
    rf"|(?:(?:عام|سنة)\s+)?{DIGIT}{{1,4}}\s*(?:ق\.\s?م|ق م|قبل الميلاد|BC|BCE|AD|CE)(?!{_WORDCHAR})"
    rf"|(?:{WEEKDAYS})"
    rf"|{DIGIT}{{1,2}}:{DIGIT}{{2}}(?!:{DIGIT})(?:\s*(?:a\.?m\.?|p\.?m\.?|صباحا|مساء))?"
    rf"|{DIGIT}{{1,2}}\s*(?:a\.m\.|p\.m\.|am|pm)"
    rf"|(?:{_NUMBER}|[\w]+)\s+(?:million\s+|billion\s+)?years?\s+ago"
    rf")(?!{_WORDCHAR})",
    re.IGNORECASE,
)
_LATIN_WORD = re.compile(r"[A-Za-z\u00C0-\u024F][\w'’.-]*")
_NOT_NAMES = frozenset(_MONTHS.split("|")[:21] + WEEKDAYS.split("|")[:7])
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


def _on_bare_letters(sentence: str, find: Callable[[str], list[Candidate]]) -> list[Candidate]:
    """``find`` run on ``sentence`` without Arabic marks, its spans mapped back to ``sentence``.

    The patterns are written for unvocalised text: in a fully vocalised article («٣٫٢ مِلْيُونِ
    دُولَارٍ») the unit word and month names would not match, so the money sentence lost to a
    count of books (newcomer check, session 5). A span keeps the marks of its last letter.
    """
    bare, where = strip_marks_mapped(sentence)
    if len(bare) == len(sentence):
        return find(sentence)
    out = []
    for c in find(bare):
        # up to the next kept character: the marks after the span's last letter are its own
        a, b = where[c.start], where[c.end] if c.end < len(where) else len(sentence)
        out.append(Candidate(a, b, sentence[a:b], c.kind))
    return out


def quantity_candidates(sentence: str) -> list[Candidate]:
    """Numbers of ``sentence`` with their unit word or percent sign (see the module docstring);
    vocalised Arabic is read without its marks."""
    return _on_bare_letters(sentence, _quantity_candidates)


def _quantity_candidates(sentence: str) -> list[Candidate]:
    out: list[Candidate] = []
    for m in _RACE_CLOCK.finditer(sentence):
        out.append(Candidate(m.start(), m.end(), m.group(), "quantity"))
    clocks = [(c.start, c.end) for c in out]
    dates = [(c.start, c.end) for c in _date_candidates(sentence)] + clocks
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
                # a unit of two words: "cubic metres", "square kilometres", «متر مكعب»
                second = _UNIT_WORD.match(sentence[b:])
                if second and (
                    normalize(unit.group(1)).lower() in _UNIT_FIRST_WORDS
                    or _UNIT_SECOND_WORD.fullmatch(normalize(second.group(1)))
                ):
                    b += second.end()
        if a > 0 and sentence[a - 1] in _CURRENCY_SIGNS:
            a -= 1  # "$3.4 billion": the sign is part of the amount
        a, b = _strip(sentence, a, b)
        out.append(Candidate(a, b, sentence[a:b], "quantity"))
        i += 1
    return _joined_durations(sentence, sorted(out, key=lambda c: c.start))


_UNIT_FIRST_WORDS = frozenset(["cubic", "square", "sq"])
_UNIT_SECOND_WORD = re.compile(r"مكعب\w*|مربع\w*")
_DURATION_GLUE = re.compile(r"^\s*(?:,|and|و)?\s*$")


def _joined_durations(sentence: str, found: list[Candidate]) -> list[Candidate]:
    """Durations written in parts joined into one: "2 hours 4 minutes 51 seconds", «ساعتين و15
    دقيقة» (the answer to "What was the winning time?" was "2 hours")."""
    out: list[Candidate] = []
    for c in found:
        last = out[-1] if out else None
        if (
            last is not None
            and candidate_measure(last.text) == "duration"
            and candidate_measure(c.text) == "duration"
            and _DURATION_GLUE.match(sentence[last.end : c.start])
        ):
            out[-1] = Candidate(last.start, c.end, sentence[last.start : c.end], "quantity")
        else:
            out.append(c)
    return out


_UNIT_STOP_TEXT = """and or of in on at to the a an from by with for that which who was were is are has had
    have will would as than but في من على إلى الى عن مع أن ان إن و أو او ثم التي الذي الذين كما قد حتى
    منذ بعد قبل عام سنة
    بلغ يبلغ تبلغ بلغت وصل يصل تصل وصلت"""
_UNIT_STOP = frozenset(normalize(w) for w in _UNIT_STOP_TEXT.split())


def date_candidates(sentence: str) -> list[Candidate]:
    """Dates, years, months, weekdays and centuries of ``sentence`` (vocalised Arabic is read
    without its marks)."""
    return _on_bare_letters(sentence, _date_candidates)


def _date_candidates(sentence: str) -> list[Candidate]:
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
    dateline = WIRE_DATELINE.match(sentence)

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


_HAS_DIGIT = re.compile(DIGIT)


def in_question(candidate_text: str, question_keys: set[str]) -> bool:
    """True when a candidate only repeats the question: its content keys are all the question's
    and it holds no digit ("Hamburg" for "What did Schmidt open in Hamburg?").

    A number is never "in the question" through its unit alone: "14 people" for "How many people
    …?", «٨٠ ملم» for «كم ملم من الأمطار…» are the answer, though the unit is the question's word
    (content keys drop digits; the newcomer check of session 4 got «ست ساعات» for «كم ملم…»).
    """
    keys = content_keys(candidate_text)
    return bool(keys) and keys <= question_keys and not _HAS_DIGIT.search(candidate_text)


# "MARSEILLE (Reuters) - ", "RIVERTON, Jan 5 (AP) — ", "SAN FRANCISCO - ": a wire dateline opening
# a sentence names the place of filing and the agency, never the asked person or organisation.
WIRE_DATELINE = re.compile(r"^\s*[A-Z][A-Z.'’ -]{1,40}(?:,[^-–—()]{1,30})?\s*(?:\([^()]{1,40}\))?\s*[-–—]+\s")
