"""The one interface every place-name source implements, and the ambiguity rule they all share."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..errors import AmbiguousPlace, UnknownPlace
from ..codes import country_name
from ..geodesy import geodesic_km
from .names import EXACT, parse_query
from .ranking import DOMINANCE, FUZZY_DOMINANCE

POOL = 50  # candidates weighed for ambiguity: enough to reach a big namesake behind a cluster of suburbs
DISTINCT_KM = 25.0  # farther apart than this, two candidates are different places, not two points of one
MAX_ALTERNATIVES = 5


@dataclass(frozen=True)
class Location:
    """A resolved place: how sure the match is (``score``) and how precise the point is (``radius_km``).

    ``score`` is 100 only for an exact, unambiguous match; a typo lowers it by the share of letters
    changed, and an ambiguous answer (taken with ``first=True``) carries the best candidate's share of
    the candidates' combined weight. ``importance`` is the ranking weight in log10 units (population,
    administrative rank, how the name matched), comparable across sources.
    """

    name: str
    lat: float
    lon: float
    country: str | None  # ISO3
    source: str  # "curated" | "geonames" | "natural-earth" | "nominatim"
    score: float
    radius_km: float
    kind: str
    reference: str
    ambiguous: bool = False
    alternatives: tuple[str, ...] = ()
    population: int = 0
    feature_code: str = ""
    importance: float = 0.0

    @property
    def label(self) -> str:
        """Shown as "Name, Country (lat, lon)": enough for a person to tell same-named places apart."""
        where = f"{self.name}, {country_name(self.country)}" if self.country else self.name
        return f"{where} ({self.lat:.2f}, {self.lon:.2f})"


class Geocoder:
    """A source of places by name. Subclasses implement ``_lookup`` (ranked by ``importance``); the
    ambiguity rule is the same for all."""

    source: str  # the ``Location.source`` of its answers
    exact_search = True  # whether ``_lookup(..., fuzzy=False)`` can keep to exact names

    def candidates(self, query: str, country: str | None = None, limit: int = 5) -> list[Location]:
        """Matches for ``query`` ("Name" or "Name, Country"), best first; [] when nothing matches.

        The cheap call for bulk lookups: no suggestions are computed for unknown names.
        """
        name, hint = parse_query(query, country)
        return self._lookup(name, hint, limit)

    def geocode(self, query: str, country: str | None = None, first: bool = False) -> Location:
        """The place ``query`` names.

        Raises UnknownPlace (with the closest names) when nothing matches, and AmbiguousPlace when several
        distinct places match and none is ``DOMINANCE`` more important than the others; ``first=True``
        takes the best of those instead, marked ``ambiguous`` with the others in ``alternatives``.
        """
        name, hint = parse_query(query, country)
        found = self._lookup(name, hint, POOL)
        if not found:
            if hint and self.exact_search:
                elsewhere = [c.label for c in self._lookup(name, None, MAX_ALTERNATIVES, fuzzy=False)]
            else:
                elsewhere = []
            if elsewhere:  # the name is known, just not in the hinted country
                raise UnknownPlace(f"{query} (in {country_name(hint)})", elsewhere)
            raise UnknownPlace(query, self.suggestions(name, hint))
        best, rivals = found[0], rivals_of(found)
        if not rivals:
            return best
        if not first:
            raise AmbiguousPlace(query, [c.label for c in (best, *rivals)])
        weights = [10 ** (c.importance - best.importance) for c in (best, *rivals)]
        return replace(
            best, ambiguous=True, alternatives=tuple(c.label for c in rivals),
            score=round(best.score / sum(weights), 1),
        )

    def suggestions(self, query: str, country: str | None = None, limit: int = 5) -> list[str]:
        """Known names close to one that matched nothing (never the query itself)."""
        return []

    def _lookup(self, name: str, country: str | None, limit: int, fuzzy: bool = True) -> list[Location]:
        """Up to ``limit`` matches for a bare name, best first; ``country`` is ISO3 or None. With
        ``fuzzy=False`` only exact matches (a source that cannot tell returns none)."""
        raise NotImplementedError


def rivals_of(found: list[Location]) -> list[Location]:
    """Candidates that are other places than the best one (over ``DISTINCT_KM`` from it and from each
    other) and not ``DOMINANCE`` less important (``FUZZY_DOMINANCE`` for a typo's best guess): what the
    user may have meant instead."""
    best = found[0]
    margin = DOMINANCE if best.score == EXACT else FUZZY_DOMINANCE
    close = [c for c in found[1:] if c.importance > best.importance - margin]
    if not close:
        return []
    far = geodesic_km(
        np.full(len(close), best.lon), np.full(len(close), best.lat),
        np.array([c.lon for c in close]), np.array([c.lat for c in close]),
    ) > DISTINCT_KM
    rivals: list[Location] = []
    for candidate in (c for c, apart in zip(close, far) if apart):
        if all(distance_km(candidate, kept) > DISTINCT_KM for kept in rivals):
            rivals.append(candidate)
            if len(rivals) == MAX_ALTERNATIVES:
                break
    return rivals


def distance_km(a: Location, b: Location) -> float:
    return float(geodesic_km(a.lon, a.lat, b.lon, b.lat))


def radius_for(population: int, minimum: float = 2.0, people_per_km2: float = 5000.0) -> float:
    """A town of N people at a typical 5,000 people/km² fills a disc of radius sqrt(N / (π·5000)) km:
    2 km up to about 60,000 people, 14 km for Madrid."""
    return max(minimum, math.sqrt(population / (math.pi * people_per_km2)))
