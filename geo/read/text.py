"""An article's text: read from a file or stdin, HTML reduced to its main text, split into sentences."""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

MAX_BYTES = 5_000_000  # a long news feature is 100 KB; anything near this is not an article
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "gov", "sen", "rep", "st", "mt",
    "ft", "jr", "sr", "no", "vs", "inc", "co", "corp", "ltd", "jan", "feb", "mar", "apr", "aug", "sept", "sep",
    "oct", "nov", "dec", "rev", "hon", "adm", "cmdr", "pres", "approx", "est", "dept", "univ",
}
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*\n|\n(?=\s*[A-Z\"“])")
_LAST_WORD = re.compile(r"(\w+)\W*$")


@dataclass(frozen=True)
class Article:
    """An article's main text and, for HTML, the publication date its page gives (None if it gives none)."""

    text: str
    date: dt.date | None = None


def load_article(path: str | Path) -> str:
    """The text of a .txt or .html file, or of stdin for ``-``; bad input raises InputError."""
    return open_article(path).text


def open_article(path: str | Path) -> Article:
    """The text of a .txt or .html file (or of stdin for ``-``) and, for HTML, its date."""
    name = "stdin" if str(path) == "-" else str(path)
    if str(path) == "-":
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        path = Path(path)
        if not path.is_file():
            raise InputError(f"cannot read {path}: no such file")
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"{path}: {path.stat().st_size / 1e6:.1f} MB is too long for an article "
                             f"(at most {MAX_BYTES / 1e6:.0f} MB)")
        raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise InputError(f"{name}: too long for an article (at most {MAX_BYTES / 1e6:.0f} MB)")
    html = str(path).lower().endswith((".html", ".htm")) or bool(_HTML_START.match(raw[:4096]))
    text = article_text(raw, name, html)
    return Article(text, html_date(raw.decode("utf-8-sig")) if html else None)


def article_text(raw: bytes, name: str = "article", html: bool = False) -> str:
    """Decode and check the bytes of an article; HTML gives its main text (trafilatura)."""
    if b"\x00" in raw:
        raise InputError(f"{name}: binary data, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})") from None
    if html:
        text = html_text(text, name)
    check_text(text, name)
    return text


def html_text(html: str, name: str = "article") -> str:
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
    if not text or not text.strip():
        raise InputError(f"{name}: no article text found in the HTML")
    return text


def html_date(html: str) -> dt.date | None:
    """The page's publication date as htmldate (via trafilatura's metadata) finds it: meta tags, JSON-LD,
    ``<time>``, the URL, at worst a bare timestamp in the page; None if there is none.

    No search of the free text for dates ("on 7 October"): those are the events reported, not the article's.
    The bounds are wide so that a date claimmap cannot use (before 1945, in the future) reaches the caller's
    check instead of making htmldate settle for a worse one.
    """
    from trafilatura.metadata import extract_metadata
    from trafilatura.settings import set_date_params

    params = {**set_date_params(extensive=False), "min_date": "1900-01-01", "max_date": "2999-12-31"}
    found = extract_metadata(html, date_config=params).date
    return dt.date.fromisoformat(found) if found else None


def check_text(text: str, name: str = "article") -> None:
    if not text.strip():
        raise InputError(f"{name}: empty, no text to read")
    controls = sum(1 for c in text[:10_000] if ord(c) < 32 and c not in "\t\n\r\f")
    if controls > 10:
        raise InputError(f"{name}: binary data, not text")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: a full stop, ! or ? before a capital, or a paragraph break; not after
    an abbreviation ("Gen.", "U.S.") or an initial."""
    spans, start = [], 0
    for match in _BOUNDARY.finditer(text):
        if match.group(0)[0] == ".":
            word = _LAST_WORD.search(text, max(start, match.start() - 20), match.start())
            before = word.group(1).lower() if word else ""
            if before in _ABBREVIATIONS or len(before) == 1:
                continue
        end = match.start() + len(match.group(0).rstrip())
        if text[start:end].strip():
            spans.append(_trimmed(text, start, end))
        start = match.end()
    if text[start:].strip():
        spans.append(_trimmed(text, start, len(text)))
    return spans


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
