"""Text decoding and date normalisation for the readers.

- :func:`decode_bytes`: UTF-8 (BOMs dropped), UTF-8 with a few stray bytes replaced (and a
  note saying where), or charset detection (charset-normalizer) with preferences for
  Windows-1256 Arabic and Windows-1252 Western text; binary input is refused.
- :func:`normalize_date`: ISO-8601 from the many date shapes of feeds and exports, Hijri dates
  in Arabic included (:mod:`rag.text.hijri`); :func:`is_iso_date` tells a parsed date from a
  string left as given.
"""

from __future__ import annotations

import codecs
import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from rag.errors import InputError
from rag.text.hijri import hijri_date
from rag.text.language import is_arabic_char

# ------------------------------------------------------------------------------------ decoding

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _letters(text: str) -> list[str]:
    return [ch for ch in text if ch.isalpha()]


def _looks_arabic(text: str) -> bool:
    letters = _letters(text)
    return bool(letters) and sum(map(is_arabic_char, letters)) / len(letters) > 0.5


def _looks_western(text: str) -> bool:
    """Mostly ASCII letters with a few accented ones: French, Spanish, German, English…"""
    letters = _letters(text)
    ascii_letters = sum(ch.isascii() for ch in letters)
    return ascii_letters > 0 and (len(letters) - ascii_letters) / len(letters) <= 0.25


def _too_many_controls(text: str) -> bool:
    """More than 1% (and more than one) control characters other than whitespace."""
    return len(_CONTROL_RE.findall(text)) > max(1, len(text) // 100)


_STRAY_SHARE, _STRAY_MIN = 0.01, 8
"""Most invalid byte sequences UTF-8 text may hold and still be read as UTF-8 (each replaced by
U+FFFD, with a note): 1% of the bytes, or 8 in a short file. A stray byte or two in an Arabic
article, not a file in another encoding, whose non-ASCII bytes are nearly all invalid UTF-8."""

_STRAY_RUN = re.compile(r"(?<![A-Za-z])[^\W\d_A-Za-z]{2,}(?![A-Za-z])")
"""Two or more non-ASCII letters touching no ASCII letter. No word of a Latin-script language
looks like that ("où", "año", "informação" hold ASCII letters; "à" is one letter), but stray
bytes read as Windows-1252 do: "said. ÿþÃ( bad bytes" (nc8 report, D7)."""


def _at(data: bytes, offset: int) -> str:
    """Where ``offset`` is: "line N (byte B)" in a file, "byte B" in one JSONL line (its caller
    names the line)."""
    if b"\n" not in data:
        return f"byte {offset}"
    line = data.count(b"\n", 0, offset) + 1
    return f"line {line} (byte {offset})"


def _stray_bytes_utf8(
    data: bytes, first: UnicodeDecodeError, ascii_text: bool = False
) -> tuple[str, str] | None:
    """UTF-8 text with a few invalid bytes: ``(text with U+FFFD, note)``, else None.

    UTF-8 it is when the valid multi-byte characters outnumber the invalid sequences four to
    one, and these stay under :data:`_STRAY_SHARE`. ASCII with stray high bytes has no
    multi-byte character and goes to charset detection (Latin-1 "café" is not broken UTF-8),
    unless ``ascii_text`` says the detected reading showed the bytes as stray (:data:`_STRAY_RUN`).
    """
    text = data.decode("utf-8", errors="replace")
    stray = text.count("\ufffd") - data.count("\ufffd".encode())
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F) - text.count("\ufffd")
    too_few_valid = multibyte < 4 * stray and not ascii_text
    if stray <= 0 or stray > max(_STRAY_MIN, len(data) * _STRAY_SHARE) or too_few_valid:
        return None
    plural = "s" if stray > 1 else ""
    at = _at(data, first.start)
    return text, f"invalid UTF-8 at {at}; {stray} invalid byte sequence{plural} replaced by U+FFFD"


