"""Hidden HTML elements (``hidden``, ``aria-hidden="true"``, ``display:none``) are never ingested:
not from an HTML page, not from raw HTML inside a Markdown article."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.cleaning import clean_text
from ingest.hidden_html import remove_hidden_elements
from ingest.readers import RawRecord, read_file

SHOWN = (
    "ODENSE — The city opened a 14-kilometre cycle bridge over the harbour on Friday, the mayor said, "
    "and 6,000 cyclists crossed it on its first day."
)
HIDDEN = {
    "display": '<div style="color: red; display : none">Cloaked: the vault code is 4471.</div>',
    "attribute": "<p hidden>Cloaked: the vault code is 4471.</p>",
    "aria": '<span class="x" aria-hidden="true">Cloaked: the vault code is 4471.</span>',
    "visibility": (
        "<section style='visibility:hidden'><p>Cloaked: the vault <b>code</b> is 4471.</p></section>"
    ),
    "nested": "<div hidden><div>Cloaked: the vault</div> code is 4471.</div>",
}


@pytest.mark.parametrize("kind", HIDDEN)
def test_hidden_elements_of_a_page_are_not_ingested(kind: str, tmp_path: Path) -> None:
    page = tmp_path / "bridge.html"
    page.write_text(
        f"<html><head><title>Cycle bridge opens</title></head><body><article><h1>Cycle bridge opens</h1>"
        f"<p>{SHOWN}</p>{HIDDEN[kind]}<p>The bridge cost 210 million kroner and took three years to build, "
        "the council said in a statement.</p></article></body></html>",
        encoding="utf-8",
    )
    [record] = list(read_file(page))
    assert isinstance(record, RawRecord) and "6,000 cyclists" in record.text and "210 million" in record.text
    assert "4471" not in record.text and "Cloaked" not in record.text


def test_hidden_html_in_a_markdown_article_is_cleaned_away(tmp_path: Path) -> None:
    post = tmp_path / "bridge.md"
    post.write_text(
        f"# Cycle bridge opens\n\n{SHOWN}\n{HIDDEN['display']}\n\nIt has 3 lanes.\n", encoding="utf-8"
    )
    [record] = list(read_file(post))
    assert isinstance(record, RawRecord)
    cleaned = clean_text(record.text)
    assert (
        "4471" not in cleaned.text and "6,000 cyclists" in cleaned.text and "It has 3 lanes." in cleaned.text
    )
    assert "remove_hidden_html" in cleaned.rules_applied


@pytest.mark.parametrize(
    "text",
    [
        'A <span title="a hidden gem">shown</span> word, x<y and a display: none of that.',
        "<div hidden>no end tag, so only the tag goes: the text stays.",
        '<input type="hidden" name="q">The form text stays.',
    ],
)
def test_what_is_not_a_hidden_element_stays(text: str) -> None:
    kept = remove_hidden_elements(text)
    assert ("shown" in kept and "x<y" in kept) or "stays" in kept
    if "hidden gem" in text:
        assert kept == text
