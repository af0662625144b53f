"""Matching names as people type them: folding, a name index with fuzzy fallback, country hints."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ..codes import country_code, find_country
from ..errors import InputError

EXACT = 100.0
FUZZY_CUTOFF = 85.0  # "Srinagr" -> "srinagar" scores 93; unrelated names of similar length stay below 80
SUGGESTION_CUTOFF = 50.0

# Latin letters that Unicode does not decompose into a base letter plus a mark.
_LETTERS = str.maketrans({
    "ø": "o", "ł": "l", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "þ": "th", "æ": "ae", "œ": "oe",
})
_MARKS = re.compile(r"[\u0300-\u036f]")
_SEPARATORS = re.compile(r"[\W_]+")


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
    folded[spaced] = folded[spaced].str.replace(_SEPARATORS, " ", regex=True).str.strip()
    return folded


def fold(name: str) -> str:
    """The key of one name: :func:`fold_all` for a single string, without pandas' per-call cost."""
    key = name.casefold()
    if not key.isascii():
        key = _MARKS.sub("", unicodedata.normalize("NFKD", key.translate(_LETTERS)))
    return _SEPARATORS.sub(" ", key).strip()


class NameIndex:
    """Names of a table's rows, looked up by folded key: exact hits are a dict lookup; only a miss scans
    the distinct keys with rapidfuzz."""

    def __init__(self, names: pd.Series, fuzzy: np.ndarray | None = None):
        """``names``: one entry per (row position, spelling), a row may have many; ``fuzzy``: which
        spellings near-misses may match (default all); the others match only exactly."""
        fuzzy = np.ones(len(names), bool) if fuzzy is None else np.asarray(fuzzy, bool)
        kept = (names.notna() & (names != "")).to_numpy()
        names, fuzzy = names[kept], fuzzy[kept]
        spelling_codes, spellings = pd.factorize(names.to_numpy())
        key_of_spelling, keys = pd.factorize(fold_all(pd.Series(spellings)).to_numpy())
        codes, rows = key_of_spelling[spelling_codes], names.index.to_numpy()
        self._exact = _grouped(codes, rows, len(keys))
        self._near = _grouped(codes[fuzzy], rows[fuzzy], len(keys))
        self._code = dict(zip(keys.tolist(), range(len(keys)), strict=True))
        self._code.pop("", None)  # names that are all punctuation
        self._choice_codes = np.flatnonzero(np.diff(self._near[1]))
        self._choices = keys[self._choice_codes].tolist()
        # spellings come in input order, so a key shows as the first spelling given for it (a main name)
        self._display = spellings[np.unique(key_of_spelling, return_index=True)[1]]

    def match(self, name: str) -> pd.Series:
        """Score (0-100) by row position: every row with this exact key, else the fuzzy near-misses."""
        key = fold(name)
        if not key:
            return pd.Series(dtype=float)
        code = self._code.get(key)
        if code is not None:
            return pd.Series(EXACT, index=np.unique(_rows(self._exact, code)))
        hits = process.extract(key, self._choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None)
        if not hits:
            return pd.Series(dtype=float)
        near = [pd.Series(score, index=_rows(self._near, self._choice_codes[i])) for _, score, i in hits]
        return pd.concat(near).groupby(level=0).max()

    def closest(self, name: str, limit: int = 5) -> list[str]:
        """The names nearest to a name nothing matched, to suggest in the error."""
        hits = process.extract(
            fold(name), self._choices, scorer=fuzz.ratio, score_cutoff=SUGGESTION_CUTOFF, limit=limit,
        )
        return [str(self._display[self._choice_codes[i]]) for _, _, i in hits]


def ranked(
    table: pd.DataFrame, index: NameIndex, name: str, limit: int, order: list[str], country: str | None = None
) -> pd.DataFrame:
    """Rows of ``table`` whose names match ``name``, with their ``score``, best first by ``order``."""
    scores = index.match(name)
    found = table.iloc[scores.index].assign(score=scores.to_numpy())
    if country:
        found = found[found["country"] == country]
    return found.sort_values(order, ascending=False, kind="stable").head(limit)


def _grouped(codes: np.ndarray, rows: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows sorted by key code, and where each code's run starts: code ``c`` owns ``rows[b[c]:b[c + 1]]``."""
    order = np.argsort(codes, kind="stable")
    return rows[order], np.searchsorted(codes[order], np.arange(n + 1))


def _rows(groups: tuple[np.ndarray, np.ndarray], code: int) -> np.ndarray:
    rows, bounds = groups
    return rows[bounds[code]:bounds[code + 1]]


def parse_query(query: str, country: str | None = None) -> tuple[str, str | None]:
    """Split "Name, Country" and resolve the hint to ISO3; a country given both ways must agree.

    The trailing part counts as a country only as a name or ISO3 code: two-letter suffixes are usually
    US states ("Springfield, IL" is not Israel).
    """
    name, named = query.strip(), None
    if "," in name:
        head, tail = (part.strip() for part in name.rsplit(",", 1))
        found = find_country(tail, iso2=False)
        if head and found:
            name, named = head, found
    hint = country_code(country) if country else None
    if named and hint and named != hint:
        raise InputError(f"{query!r} names {named} but the country hint is {hint}")
    return name, named or hint
