"""GeoNames' populated places: cities500, plus whole-country dumps when asked for."""

from __future__ import annotations

import functools
from collections.abc import Iterable

import numpy as np
from rapidfuzz.distance import OSA

from ..codes import country_name
from ..data import fetch, source
from . import index
from .base import Geocoder, Location, radius_for
from .names import EXACT, fold
from .ranking import ALTERNATE_PENALTY, match_importance

# A typo is one edit (a letter wrong, missing, extra or two swapped); names of ten letters or more may
# have two. Shorter keys than index.MIN_FUZZY_LENGTH match only exactly.
LONG_NAME = 10
SUGGESTION_POOL = 20  # spellings weighed for an unknown name's suggestions


class GeoNames(Geocoder):
    """GeoNames places by name, ASCII name or alternate name, ranked by importance (log population plus
    administrative rank, see :mod:`.ranking`), own names above alternate names. Near-misses (one edit,
    two for long names) are matched against own names and Latin-script alternate names.

    A country hint keeps the places GeoNames files under that country, and those in a disputed region
    that the country administers or claims (Simferopol for RUS and UKR; Smara for MAR and ESH).
    ``country_dumps`` (ISO2 codes) add a country's full dump, for villages and sites under cities500's
    500-people threshold.
    """

    source = "geonames"

    def __init__(self, country_dumps: Iterable[str] = ()):
        self._keys = ("cities500", *(f"geonames_{code.upper()}" for code in country_dumps))

    @functools.cached_property
    def index(self) -> index.Index:
        files = tuple((fetch(key), source(key).member) for key in self._keys)
        return index.load(files, (fetch("disputed_areas"), fetch("countries")))

    def _lookup(self, name: str, country: str | None, limit: int, fuzzy: bool = True) -> list[Location]:
        ix, key = self.index, fold(name)
        places, alternate, edits = self._exact(key, country)
        if fuzzy and not len(places) and len(key) >= index.MIN_FUZZY_LENGTH:
            places, alternate, edits = self._fuzzy(key, country)
        if not len(places):
            return []
        weight = match_importance(ix.importance[places], alternate, edits)
        order = np.argsort(-weight, kind="stable")[:limit]
        chosen = places[order]
        # one gather per field, then plain Python: element access on numpy arrays is slow
        fields = zip(
            chosen.tolist(), weight[order].tolist(), edits[order].tolist(), ix.lat[chosen].tolist(),
            ix.lon[chosen].tolist(), ix.population[chosen].tolist(), ix.geonameid[chosen].tolist(),
            ix.fcode[chosen].tolist(), ix.country[chosen].tolist(),
        )
        return [self._location(key, *row) for row in fields]

    def _exact(self, key: str, country: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ix = self.index
        code = ix.key_code(key)
        if code is None:
            return _NONE
        entries = ix.entries(code)
        places, alternate = ix.entry_place[entries], ix.entry_alternate[entries]
        if country:
            keep = self._in_country(places, country)
            places, alternate = places[keep], alternate[keep]
        return places, alternate, np.zeros(len(places), np.int64)

    def _fuzzy(self, key: str, country: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Places with a name one edit (two for long names) from ``key``."""
        ix = self.index
        allowed = 2 if len(key) >= LONG_NAME else 1
        found = [
            (code, d) for code in ix.near_keys(key).tolist()
            if (d := OSA.distance(key, ix.key(code), score_cutoff=allowed)) <= allowed
        ]
        if not found:
            return _NONE
        entries = [ix.entries(code) for code, _ in found]
        places = np.concatenate([ix.entry_place[e] for e in entries])
        alternate = np.concatenate([ix.entry_alternate[e] for e in entries])
        edits = np.concatenate([np.full(e.stop - e.start, d) for e, (_, d) in zip(entries, found)])
        if country:
            keep = self._in_country(places, country)
            places, alternate, edits = places[keep], alternate[keep], edits[keep]
        return places, alternate, edits

    def _in_country(self, places: np.ndarray, country: str) -> np.ndarray:
        filed, claimed = self._hint_masks(country)
        return filed[self.index.arrays["country"][places]] | claimed[self.index.claimants[places]]

    @functools.lru_cache(maxsize=256)
    def _hint_masks(self, country: str) -> tuple[np.ndarray, np.ndarray]:
        """Per country code and per claimant set of the index: whether the place is ``country``'s."""
        ix = self.index
        return ix.arrays["countries"] == country, np.array([country in s for s in ix.claimant_sets] or [False])

    def _location(self, key: str, place: int, weight: float, edits: int, lat: float, lon: float,
                  population: int, geonameid: int, fcode: str, country: str) -> Location:
        name = self.index.name(place)
        score = EXACT if not edits else round(EXACT * (1 - edits / max(len(key), len(fold(name)))), 1)
        return Location(
            name=name, lat=lat, lon=lon, country=country or None, source=self.source, score=score,
            radius_km=radius_for(population), kind=fcode, reference=f"geonames:{geonameid}",
            population=population, feature_code=fcode, importance=weight,
        )

    def suggestions(self, query: str, country: str | None = None, limit: int = 5) -> list[str]:
        """Names about two or three edits from ``query``, by their most important place; never the query
        itself."""
        key, ix, names = fold(query), self.index, []
        near = [(OSA.distance(key, ix.key(code)), code) for code in ix.near_keys(key, depth=2).tolist()]
        for _, code in sorted(near)[:SUGGESTION_POOL]:  # the closest spellings, then the likeliest places
            entries = ix.entries(code)
            places = ix.entry_place[entries]
            if ix.key(code) != key:
                best = places[np.argmax(ix.importance[places] - ALTERNATE_PENALTY * ix.entry_alternate[entries])]
                where = f", {country_name(str(ix.country[best]))}" if ix.country[best] else ""
                names.append((-ix.importance[best], f"{ix.name(best)}{where}"))
        return [name for _, name in sorted(names)[:limit]]


_NONE = (np.empty(0, np.int64), np.empty(0, bool), np.empty(0, np.int64))
