"""Nouns that news counts, in English and Arabic: "How many families…" over «أجلت 37 عائلة».

One job: :func:`counterparts` gives, for the rough stem of a counted noun
(:func:`stem`), the stems of the same noun in the other language, so a
question's counted noun meets the noun written after a number in an article of the other
language ("homes" ↔ «220 ألف منزل», «كم عائلة…» ↔ "12 families"). Without it an English question
over an Arabic article counts nothing and leads with whatever number scores best (newcomer check,
session 5: "How many families were evacuated in Irbid?" → «2.4 مليون دينار»).

The table is ours: the things local and wire news count most often (people and the places,
buildings, vehicles and events they are counted in), each English noun in singular and plural
and each Arabic noun in its singular, plural(s), accusative tanween («منزلا») and dual
(«عائلتين») forms. Units of measure are not here (:mod:`rag.answer.answer_types` reads them as
measures): a row says "this noun is that noun".

Nouns for people are also sorted into kinds (:func:`person_kinds`, session 7): a count of one kind
of person ("How many passengers…", «كم عدد الركاب…») is answered by a number of that kind, not by
any number of people ("22 crew members" is no count of passengers); only a question counting
people in general ("people", «أشخاص») takes a number of any kind.
"""

from __future__ import annotations

import re

from rag.text.sentences import normalize

_ROWS_TEXT = """
family families | عائلة عائلات عائلتين اسرة اسر اسرتين
home homes house houses household households | منزل منازل منزلا منزلين بيت بيوت بيتا بيتين مسكن مساكن
apartment apartments flat flats | شقة شقق شقتين
building buildings | مبنى مباني مبنيين بناية بنايات
school schools | مدرسة مدارس مدرستين
clinic clinics | عيادة عيادات عيادتين
hospital hospitals | مستشفى مستشفيات مستشفيين
library libraries | مكتبة مكتبات مكتبتين
mosque mosques | مسجد مساجد مسجدا مسجدين
church churches | كنيسة كنائس كنيستين
village villages | قرية قرى قريتين
town towns city cities | مدينة مدن مدينتين بلدة بلدات
neighbourhood neighbourhoods neighborhood neighborhoods district districts | حي احياء حيا حيين
country countries | دولة دول دولتين بلد بلدان بلدا
company companies firm firms | شركة شركات شركتين
shop shops store stores | متجر متاجر محل محال محلات
job jobs | وظيفة وظائف فرصة فرص
car cars vehicle vehicles | سيارة سيارات مركبة مركبات
bus buses | حافلة حافلات
truck trucks lorry lorries | شاحنة شاحنات
train trains | قطار قطارات
plane planes aircraft | طائرة طائرات
ship ships vessel vessels boat boats | سفينة سفن مركب قارب قوارب
container containers | حاوية حاويات
flight flights trip trips | رحلة رحلات
route routes | مسار مسارات
station stations | محطة محطات
bridge bridges | جسر جسور
road roads street streets | طريق طرق شارع شوارع
park parks garden gardens | حديقة حدائق
tree trees | شجرة اشجار
book books | كتاب كتب
seat seats | مقعد مقاعد
bed beds | سرير
room rooms | غرفة غرف
tent tents | خيمة خيام
goal goals | هدف اهداف
medal medals | ميدالية ميداليات
match matches game games | مباراة مباريات
project projects | مشروع مشاريع
member members | عضو اعضاء
worker workers | عامل عمال
employee employees | موظف موظفين موظفا
student students | طالب طلاب طلبة
pupil pupils | تلميذ تلاميذ
child children | طفل اطفال
patient patients | مريض مرضى
doctor doctors | طبيب اطباء
teacher teachers | معلم معلمين معلما
spectator spectators | متفرج متفرجين متفرجا
fan fans supporter supporters | مشجع مشجعين مشجعا
visitor visitors | زائر زوار زائرا
tourist tourists | سائح سياح سائحا
passenger passengers traveller travellers traveler travelers | راكب ركاب مسافر مسافرين مسافرا
runner runners | عداء عدائين
player players | لاعب لاعبين لاعبا
soldier soldiers | جندي جنود
volunteer volunteers | متطوع متطوعين متطوعا
refugee refugees | لاجئ لاجئين لاجئا
resident residents | ساكن سكان مقيم مقيمين
victim victims | ضحية ضحايا
injured wounded | مصاب مصابين جريح جرحى
dead deaths killed | قتيل قتلى وفاة وفيات
"""


