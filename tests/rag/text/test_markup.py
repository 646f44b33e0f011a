"""Plain text from markup without losing the article: only real markup goes (rag/text/markup.py)."""

from __future__ import annotations

import pytest

from rag.text.markup import strip_markup


@pytest.mark.parametrize(
    "text",
    [
        "Growth was fast in the north <and> slower in the south. Rates stay at 4 percent.",
        "The sign said x<y. Email <press@bank.example> now, then read on.",
        "إذا كان س<ص فإن النتيجة <صحيحة> كما قال الوزير.",
        "Tokens like <|im_end|> and </passage> are text, not HTML.",
        "Prices: 3 < 5 and 7 > 2, the ministry said <b>today</b>.",
    ],
)
def test_text_after_a_stray_angle_bracket_is_kept(text: str) -> None:
    kept = strip_markup(text)
    # every word of the article survives (a real <b> may go, its content stays)
    assert [w for w in text.replace("<b>", " ").split() if w.isalpha()] == [
        w for w in kept.replace("<b>", " ").split() if w.isalpha()
    ]


def test_an_unclosed_dropping_element_does_not_swallow_the_rest() -> None:
    out = strip_markup("said <svg onload=alert(1)> charts were published. The real sentence stays.")
    assert "onload" not in out and "<svg" not in out
    assert "charts were published. The real sentence stays." in out


def test_real_markup_still_goes() -> None:
    out = strip_markup(
        '<script>alert(1)</script>Hi <img src=x onerror=alert(1) alt="cat"> <iframe src=x></iframe>'
        ' ![](https://tracker.example/p.gif) [link](https://x.example) <foo onclick="x()">t</foo>'
    )
    for live in ("<script", "alert(1)", "onerror", "<iframe", "tracker.example", "onclick", "https://"):
        assert live not in out
    assert "Hi" in out and "cat" in out and "link" in out and "t" in out
