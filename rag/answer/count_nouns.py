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
measures), nor are people nouns matched to each other (:func:`rag.answer.answer_fit.is_person_noun`
already lets any noun for people answer a count of people): a row says "this noun is that noun".
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