def stem(word: str) -> str:
    """A rough stem for counting nouns: «عيادات»/«عيادة» → عياد, «مريضا» → مريض, "routes" → route."""
    w = normalize(word)
    if re.match(r"[\u0600-\u06FF]", w):
        w = re.sub(r"^(?:[وفب]?ال|[وفب](?=\w{4}))", "", w)
        w = re.sub(r"(?:ات|ين|ون|ا|ه)$", "", w) if len(w) > 3 else w
        return w
    return re.sub(r"(?:ies|es|s)$", "", w) if len(w) > 3 else w


def _rows() -> list[tuple[frozenset[str], frozenset[str]]]:
    out = []
    for line in _ROWS_TEXT.strip().splitlines():
        en, ar = line.split("|")
        out.append((frozenset(stem(w) for w in en.split()), frozenset(stem(w) for w in ar.split())))
    return out


_TABLE: list[tuple[frozenset[str], frozenset[str]]] = []


def same_stem(a: str, b: str) -> bool:
    """Two rough stems of one noun: equal, or one a prefix of the other when both have at least
    four letters («عائلت» of the dual «عائلتين» and «عائل»; "famil" and "family")."""
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))


def counterparts(word_stem: str) -> frozenset[str]:
    """Stems of ``word_stem``'s noun in the other language (empty when it is not in the table).

    The stem must be one of the row's exactly: with prefixes, "plays" (play) was a "player"
    (DEV en→ar); each row lists the singular, plural and dual forms instead.

    Args:
        word_stem: A rough stem (:func:`stem`): "famil", «منزل».

    Returns:
        The stems of the table row's other side: {عائل, اسر, عائلت…} for "famil".
    """
    if not _TABLE:
        _TABLE.extend(_rows())
    out: set[str] = set()
    for en, ar in _TABLE:
        if word_stem in en:
            out |= ar
        if word_stem in ar:
            out |= en
    return frozenset(out)


GENERIC_PEOPLE = "people"
"""The kind of the nouns that count people in general ("people", «أشخاص», "residents")."""

