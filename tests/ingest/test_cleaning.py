"""Cleaning: each debris rule, the order they run in, and the real sample article."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.cleaning import (
    RULES,
    clean_text,
    collapse_whitespace,
    extract_source_footer,
    normalize_newlines,
    normalize_nfkc,
    remove_ad_markers,
    remove_invisible,
)
from tests.fixtures.hostile import HOSTILE, live_markup

SAMPLE = Path("/work/shared/samples/ar-putin-pyongyang-visit.txt")


def test_nfkc_folds_arabic_presentation_forms() -> None:
    assert normalize_nfkc("\ufefb") == "لا"
    assert normalize_nfkc("\ufe8d\ufedf\ufee4") == "الم"  # isolated alef, initial lam, medial meem
    assert normalize_nfkc("ﬁle\u00a0ＡＢＣ") == "file ABC"


def test_remove_invisible_characters() -> None:
    dirty = "\u200fمر\u200bحبا\u202b \u2066x\u2069\u061c\ufeffco\u00adop\u200d"
    assert remove_invisible(dirty) == "مرحبا xcoop"


def test_normalize_newlines() -> None:
    assert normalize_newlines("a\r\nb\rc\u2028d\u2029e") == "a\nb\nc\nd\n\ne"


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("[ad_1]\nText", "\nText"),
        ("Text [AD_2] more", "Text  more"),
        ("[ad]x[/ad]", "x"),
        ("[Advertisement] news", " news"),
        ("[adx] [add_1] [ad_]", "[adx] [add_1] [ad_]"),
    ],
)
def test_remove_ad_markers(dirty: str, clean: str) -> None:
    assert remove_ad_markers(dirty) == clean


@pytest.mark.parametrize(
    ("text", "body", "source"),
    [
        ("Body.\nالمصدر", "Body.", None),
        ("Body.\nالمصدر:\n\n", "Body.", None),
        ("Body.\nSOURCE", "Body.", None),
        ("Body.\nSources:", "Body.", None),
        ("Body.\nSource: Reuters", "Body.", "Reuters"),
        ("Body.\nsource: Reuters.", "Body.", "Reuters"),
        ("نص.\nالمصدر: الجزيرة", "نص.", "الجزيرة"),
        ("نص.\nالمصدر : وكالات", "نص.", "وكالات"),
    ],
)
def test_source_footer_removed(text: str, body: str, source: str | None) -> None:
    assert extract_source_footer(text) == (body, source)


@pytest.mark.parametrize(
    "text",
    [
        "Body.\nSources said the talks failed.",  # a value needs the colon
        "المصدر: الجزيرة\nوهذا آخر سطر في الخبر.",  # not the last line
        "Body.\nSource: " + "x" * 200,  # too long to be a source name
        "Body.\nResource",
    ],
)
def test_source_footer_kept(text: str) -> None:
    assert extract_source_footer(text) == (text, None)


def test_collapse_whitespace() -> None:
    assert collapse_whitespace("a  \t b\n\n\n\nc\td") == "a b\n\nc d"


def test_clean_text_full_order_and_report() -> None:
    raw = (
        "\ufeff[ad_1]\r\n  Title  \r\n\r\n\r\n\r\n"
        "Body\u200b <b>text</b><i hidden>cloak</i> \ufefb.  \r\n[ad_2]\r\nSource: AP \r\n"
    )
    cleaned = clean_text(raw)
    assert cleaned.text == "Title\n\nBody text لا."
    assert cleaned.source_name == "AP"
    assert cleaned.rules_applied == (
        "drop_bom",
        "normalize_nfkc",
        "remove_invisible",
        "normalize_newlines",
        "remove_hidden_html",
        "remove_markup",
        "remove_ad_markers",
        "remove_source_footer",
        "strip_lines",
        "collapse_whitespace",
        "strip_text",
    )
    assert [name for name, _ in RULES] == list(cleaned.rules_applied)


def test_clean_text_is_idempotent_and_quiet_on_clean_text() -> None:
    once = clean_text("Hello   world.\n\n\n\nBye.\nSource: X")
    twice = clean_text(once.text)
    assert twice.text == once.text == "Hello world.\n\nBye."
    assert twice.rules_applied == ()
    assert twice.source_name is None


def test_only_debris_becomes_empty() -> None:
    assert clean_text("[ad_1]\n\u200b\n [ad_2] \nالمصدر\n").text == ""
    assert clean_text("   ").text == ""


def test_sample_article() -> None:
    raw = SAMPLE.read_text(encoding="utf-8")
    assert raw.startswith("[ad_1]") and raw.rstrip().endswith("[ad_2]\nالمصدر")
    cleaned = clean_text(raw)
    assert cleaned.text.startswith("سيول")
    assert "[ad_" not in cleaned.text
    assert not cleaned.text.endswith("المصدر")
    assert cleaned.text.endswith("قال في بيان.")
    assert cleaned.source_name is None
    assert "remove_ad_markers" in cleaned.rules_applied
    assert "remove_source_footer" in cleaned.rules_applied


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize(
    "before, after",
    [
        ("صادق البرلمان على الميزانية ", " بأغلبية 80 صوتا."),
        ("Parliament approved the budget ", " by 80 votes."),
    ],
)
def test_live_markup_is_removed_and_the_facts_kept(kind: str, before: str, after: str) -> None:
    cleaned = clean_text(f"{before}{HOSTILE[kind]}{after}").text
    assert live_markup(cleaned) == [], cleaned
    assert cleaned == f"{before}{after}".replace("  ", " ").strip()
    assert "remove_markup" in clean_text(f"{before}{HOSTILE[kind]}{after}").rules_applied


def test_alt_text_and_link_text_stay() -> None:
    raw = (
        'Map: ![خريطة غزة](https://cdn.example/map.png "map") and <img alt="the harbour" src=h.jpg>. '
        "Read [the full report](https://example.com/r_(2024)) or <a href='https://e.example'>this</a>."
    )
    assert clean_text(raw).text == ("Map: خريطة غزة and the harbour. Read the full report or this.")


def test_escaped_markup_cannot_come_back_live_and_plain_text_is_untouched() -> None:
    sneaky = "&lt;script&gt;alert(1)&lt;/script&gt; <b>bold</b> <scr<script>x</script>ipt>go()</script>"
    assert live_markup(clean_text(sneaky).text) == []
    plain = "AT&amp;T rose 3% as 3 < 5 and x > 2; see [1] and [a] (b)."
    assert clean_text(plain).text == plain and clean_text(plain).rules_applied == ()
