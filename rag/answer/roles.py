"""Who-questions asked by a role: «من هو رئيس بلدية نابلس؟», "Who is the chief executive of …?".

One job: :func:`asked_role` reads the role a who-question names (mayor, chief executive, director,
minister…) in English or Arabic, and :func:`name_after_role` finds, in a sentence of either
language, the name written right after that role: «وقال رئيس البلدية سميح طبيلة إن…», «مدير الدفاع
المدني في المحافظة العقيد خالد الزعبي», "Chief executive Maria Lindqvist said…", "Mayor Kakha
Kaladze". News introduces a person by role then name in both languages, so the role is the
question's anchor across scripts where its other words («نوردفيك» / "Nordvik") may not be.
Before this the lede's date phrase («يوم الأربعاء مكتبة عامة») or the company's name ("Nordvik
Robotics") was the answer (newcomer check, session 5). Kinship is asked the same way ("Who is the
mother of the panda cubs?" → "The mother, Meng Meng, …"), so the table holds it too; before, the
lede's organisation ("Berlin Zoological Garden") was the answer (newcomer check nc8). Folding drops
the feminine ending, so an Arabic kinship noun also matches its masculine («والدة» and «والد»).

The table is ours: the roles local, business and sports news names people by, each with its
English and Arabic forms (Arabic as the words of the phrase, compared without the article, a
leading «و/ف/ل/ب» and the feminine ending: «الرئيسة التنفيذية» is «رئيس تنفيذي»). Longer phrases
are tried first («رئيس بلدية» before «رئيس»).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.answer_types import name_candidates
from rag.text.sentences import content_keys, normalize

_ROLES_TEXT = """
mayor | رئيس بلدية ; عمدة
chief executive ; ceo ; chief executive officer ; managing director | رئيس تنفيذي ; مدير تنفيذي ; مدير عام
prime minister | رئيس وزراء ; رئيس حكومة
minister | وزير
director ; head ; manager | مدير
governor | محافظ ; حاكم
coach ; head coach | مدرب
founder ; co-founder | مؤسس
spokesman ; spokeswoman ; spokesperson | متحدث ; ناطق
chairman ; chairwoman ; chair | رئيس مجلس
ambassador | سفير
commander | قائد
leader | زعيم ; قائد
captain | قائد
president | رئيس
mother | أم ; والدة
father | أب ; والد
wife | زوجة
husband | زوج
son | ابن
daughter | ابنة
brother | شقيق ; أخ
sister | شقيقة ; أخت
"""


@dataclass(frozen=True)
class Role:
    """A role and its written forms.

    Attributes:
        english: English phrases, lower case, words split ("chief executive").
        arabic: Arabic phrases as folded words (:func:`_fold`).
    """

    english: tuple[tuple[str, ...], ...]
    arabic: tuple[tuple[str, ...], ...]


def _fold(word: str) -> str:
    """An Arabic word without its article (and a «و/ف/ل/ب» written before it) and the feminine
    ending: «والرئيسة» → رئيس, «للشركة» → شرك, «التنفيذية» → تنفيذي."""
    w = normalize(word)
    w = re.sub(r"^(?:[وف]?[بل]?ال|[وف]?لل)", "", w)
    return w[:-1] if len(w) > 3 and w.endswith("ه") else w


def _forms(word: str) -> frozenset[str]:
    """:func:`_fold` of the word, and of the word without a leading «و/ف/ل/ب» («ورئيس», «لمدير»):
    a one-letter prefix cannot be told from a first letter («وزير»), so both are tried."""
    w = normalize(word)
    out = {_fold(w)}
    if len(w) > 4 and w[0] in "وفلب":
        out.add(_fold(w[1:]))
    return frozenset(out)


def _phrases(text: str, arabic: bool) -> tuple[tuple[str, ...], ...]:
    out = [tuple(_fold(w) if arabic else w for w in p.split()) for p in text.split(";") if p.strip()]
    return tuple(sorted(out, key=len, reverse=True))


ROLES: tuple[Role, ...] = tuple(
    Role(_phrases(en, False), _phrases(ar, True))
    for en, ar in (line.split("|") for line in _ROLES_TEXT.strip().splitlines())
)

TITLES = Role(
    english=(),
    arabic=_phrases(
        "لاعب ; مدرب ; حارس ; مهاجم ; عداء ; عقيد ; لواء ; عميد ; نقيب ; مقدم ; دكتور ; مهندس ; شيخ ; سيد",
        True,
    ),
)
"""Titles Arabic news writes before a person's name and before nothing else («وسجل اللاعب يوسف
العمراني», «العقيد خالد الزعبي»): what :func:`name_after_role` looks for when a who-question in
another language names no role (:func:`titled_name`). Roles that also head other phrases are left
out: «بطل السوبر بول 49 المدافع عن لقبه» (champion, defending), «كأول مدير لمكتب…» (DEV en→ar
led with such sentences and answered «لقبه نيو»)."""

_EN_WHO = re.compile(
    r"^\W*who\s+(?:is|was|will be|has been|became|is now)\s+(?:the\s+)?"
    # a possessor before the role: "Who is Kiprop's coach?" (newcomer check, session 6)
    r"(?:[A-Za-z][\w.-]*(?:\s+[A-Z][\w.-]*){0,3}['’]s?\s+)?(?:new\s+|current\s+|former\s+)?"
    # the role's words are no prepositions: "the coach of Faisaly" is "coach", not "coach of Faisaly"
    r"((?:(?!(?:of|at|for|in)\b)[a-z-]+\s+){0,2}(?!(?:of|at|for|in)\b)[a-z-]+?)(?:\s+(?:of|at|for|in)\b|[?.!]|$)",
    re.IGNORECASE,
)
_AR_WHO = re.compile(r"^[\s\-–—:.]*و?من\s+(?:(?:هو|هي|هى|كان|كانت|سيكون|ستكون)\s+)?(.+)$")


def _starts(words: list[frozenset[str]], at: int, phrase: tuple[str, ...]) -> bool:
    """True when the words from ``at`` on (their :func:`_forms`) spell ``phrase``."""
    return at + len(phrase) <= len(words) and all(p in words[at + k] for k, p in enumerate(phrase))


# "Who coaches Al-Faisaly?", "Who heads the agency?": a role asked by its verb
_EN_WHO_VERB = re.compile(
    r"^\W*who\s+(?:now\s+|currently\s+)?(coach|coaches|coached|heads|manages"
    r"|chairs?|chaired|captains?|captained)\b",
    re.IGNORECASE,
)
_ROLE_OF_VERB = {
    "coach": "coach",
    "head": "head",
    "lead": "leader",
    "led": "leader",
    "manag": "manager",
    "chair": "chair",
    "captain": "captain",
}


def _role_of_verb(verb: str) -> Role | None:
    v = verb.lower()
    noun = next((n for stem_, n in _ROLE_OF_VERB.items() if v.startswith(stem_)), None)
    return next((r for r in ROLES if any(p == (noun,) for p in r.english)), None) if noun else None


def asked_role(question: str) -> Role | None:
    """The role a who-question asks by ("Who is the chief executive of …?", «من هي الرئيسة
    التنفيذية لشركة …؟», "Who is the civil defence director in …?", "Who coaches …?"), else None."""
    m = _EN_WHO_VERB.match(question)
    if m:
        return _role_of_verb(m.group(1))
    m = _EN_WHO.match(question)
    if m:
        words = m.group(1).lower().split()
        for role in ROLES:
            # the role ends the phrase: "civil defence director", "new chief executive"
            if any(len(p) <= len(words) and tuple(words[-len(p) :]) == p for p in role.english):
                return role
        return None
    m = _AR_WHO.match(question)
    if m:
        forms = [_forms(w) for w in re.findall(r"\w+", m.group(1))]
        # the longest phrase over every role first: «رئيس بلدية» is a mayor, not a president
        found = [(len(p), role) for role in ROLES for p in role.arabic if _starts(forms, 0, p)]
        return max(found, key=lambda t: t[0])[1] if found else None
    return None


@dataclass(frozen=True)
class Named:
    """A name found after a role: ``sentence[start:end] == text``."""

    start: int
    end: int
    text: str


ROLE_GAP_WORDS = 5
"""Words allowed between an Arabic role and the name: its complement and a rank («مدير الدفاع
المدني في المحافظة العقيد خالد الزعبي»)."""
NAME_WORDS = 3
"""Longest Arabic name taken («عبد الرحمن بن …» needs three)."""
_CLAUSE = re.compile(r"[,،;؛:()\[\]«»\"“”.!?؟–—]")
_AR_WORD = re.compile(r"[\u0621-\u065F\u0670-\u06D3]+")  # letters and marks, not «،» «؟»
_PREPOSITIONS = frozenset(["في", "فى", "من", "على", "عن", "الى"])
_GENITIVE_LAM = re.compile(r"^ل(?!ل)\w{4,}")
"""«ل» written onto a noun of four letters or more after a role: "of" («لدنفر», «لجمهورية»)."""


_NISBA = re.compile(r"^ال\w{3,}(?:ي|يه)$")
"""A definite adjective of origin («البرتغالي», «الفرنسية») written before a name in apposition."""
_ALI = re.compile(r"^علي$")
"""The name «علي» (Ali) folds onto the preposition «على» under normalisation (ى → ي), so it has no
content key; written with «ي» it is the name («اللاعب علي خالد» gave «خالد»)."""


_NAME_PARTICLES = frozenset(
    normalize(w) for w in ["بن", "ابن", "بنت", "عبد", "أبو", "ابو", "أبي", "آل", "دي", "دو", "فان", "فون"]
)


def _particle(word: str) -> bool:
    """True for a word that joins the parts of a name: «بن», «عبد», «أبو», «آل», «دي», «فان»."""
    return normalize(word) in _NAME_PARTICLES


def _arabic_name(sentence: str, role: Role, question_keys: set[str]) -> Named | None:
    words = list(_AR_WORD.finditer(sentence))
    folded = [_forms(w.group()) for w in words]
    for phrase in role.arabic:
        for i in range(len(words)):
            if not _starts(folded, i, phrase):
                continue
            j = i + len(phrase)
            # the role's complement, a place, a rank: definite words, «في المحافظة», the question's;
            # a complement with «ل» («رئيس وزراء لجمهورية ألمانيا الديمقراطية (الشرقية)، لوثار…»,
            # «المدير العام لدنفر») runs to a comma, and only a name in apposition after it counts
            complement = False
            while j < len(words) and j < i + len(phrase) + ROLE_GAP_WORDS:
                w = normalize(words[j].group())
                between = sentence[words[j - 1].end() : words[j].start()]
                if complement:
                    if re.search(r"[،,]", between):
                        complement = False
                        break
                    j += 1
                    continue
                if _CLAUSE.search(between):
                    break
                if _GENITIVE_LAM.match(w) or w == "باسم":
                    complement = True
                    j += 1
                    continue
                definite = re.match(r"^[وفبل]?(?:ال|لل)", w) is not None
                if not _ALI.match(words[j].group()) and (
                    definite or w in _PREPOSITIONS or content_keys(w) <= question_keys
                ):
                    j += 1
                    continue
                break
            if complement:
                continue
            if (
                j + 1 < len(words)
                and re.search(r"[،,]", sentence[words[j - 1].end() : words[j].start()])
                and _NISBA.match(normalize(words[j].group()))
            ):
                j += 1  # «مدرب الفيصلي، البرتغالي جواو موتا»: the nationality before the name
            name: list[re.Match[str]] = []
            for k in range(j, min(len(words), j + NAME_WORDS)):
                w = normalize(words[k].group())
                keys = content_keys(w)
                if name and _CLAUSE.search(sentence, words[k - 1].end(), words[k].start()):
                    break
                if _ALI.match(words[k].group()):
                    keys = {"علي"}
                if not keys or keys <= question_keys or (not name and w.startswith("ال")):
                    break
                if name and w.startswith("و") and len(w) > 4:  # «… الخطيب ووزير النقل»
                    break
                if len(name) == 2 and not (w.startswith("ال") or _particle(name[-1].group())):
                    break  # a third word is a family name («… الزعبي») or follows «بن»/«عبد»/«دي»
                name.append(words[k])
            if name:
                return Named(name[0].start(), name[-1].end(), sentence[name[0].start() : name[-1].end()])
    return None


_EN_TITLES = frozenset(["mr", "mrs", "ms", "dr", "sir", "dame", "prof", "professor"])


def _english_name(sentence: str, role: Role, question_keys: set[str]) -> Named | None:
    low = sentence.lower()
    for phrase in role.english:
        for m in re.finditer(r"(?<![a-z])" + r"\s+".join(map(re.escape, phrase)) + r"(?![a-z])", low):
            for c in name_candidates(sentence):
                words = list(re.finditer(r"\S+", c.text))
                # a title run ("Mayor Kakha Kaladze", "Chief executive …") keeps the name only
                while words and (
                    words[0].group().lower() in phrase or words[0].group().lower().rstrip(".") in _EN_TITLES
                ):
                    words = words[1:]
                if not words or c.end <= m.end():
                    continue
                start = c.start + words[0].start()
                gap = sentence[m.end() : start] if start >= m.end() else ""
                if content_keys(sentence[start : c.end]) <= question_keys:
                    continue  # the role's complement the question names ("director of the Office …")
                if _EN_NEXT.match(gap) or _EN_APPOSITION.match(gap):
                    return Named(start, c.end, sentence[start : c.end])
    return None


_EN_NEXT = re.compile(r"^[ ,]{0,3}$|^\s+(?!(?:of|at|for|in|on|to|from|with)\b)[a-z]+\s+$")
"""What may stand between an English role and its holder's name: nothing, a comma, or one lower
case word that is no preposition ("Chief executive Maria …", "mayor, Kakha …", "leader, said
James …" is not matched: two words)."""
_EN_APPOSITION = re.compile(r"^\s+(?:of|for|at)\s+[^,.;:()]{1,60},\s*$")
"""A role, its complement, then the name in apposition: "the mayor of Tbilisi, Kakha Kaladze"."""


def name_after_role(sentence: str, role: Role, question_keys: set[str]) -> Named | None:
    """The name written after ``role`` in ``sentence`` (Arabic or English), else None.

    Args:
        sentence: One sentence, any script.
        role: The asked role (:func:`asked_role`).
        question_keys: The question's content keys: its words are the role's complement, not
            the name («رئيس البلدية» for «رئيس بلدية نابلس»).
    """
    if _AR_WORD.search(sentence) and not re.search(r"[A-Za-z]{3}", sentence):
        return _arabic_name(sentence, role, question_keys)
    return _english_name(sentence, role, question_keys)


def titled_name(sentence: str, question_keys: set[str]) -> Named | None:
    """The name after a title in an Arabic sentence («اللاعب يوسف العمراني» → «يوسف العمراني»), for
    a who-question in another language: Arabic has no capitals to find names by, and an English
    question shares no word with the sentence to stand next to."""
    if not _AR_WORD.search(sentence) or re.search(r"[A-Za-z]{3}", sentence):
        return None
    return _arabic_name(sentence, TITLES, question_keys)
