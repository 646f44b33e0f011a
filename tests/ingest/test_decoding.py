"""ASCII text with stray bytes is not stored as silent mojibake (nc8 report, D7): it is read as
UTF-8 with U+FFFD and a warning naming line and byte, while Latin-1, Windows-1252 and
Windows-1256 files keep decoding as before, without a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.decoding import decode_bytes
from ingest.readers import RawRecord, ReadProblem, read_file

STRAY = b"Mafraq refugee camp\nThe camp hosts 80,000 refugees, UNHCR said. \xff\xfe\xc3\x28 bad bytes.\n"


def test_ascii_with_stray_bytes_is_read_with_replacements_and_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "camp.txt"
    path.write_bytes(STRAY)
    warning, record = read_file(path)
    at = STRAY.index(b"\xff")
    assert isinstance(warning, ReadProblem) and (warning.kind, warning.where) == ("warning", str(path))
    assert (
        warning.reason == f"invalid UTF-8 at line 2 (byte {at}); 3 invalid byte sequences replaced by U+FFFD"
    )
    assert isinstance(record, RawRecord)
    assert record.text.endswith("UNHCR said. \ufffd\ufffd\ufffd( bad bytes.\n")  # not "ÿþÃ("


def test_a_jsonl_line_with_stray_bytes_names_its_line(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    line = b'{"id": "b", "body": "Said \xff\xfe so."}'
    feed.write_bytes(b'{"id": "a", "body": "Fine text."}\n' + line + b"\n")
    items = list(read_file(feed))
    [warning] = [i for i in items if isinstance(i, ReadProblem)]
    assert (warning.where, warning.kind) == (f"{feed}:2", "warning")
    at = line.index(b"\xff")
    assert warning.reason.startswith(f"invalid UTF-8 at byte {at};"), warning.reason
    assert [r.text for r in items if isinstance(r, RawRecord)] == ["Fine text.", "Said \ufffd\ufffd so."]


def test_stray_bytes_beside_real_accents_keep_the_accents_and_warn() -> None:
    notes: list[str] = []
    text = decode_bytes(b"Un caf\xe9 au lait. Then \xff\xfe\xc3 noise.", "x.txt", notes)
    assert text == "Un café au lait. Then ÿþÃ noise."
    at = len("Un café au lait. Then ")
    assert notes == [f"not UTF-8, read as cp1252; 'ÿþÃ' at byte {at} looks like stray bytes"]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Le café est très bon à Paris, où il fait beau.", "latin-1"),
        ("Informação à vista: “quotes” — and €5.", "cp1252"),
        ("مرحبا بالعالم\nهذا خبر قصير عن الطقس.", "cp1256"),
        ("Привет мир, это новости дня.", "cp1251"),
    ],
)
def test_legacy_encodings_decode_without_a_warning(text: str, encoding: str) -> None:
    notes: list[str] = []
    assert decode_bytes(text.encode(encoding), "x.txt", notes) == text
    assert notes == []


def test_binary_is_still_refused() -> None:
    with pytest.raises(Exception, match="binary file"):
        decode_bytes(bytes(range(256)) * 4, "x.bin")