def decode_bytes(data: bytes, where: str, notes: list[str] | None = None) -> str:
    """Decode file bytes to text.

    Order: a byte-order mark (UTF-8, UTF-16 or UTF-32; the mark is dropped); else strict UTF-8;
    else UTF-8 with a few stray bytes replaced by U+FFFD (:func:`_stray_bytes_utf8`: an Arabic
    article with two bad bytes was refused whole as "binary", nc8 report D7), with a note; else
    charset-normalizer's candidates, preferring Windows-1256 when it yields Arabic text,
    then Windows-1252 (a superset of Latin-1's printable range) when it yields mostly-ASCII
    Latin text (so "café" in Latin-1 stays "café" rather than a Central European guess), then
    charset-normalizer's best guess. A mostly-ASCII reading showing letters no word holds
    (:data:`_STRAY_RUN`, "ÿþÃ") was ASCII with stray bytes, stored as such without a word (nc8
    D7): it is read as UTF-8 with U+FFFD when those are its only non-ASCII letters, else kept
    with a note naming them.

    Args:
        data: The raw bytes.
        where: "path" or "path:line", for the error message.
        notes: Receives what the caller should warn about (bytes replaced), if given.

    Returns:
        The decoded text (without BOM).

    Raises:
        InputError: "binary file, not text" when the bytes contain NUL (without a UTF-16/32
            BOM), no encoding fits, or the decoded text is full of control characters.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(f"invalid {encoding} text: {exc.reason}", where) from exc
    if b"\x00" in data:
        raise InputError("binary file, not text", where)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first = exc
        repaired = _stray_bytes_utf8(data, exc)
        if repaired is not None and not _too_many_controls(repaired[0]):
            return _noted(repaired, notes)
    else:
        if _too_many_controls(text):
            raise InputError("binary file, not text", where)
        return text

    detected = _detect_text(data)
    if detected is None or _too_many_controls(detected[0]):
        raise InputError("binary file, not text", where)
    text, encoding = detected
    run = _STRAY_RUN.search(text) if _looks_western(text) else None
    if run is None:
        return text
    if all(ch.isascii() for ch in _STRAY_RUN.sub("", text)):  # ASCII and stray bytes only
        repaired = _stray_bytes_utf8(data, first, ascii_text=True)
        if repaired is not None and not _too_many_controls(repaired[0]):
            return _noted(repaired, notes)
    offset = len(text[: run.start()].encode(encoding, errors="replace"))
    note = f"not UTF-8, read as {encoding}; {run.group()!r} at {_at(data, offset)} looks like stray bytes"
    return _noted((text, note), notes)


def _noted(decoded: tuple[str, str], notes: list[str] | None) -> str:
    """The text of ``(text, note)``, the note added to ``notes`` when given."""
    if notes is not None:
        notes.append(decoded[1])
    return decoded[0]


def _detect_text(data: bytes) -> tuple[str, str] | None:
    """Decode non-UTF-8 bytes with charset-normalizer and the preferences of :func:`decode_bytes`:
    ``(text, Python codec name)``, or None."""
    import charset_normalizer

    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    candidates = {match.encoding for match in matches}
    for encoding in ("cp1256", "iso8859_6"):
        if encoding in candidates:
            guess = data.decode(encoding, errors="replace")
            if _looks_arabic(guess):
                return guess, encoding
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = ""
    if western and _looks_western(western) and not _too_many_controls(western):
        return western, "cp1252"
    return str(best), best.encoding


# --------------------------------------------------------------------------------------- dates

_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
)


def normalize_date(value: object) -> str | None:
    """Return ``value`` as an ISO-8601 string when it parses, else the stripped string.

    Accepts ISO-8601 (``Z`` suffix included), RFC 2822 (RSS ``pubDate``), a few common
    formats ("2024/06/18", "June 18, 2024", "18 June 2024"), Hijri dates in Arabic
    ("١٥ رمضان ١٤٤٥ هـ" → "2024-03-25") and Unix timestamps (seconds, or milliseconds when above
    10^11) as numbers. Date-only inputs stay dates ("2024-06-18"); offsets are kept as written.

    Args:
        value: The raw field value.

    Returns:
        ISO-8601 string, the input string when unparseable, or None for empty/None/other types.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if value <= 0:
            return None  # 0 (or less) is a "no date" placeholder, not 1 January 1970
        seconds = float(value) / 1000 if abs(value) > 1e11 else float(value)
        try:
            return datetime.fromtimestamp(seconds, tz=UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    raw = value.strip()
    if not raw:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            return raw
    try:
        return datetime.fromisoformat(raw).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(raw).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        has_time = "%H" in fmt
        return parsed.isoformat() if has_time else parsed.date().isoformat()
    hijri = hijri_date(raw)
    return hijri.isoformat() if hijri else raw


def is_iso_date(value: str | None) -> bool:
    """True when ``value`` is an ISO-8601 date or datetime (what :func:`normalize_date` gives for
    any date it understood), False for None or a string it had to leave as given."""
    if not value:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


# ------------------------------------------------------------------------------------- records
