"""Citation styles real small models write become Sanad's [n] markers (rag/answer/citation_styles.py).

The styles were collected from SmolLM2-135M served by llama.cpp (tests/llm) and from the
Ollama/vLLM small models the issue lists. Numbers that name no passage stay text.
"""

from __future__ import annotations

import pytest

from rag.answer.citation_styles import canonical_markers
from rag.answer.citations import parse_markers, resolve_citations
from tests.rag.answer.conftest import ECB_EN, FLOOD_EN, SEED_AR, passages

STYLES = {
    "adjacent": ("Rates fell [1][2].", "Rates fell [1][2]."),
    "comma list": ("Rates fell [1, 2].", "Rates fell [1, 2]."),
    "lenticular": ("Rates fell 【1】【2】.", "Rates fell [1][2]."),
    "footnote": ("Rates fell [^1].\n\n[^1]: ECB cuts rates.", "Rates fell [1].\n\n"),
    "parenthesis": ("Rates fell (1). In (2019) they rose.", "Rates fell [1]. In (2019) they rose."),
    "source word": ("Rates fell, says Source 2.", "Rates fell, says [2]."),
    "source colon": ("Rates fell (Source: 1).", "Rates fell [1]."),
    "passage word": ("Rates fell [Passage 3].", "Rates fell [3]."),
    "arabic source": ("انخفضت الفائدة، وفق المصدر 2.", "انخفضت الفائدة، وفق [2]."),
    "code span": ("Rates fell `[1]`.", "Rates fell [1]."),
    "sources list": ("Rates fell.\n\nSources:\n[1] ECB cuts rates\n2. Floods", "Rates fell [1][2]."),
    "bold sources list": ("Rates fell [2].\n\n**Sources:**\n- [2] Floods", "Rates fell [2]."),
    "template placeholder mid-line": ("Rates fell [n] on Monday [1].", "Rates fell on Monday [1]."),
    "template placeholder": (
        "Rates fell.\n\n[n] The bank cut rates [1].",
        "Rates fell.\n\nThe bank cut rates [1].",
    ),
    "arabic sources list": ("انخفضت الفائدة.\n\nالمصادر:\n[1] البنك", "انخفضت الفائدة [1]."),
}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_style_becomes_markers(style: str) -> None:
    raw, expected = STYLES[style]
    assert canonical_markers(raw, 3) == expected


@pytest.mark.parametrize(
    "text",
    [
        "(1) first, (2) second",  # an enumeration, not citations
        "Source 9 says so.",  # no passage 9
        "In (2019) rates rose.",
        "Plain answer without any marker.",
    ],
)
def test_what_is_not_a_citation_stays_text(text: str) -> None:
    assert canonical_markers(text, 3) == text


def test_resolve_citations_accepts_every_style() -> None:
    ps = passages(ECB_EN, FLOOD_EN, SEED_AR)
    for style, (raw, _) in STYLES.items():
        text, citations = resolve_citations(raw, ps)
        assert citations, style
        assert parse_markers(text) and all(1 <= n <= len(citations) for n in parse_markers(text)), style


def test_fullwidth_markers_stay_text() -> None:
    """``［1］`` is how article markers are defused: a model copying one cites nothing."""
    assert canonical_markers("Rates fell ［1］.", 3) == "Rates fell ［1］."
    text, citations = resolve_citations("Rates fell ［1］.", passages(ECB_EN, FLOOD_EN, SEED_AR))
    assert citations == () and parse_markers(text) == []
