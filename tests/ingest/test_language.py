"""Language detection and title guessing."""

from __future__ import annotations

import pytest

from ingest.language import detect_language, guess_title


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