# Kinds of people news counts: ``kind: English nouns | Arabic nouns [| marks]``, every noun in its
# singular and plural (Arabic also accusative and sound plural forms), normalize()d. Ours, from the
# people local and wire news count (passengers and crews, pupils and staff, crowds, troops, the
# injured and the dead). A kind that is what befell people (injured, dead, victims) has *marks*:
# word beginnings that, standing near a number of people, say the number counts that kind
# («إصابة 14 شخصا» for «كم عدد المصابين», «أودى بحياة مليون شخص» and "14 people were killed" for
# «كم عدد القتلى»).
# Residents and citizens are people in general: "How many residents were evacuated?" is answered by
# "12,400 people". Population nouns («سكان», «نسمة») are no kind: a town's population is not the
# number of people at an event (:func:`rag.answer.answer_fit.population_figure` reads them).
_PEOPLE_TEXT = """
people: people persons person individuals residents citizens civilians locals \
    | شخص اشخاص شخصا شخصين فرد افراد مواطن مواطنين مواطنا
passenger: passenger passengers traveller travellers traveler travelers commuters commuter \
    | راكب ركاب راكبا مسافر مسافرين مسافرا
crew: crew crews crewman crewmen sailor sailors seaman seamen | طاقم طواقم بحار بحاره
pupil: student students pupil pupils schoolchildren | طالب طلاب طلبه طالبا تلميذ تلاميذ تلميذا
teacher: teacher teachers | معلم معلمين معلما مدرس مدرسين
doctor: doctor doctors physician physicians | طبيب اطباء
nurse: nurse nurses | ممرض ممرضين ممرضه ممرضات
patient: patient patients | مريض مرضي مريضا
child: child children kid kids | طفل اطفال طفلا
man: man men | رجل رجال
woman: woman women | امراه نساء سيده سيدات
worker: worker workers employee employees staff labourer labourers laborer laborers \
    | عامل عمال عاملا موظف موظفين موظفا
soldier: soldier soldiers troop troops | جندي جنود عسكري عسكريين
police: police policeman policemen officer officers | شرطي شرطه ضابط ضباط
firefighter: firefighter firefighters | اطفائي اطفائيين
rescuer: rescuer rescuers paramedic paramedics | مسعف مسعفين منقذ منقذين
player: player players athlete athletes | لاعب لاعبين لاعبا رياضي رياضيين
runner: runner runners | عداء عدائين عداءا
audience: spectator spectators fan fans supporter supporters attendee attendees crowd \
    | متفرج متفرجين متفرجا مشجع مشجعين مشجعا جمهور جماهير
visitor: visitor visitors tourist tourists | زائر زوار زائرا سائح سياح سائحا
pilgrim: pilgrim pilgrims | حاج حجاج حاجا
worshipper: worshipper worshippers | مصلي مصلين
refugee: refugee refugees migrant migrants displaced | لاجئ لاجئين لاجئا نازح نازحين نازحا مهاجر مهاجرين
volunteer: volunteer volunteers | متطوع متطوعين متطوعا
voter: voter voters | ناخب ناخبين ناخبا
protester: protester protesters demonstrator demonstrators | متظاهر متظاهرين متظاهرا محتج محتجين
member: member members | عضو اعضاء عضوا
participant: participant participants delegate delegates guest guests \
    | مشارك مشاركين مشاركا ضيف ضيوف مندوب مندوبين
injured: injured wounded | مصاب مصابين مصابا جريح جرحي | injur wound hurt اصيب اصاب جرح جريح جروح
dead: dead killed deaths fatalities | قتيل قتلي وفاه وفيات \
    | kill die died death dead fatal lives قتل مقتل قتيل قتلي حتف توفي وفاه وفيات اودي
victim: victim victims casualty casualties | ضحيه ضحايا \
    | victim casualt kill die died death dead lives injur wound ضحي قتل مقتل قتيل حتف توفي وفاه اودي اصيب اصاب
"""


def _people_rows() -> list[tuple[str, frozenset[str], tuple[str, ...]]]:
    """``(kind, stems of its English and Arabic nouns, marks)`` per row of :data:`_PEOPLE_TEXT`."""
    out = []
    for line in _PEOPLE_TEXT.strip().splitlines():
        kind, rest = line.split(":", 1)
        english, arabic, *marks = rest.split("|")
        # a stem of two letters is some other word's too: «وفيات» strips to «في» ("in")
        stems = frozenset(t for t in (stem(w) for w in f"{english} {arabic}".split()) if len(t) >= 3)
        out.append((kind.strip(), stems, tuple(" ".join(marks).split())))
    return out


_PEOPLE: list[tuple[str, frozenset[str], tuple[str, ...]]] = []


def person_kinds(word: str) -> frozenset[str]:
    """The kinds of people ``word`` counts ({"passenger"} for "passengers" and «الركاب»,
    {"people"} for «شخصا»; empty for a word that is no noun for people), by its rough stem
    (:func:`stem`), whole: a prefix match made "plays" a "player" (DEV en→ar)."""
    if not _PEOPLE:
        _PEOPLE.extend(_people_rows())
    s = stem(word)
    return frozenset(kind for kind, stems, _ in _PEOPLE if s in stems)


def people_marks(kinds: frozenset[str]) -> tuple[str, ...]:
    """The word beginnings that say a number of people counts one of ``kinds`` (module table:
    «اصاب» for "injured"); empty for kinds that are not what befell people."""
    if not _PEOPLE:
        _PEOPLE.extend(_people_rows())
    return tuple(m for kind, _, marks in _PEOPLE if kind in kinds for m in marks)


def marked(word: str, marks: tuple[str, ...]) -> bool:
    """True when ``word``, without a leading conjunction, preposition or article, begins with one of
    ``marks`` («وإصابة» → اصابه begins with اصاب; "killed" with kill)."""
    w = normalize(word).lower()
    forms = {w, re.sub(r"^(?:[وفبل]?ال|لل)", "", w)}
    if len(w) > 4 and w[0] in "وفبل":
        forms.add(w[1:])
    return any(f.startswith(m) for f in forms for m in marks)
