"""Matching names as people type them: folding, a name index with fuzzy fallback, country hints."""

from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ..codes import country_code, find_country
from ..errors import InputError

EXACT = 100.0
FUZZY_CUTOFF = 85.0  # "Srinagr" -> "srinagar" scores 93; unrelated names of similar length stay below 80
SUGGESTION_CUTOFF = 75.0

# Latin letters that Unicode does not decompose into a base letter plus a mark.
_LETTERS = str.maketrans({
    "ø": "o", "ł": "l", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "þ": "th", "æ": "ae", "œ": "oe",
})
_MARKS = re.compile(r"[\u0300-\u036f]")
_SEPARATORS = re.compile(r"[\W_]+")
_APOSTROPHES = re.compile(r"['’ʼʻ`]")  # inside a word: "Hala'ib" is "Halaib", "Ma'alot" is "Maalot"
MAX_NAME_LENGTH = 200  # the longest place names (Bangkok's ceremonial name) have under 170 characters
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def fold_all(names: pd.Series) -> pd.Series:
    """Case-, accent- and punctuation-blind keys, so "São Paulo", "SAO-PAULO" and "Sao Paulo" meet.

    Vectorised because GeoNames has 800,000 distinct spellings: only non-ASCII ones pay for Unicode
    work, and only those with more than one word for separator work.
    """
    folded = names.astype(str).str.casefold()
    odd = ~folded.str.isascii()
    decomposed = folded[odd].str.translate(_LETTERS).str.normalize("NFKD")
    folded[odd] = decomposed.str.replace(_MARKS, "", regex=True)
    spaced = ~folded.str.isalnum()
    spaced_out = folded[spaced].str.replace(_APOSTROPHES, "", regex=True)
    folded[spaced] = spaced_out.str.replace(_SEPARATORS, " ", regex=True).str.strip()
    return folded


@functools.lru_cache(maxsize=1 << 16)  # each source folds the same query again
def fold(name: str) -> str:
    """The key of one name: :func:`fold_all` for a single string, without pandas' per-call cost."""
    key = name.casefold()
    if not key.isascii():
        key = _MARKS.sub("", unicodedata.normalize("NFKD", key.translate(_LETTERS)))
    if key.isalnum():
        return key
    return _SEPARATORS.sub(" ", _APOSTROPHES.sub("", key)).strip()


class NameIndex:
    """Names of a small table's rows (curated sites, regions), looked up by folded key: exact hits are a
    dict lookup; only a miss scans the distinct keys with rapidfuzz. GeoNames has its own on-disk index."""

    def __init__(self, names: pd.Series):
        """``names``: one entry per (row position, spelling), a row may have many."""
        names = names[(names.notna() & (names != "")).to_numpy()]
        self.spellings = names
        spelling_codes, spellings = pd.factorize(names.to_numpy())
        key_of_spelling, keys = pd.factorize(fold_all(pd.Series(spellings)).to_numpy())
        codes, rows = key_of_spelling[spelling_codes], names.index.to_numpy()
        self._exact = _grouped(codes, rows, len(keys))
        self._code = dict(zip(keys.tolist(), range(len(keys)), strict=True))
        self._code.pop("", None)  # names that are all punctuation
        self._choices = keys.tolist()
        # spellings come in input order, so a key shows as the first spelling given for it (a main name)
        self._display = spellings[np.unique(key_of_spelling, return_index=True)[1]]

    def match(self, name: str, fuzzy: bool = True) -> dict[int, float]:
        """Score (0-100) by row position: every row with this exact key, else (if ``fuzzy``) the
        near-misses."""
        key = fold(name)
        if not key:
            return {}
        code = self._code.get(key)
        if code is not None:
            return dict.fromkeys(_rows(self._exact, code).tolist(), EXACT)
        if not fuzzy:
            return {}
        scores: dict[int, float] = {}
        for _, score, i in process.extract(key, self._choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF,
                                           limit=None):
            for row in _rows(self._exact, i).tolist():
                scores[row] = max(score, scores.get(row, 0.0))
        return scores

    def closest(self, name: str, limit: int = 5) -> list[str]:
        """The names nearest to a name nothing matched, to suggest in the error."""
        hits = process.extract(
            fold(name), self._choices, scorer=fuzz.ratio, score_cutoff=SUGGESTION_CUTOFF, limit=limit,
        )
        return [str(self._display[i]) for _, _, i in hits]


def ranked(index: NameIndex, name: str, fuzzy: bool = True) -> list[tuple[int, float]]:
    """(row position, score) of the rows whose names match ``name``, best score first, then table order."""
    return sorted(index.match(name, fuzzy).items(), key=lambda hit: (-hit[1], hit[0]))


def _grouped(codes: np.ndarray, rows: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows sorted by key code, and where each code's run starts: code ``c`` owns ``rows[b[c]:b[c + 1]]``."""
    order = np.argsort(codes, kind="stable")
    return rows[order], np.searchsorted(codes[order], np.arange(n + 1))


def _rows(groups: tuple[np.ndarray, np.ndarray], code: int) -> np.ndarray:
    rows, bounds = groups
    return rows[bounds[code]:bounds[code + 1]]


def parse_query(query: str, country: str | None = None) -> tuple[str, str | None]:
    """Split "Name, Country" and resolve the hint to ISO3; a country named in the query wins over
    ``country`` (a hint given for a whole list of names).

    The trailing part counts as a country only as a name or ISO3 code: two-letter suffixes are usually
    US states ("Springfield, IL" is not Israel).
    """
    check_name(query)
    name, named = query.strip(), None
    if "," in name:
        head, tail = (part.strip() for part in name.rsplit(",", 1))
        found = find_country(tail, iso2=False)
        if head and found:
            name, named = head, found
    if named:
        return name, named
    return name, country_code(country) if country else None


def check_name(query: str) -> None:
    """Reject what cannot be a place name, as bad input rather than as an unknown place."""
    if not isinstance(query, str) or not query.strip():
        raise InputError("empty place name")
    if len(query) > MAX_NAME_LENGTH:
        raise InputError(f"place name of {len(query)} characters is too long (at most {MAX_NAME_LENGTH})")
    bad = _CONTROL.search(query)
    if bad:
        raise InputError(f"place name {query!r} contains the control character U+{ord(bad.group()):04X}")
