"""Reading news: the place names in a text, resolved offline with claimmap's gazetteer, then the claims.

``mentions(text)`` lists the place mentions of one text; ``read_documents(docs)`` does it for many
``{"id", "text"}`` records; ``read_article(path)`` gives the claims-annotated sites frame, one row per
place with the sentences that mention it, with the claims as they stood on the article's own date.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import sys
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from ..errors import InputError
from .matcher import find, load_matcher
from .resolve import recognise, resolve
from .text import Article, check_text, load_article, open_article, sentences
from .vocabulary import load_vocabulary

__all__ = ["article_as_of", "load_article", "mentions", "open_article", "read_article", "read_documents", "read_jsonl",
           "sites_from_text"]


def mentions(text: str, with_sentences: bool = False) -> list[dict[str, Any]]:
    """Place mentions in ``text``, in order: ``text[start:end]`` is the name as written."""
    vocabulary, matcher = load_vocabulary(), load_matcher()
    bounds = sentences(text)
    found = resolve(recognise(find(text, matcher, vocabulary, bounds), matcher, vocabulary), text, vocabulary)
    place_columns = vocabulary.column
    starts = [s for s, _ in bounds]
    records = []
    for m in found:
        place = {column: values[m.place] for column, values in place_columns.items()}
        record = {
            "text": m.hit.text, "start": m.hit.start, "end": m.hit.end,
            "lat": round(float(place["lat"]), 5), "lon": round(float(place["lon"]), 5),
            "resolved_name": place["name"], "source": place["source"], "score": round(100 * m.confidence),
            "kind": place["kind"], "country": place["country"], "radius_km": round(float(place["radius_km"]), 1),
            "reference": place["reference"], "place": m.place,
        }
        if with_sentences:
            start, end = bounds[max(0, bisect.bisect_right(starts, m.hit.start) - 1)]
            record["sentence"] = " ".join(text[start:end].split())
        records.append(record)
    return records


def read_documents(docs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``{"id", "mentions"}`` for each ``{"id", "text"}`` document, in order."""
    return [_record(doc) for doc in docs]


def read_jsonl(path: str | Path, on_error: str = "raise") -> Iterator[dict[str, Any]]:
    """Records of a JSON Lines file of ``{"id", "text"}`` documents; a malformed line is an InputError naming
    it, or (``on_error="skip"``) is left out."""
    for number, line in _lines(path):
        if not line.strip():
            continue  # a blank line, often the last one, holds no document
        try:
            doc = _document(line, number)
        except InputError:
            if on_error == "skip":
                continue
            raise
        yield _record(doc)


def _lines(path: str | Path) -> Iterator[tuple[int, bytes]]:
    if str(path) != "-" and not Path(path).is_file():
        raise InputError(f"cannot read {path}: no such file")
    stream = sys.stdin.buffer if str(path) == "-" else open(path, "rb")
    try:
        yield from enumerate(stream, 1)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _document(raw: bytes, number: int) -> dict[str, Any]:
    try:
        line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError:
        raise InputError(f"line {number}: not valid UTF-8") from None
    try:
        doc = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"line {number}: not valid JSON ({exc.msg})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
        raise InputError(f"line {number}: expected an object with a string \"text\"")
    return doc


def _record(doc: dict[str, Any]) -> dict[str, Any]:
    found = mentions(doc["text"])
    return {"id": doc.get("id"), "mentions": [{k: v for k, v in m.items() if k != "place"} for m in found]}


def sites_from_text(text: str) -> gpd.GeoDataFrame:
    """One site per place the text names, with a ``mentions`` column: each occurrence's text, offsets and
    sentence."""
    from ..sites import sites_frame

    check_text(text)
    found = mentions(text, with_sentences=True)
    if not found:
        raise InputError("no place names found in the article")
    by_place: dict[int, list[dict[str, Any]]] = {}
    for m in found:
        by_place.setdefault(m["place"], []).append(m)
    rows = []
    for group in by_place.values():
        first = group[0]
        rows.append({
            # the shortest name used: "Rattu", not "Army High Altitude School"
            "name": min((m["text"] for m in group), key=len),
            "resolved_name": first["resolved_name"], "source": first["source"],
            "score": float(max(m["score"] for m in group)), "ambiguous": False, "alternatives": [],
            "reference": first["reference"], "lat": first["lat"], "lon": first["lon"],
            "radius_km": first["radius_km"], "hint_country": first["country"],
            "mentions": [{k: m[k] for k in ("text", "start", "end", "sentence")} for m in group],
        })
    table = pd.DataFrame(rows)
    sites = sites_frame(table)
    sites["mentions"] = table["mentions"].to_numpy()
    return sites


def read_article(path: str | Path, as_of: dt.date | str | None = None) -> gpd.GeoDataFrame:
    """The claims-annotated sites of an article file (.txt, .html, or ``-`` for stdin).

    The claims are those of ``as_of`` if given, else of the article's own date (an HTML page's metadata),
    else of today; ``attrs["as_of_origin"]`` says which (see :func:`article_as_of`).
    """
    from ..errata import annotate_on, as_of_date

    given = as_of_date(as_of) if as_of is not None else None  # a bad date fails before the article is read
    article = open_article(path)
    on, origin = article_as_of(article, given)
    annotated = annotate_on(sites_from_text(article.text), on)
    annotated.attrs["as_of_origin"] = origin
    return annotated


def article_as_of(article: Article, as_of: dt.date | str | None = None) -> tuple[dt.date, str]:
    """The date to give an article's claims for, and where it comes from: ``"as-of"`` (given), ``"article"``
    (its own date) or ``"today"``. An article date claimmap cannot use (before 1945, in the future) is
    warned about and today taken instead: the text is still worth reading."""
    from ..errata import as_of_date, check_as_of

    if as_of is not None:
        return as_of_date(as_of), "as-of"
    if article.date is not None:
        try:
            return check_as_of(article.date), "article"
        except InputError as exc:
            warnings.warn(f"article date not used, claims as of today: {exc}", stacklevel=2)
    return dt.date.today(), "today"
