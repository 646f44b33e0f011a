"""Language detection and title guessing."""

from __future__ import annotations

import pytest

from ingest.language import checked_language, detect_language, guess_title
from ingest.pipeline import build_article
from ingest.readers import RawRecord


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("شكر الرئيس الروسي فلاديمير بوتين كوريا الشمالية على دعم تصرفاتها في أوكرانيا.", "ar"),
        ("Putin visits Pyongyang: بوتين يزور بيونغ يانغ لعقد قمة مع الزعيم الكوري الشمالي", "ar"),
        ("The council voted on Tuesday to approve the new budget for the city.", "en"),
        ("Le conseil municipal a voté mardi pour approuver le nouveau budget de la ville.", "fr"),
        ("رئیس جمهور روسیه برای دیدار با رهبر کره شمالی به پیونگ یانگ سفر کرد و گفتگو کرد.", "fa"),
        ("", "und"),
        ("12345 -- 3.5 % !!", "und"),
    ],
)
def test_detect_language(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_detect_language_looks_at_the_start_only() -> None:
    text = "The council voted on Tuesday to approve the budget. " * 50 + "مرحبا بالعالم " * 1000
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Putin visits Pyongyang\nThe visit is the first in 24 years.", "Putin visits Pyongyang"),
        ("\n\n  بوتين يزور بيونغ يانغ  \nنص الخبر.", "بوتين يزور بيونغ يانغ"),
        ("Will the talks succeed?\nBody.", "Will the talks succeed?"),
        ("هل تنجح المحادثات؟\nنص.", "هل تنجح المحادثات؟"),
        ("This first line is a sentence.\nBody.", None),
        ("Seoul, South Korea:\nBody.", None),
        ("سيول، كوريا الجنوبية،\nنص.", None),
        ("Only one line", None),
        ("2024-06-18\nBody.", None),
        ("x" * 121 + "\nBody.", None),
    ],
)
def test_guess_title(text: str, title: str | None) -> None:
    assert guess_title(text) == title


def test_guess_title_max_chars() -> None:
    assert guess_title("abcdef\nbody", max_chars=5) is None
    assert guess_title("abcde\nbody", max_chars=5) == "abcde"


# Mixed-language articles (newcomer findings): the narrative decides, not quotes or the title.
ARABIC_QUOTING_ENGLISH = (
    "أعلنت الشركة: "
    '"We are opening our first regional office in the Middle East because the demand from developers '
    'in the Gulf has grown faster than anywhere else in the world, and we want to be close to them." '
    'وقال الوزير: "This partnership with Microsoft, Google and Amazon Web Services will train ten '
    'thousand engineers by the end of next year across the region."'
)
ENGLISH_QUOTING_ARABIC = (
    "The minister told reporters in Amman: "
    "«إن الحكومة ماضية في تنفيذ خطة التحديث الاقتصادي وستعلن قريبا عن حزمة جديدة من المشاريع الكبرى "
    "في قطاعات الطاقة والمياه والنقل والسياحة والزراعة» and left without taking questions."
)


@pytest.mark.parametrize(
    ("text", "code"),
    [(ARABIC_QUOTING_ENGLISH, "ar"), (ENGLISH_QUOTING_ARABIC, "en")],
)
def test_quotes_in_another_language_do_not_decide(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_a_quote_alone_still_has_its_language() -> None:
    assert detect_language("«إن الحكومة ماضية في تنفيذ خطة التحديث الاقتصادي»") == "ar"
    assert detect_language('"The council voted on Tuesday to approve the budget."') == "en"


def test_the_body_decides_not_the_title() -> None:
    title = "افتتاح المكتب الإقليمي الأول للشركة في الشرق الأوسط لخدمة المطورين في دول الخليج"
    text = f"{title}\n\nThe company opened its office in Riyadh on Monday, its spokesman said."
    record = RawRecord(text, None, None, None, None, None, None, "x.txt", "txt")
    article = build_article(record, "/x.txt")
    assert article.title == title and article.language == "en"
    given = RawRecord(
        "The company opened its office in Riyadh.", title, None, None, None, None, None, "f:1", "jsonl"
    )
    assert build_article(given, "/f.jsonl").language == "en"


@pytest.mark.parametrize("given", ["ar", "en-GB", "zh-Hant", "ar_JO", "und", "AR", "fil", "tlh", None])
def test_language_codes_are_kept(given: str | None) -> None:
    record = RawRecord("Text.", None, None, None, None, given, None, "f.jsonl:1", "jsonl")
    assert checked_language(record) == (record, None)


@pytest.mark.parametrize("given", ["klingon", "Arabic", "العربية", "e", "en gb", "xx", "zz-ZZ", "ara"])
def test_a_language_that_is_no_code_is_dropped_with_a_warning(given: str) -> None:
    """nc8 D10: "klingon" was stored and shown in stats, filters and answer notices."""
    record = RawRecord("Text.", None, None, None, None, given, None, "f.jsonl:5", "jsonl")
    checked, warning = checked_language(record)
    assert checked.language is None and warning is not None
    assert (warning.where, warning.kind) == ("f.jsonl:5", "warning")
    assert (
        warning.reason
        == f"field 'language' is not a language code: {given!r}; detected from the text instead"
    )


@pytest.mark.parametrize(
    ("given", "text", "why"),
    [
        ("en", "افتتحت وزارة الأشغال جسراً جديداً في الكرك بطول 300 متر.", "the text is Arabic"),
        ("fr-FR", "<p>افتتحت وزارة الأشغال جسراً جديداً في الكرك بطول 300 متر.</p>", "the text is Arabic"),
        ("ar", "The ministry opened a new bridge in Karak.", "the text has no Arabic letter"),
    ],
)
def test_a_language_its_script_rules_out_is_dropped_with_a_warning(given: str, text: str, why: str) -> None:
    """nc8 D10: "lang: en" on an Arabic body was stored as English without a word."""
    record = RawRecord(text, None, None, None, None, given, None, "f.jsonl:2", "jsonl")
    checked, warning = checked_language(record)
    assert checked.language is None and warning is not None
    assert warning.reason == f"field 'language' is {given!r} but {why}; detected from the text instead"
    assert build_article(checked, "/f.jsonl").language == ("en" if given == "ar" else "ar")


@pytest.mark.parametrize(
    ("given", "text"),
    [
        ("en", "The minister said «نحن ملتزمون» on Monday, and the bridge opened to traffic."),
        ("ar", "وقال الوزير إن الجسر سيفتح يوم الاثنين"),
        ("ar", "OK."),  # too short to judge
        ("fa", "این یک خبر کوتاه دربارهٔ پل تازه در کرک است که گشایش یافت."),
    ],
)
def test_a_language_the_script_allows_is_kept(given: str, text: str) -> None:
    record = RawRecord(text, None, None, None, None, given, None, "f.jsonl:3", "jsonl")
    assert checked_language(record) == (record, None)
