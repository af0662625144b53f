"""Several sources asked in order of trust, as one geocoder."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz

from .base import Geocoder, Location
from .curated import Curated
from .geonames import GeoNames
from .names import EXACT, fold
from .regions import Regions


class Chain(Geocoder):
    """The first source with an exact hit answers, so a curated site or a disputed region is never
    mistaken for a namesake town, and Nominatim is asked only for what no offline source knows. Without
    one, the near-misses of all sources compete on importance (earlier sources first on ties)."""

    def __init__(self, sources: Sequence[Geocoder]):
        self.sources = tuple(sources)

    def _lookup(self, name: str, country: str | None, limit: int, fuzzy: bool = True) -> list[Location]:
        for geocoder in self.sources:  # exact names first, so no source pays for a near-miss search
            found = geocoder._lookup(name, country, limit, fuzzy=False) if geocoder.exact_search else []
            if found:
                return found
        if not fuzzy:
            return []
        near: list[Location] = []
        for geocoder in self.sources:
            found = geocoder._lookup(name, country, limit)
            if found and found[0].score == EXACT:  # Nominatim, which has no exact-only search
                return found
            near += found
        return sorted(near, key=lambda loc: -loc.importance)[:limit]

    def suggestions(self, query: str, country: str | None = None, limit: int = 5) -> list[str]:
        key = fold(query)
        names = {
            fold(name): name
            for geocoder in self.sources for name in geocoder.suggestions(query, country, limit)
            if fold(name) != key
        }
        # suggestions may carry ", Country": compare the name itself
        ranked = sorted(names, key=lambda folded: -fuzz.ratio(key, fold(names[folded].split(",")[0])))
        return [names[folded] for folded in ranked[:limit]]


def default_geocoder(online: bool = False, country_dumps: Iterable[str] = ()) -> Geocoder:
    """Curated sites, then disputed regions, then GeoNames; then Nominatim when ``online``."""
    sources: list[Geocoder] = [Curated(), Regions(), GeoNames(country_dumps=country_dumps)]
    if online:
        from .nominatim import Nominatim  # geopy is imported only for online runs

        sources.append(Nominatim())
    return Chain(sources)
