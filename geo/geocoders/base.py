"""The one interface every place-name source implements, and the ambiguity rule they all share."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import AmbiguousPlace, UnknownPlace
from ..codes import country_name
from ..geodesy import geodesic_km
from .names import parse_query

POOL = 50  # candidates weighed for ambiguity: enough to reach a big namesake ranked below small county seats
DISTINCT_KM = 25.0  # farther apart than this, two candidates are different places, not two points of one
SCORE_MARGIN = 5.0  # a candidate this close to the best match's score competes with it
MAX_ALTERNATIVES = 5


@dataclass(frozen=True)
class Location:
    """A resolved place: how sure the match is (``score``) and how precise the point is (``radius_km``)."""

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

    @property
    def label(self) -> str:
        """Shown as "Name, Country (lat, lon)": enough for a person to tell same-named places apart."""
        where = f"{self.name}, {country_name(self.country)}" if self.country else self.name
        return f"{where} ({self.lat:.2f}, {self.lon:.2f})"


class Geocoder:
    """A source of places by name. Subclasses implement ``_lookup``; ranking is theirs, the ambiguity
    rule is the same for all."""

    source: str  # the ``Location.source`` of its answers

    def candidates(self, query: str, country: str | None = None, limit: int = 5) -> list[Location]:
        """Matches for ``query`` ("Name" or "Name, Country"), best first."""
        name, hint = parse_query(query, country)
        return self._lookup(name, hint, limit)

    def geocode(self, query: str, country: str | None = None, first: bool = False) -> Location:
        """The place ``query`` names.

        Raises UnknownPlace (with the closest names) when nothing matches, and AmbiguousPlace when several
        distinct places match about equally well and none dominates; ``first=True`` takes the best of
        those instead, marked ``ambiguous`` with the others in ``alternatives``.
        """
        name, hint = parse_query(query, country)
        found = self._lookup(name, hint, POOL)
        if not found:
            raise UnknownPlace(query, self.suggestions(name))
        best, rivals = found[0], self._rivals(found)
        if not rivals:
            return best
        if not first:
            raise AmbiguousPlace(query, [c.label for c in (best, *rivals)])
        return replace(best, ambiguous=True, alternatives=tuple(c.label for c in rivals))

    def suggestions(self, query: str, limit: int = 5) -> list[str]:
        """Known names closest to one that matched nothing."""
        return []

    def _lookup(self, name: str, country: str | None, limit: int) -> list[Location]:
        """Up to ``limit`` matches for a bare name, best first; ``country`` is ISO3 or None."""
        raise NotImplementedError

    def _dominates(self, best: Location, other: Location) -> bool:
        """Whether ``best`` is so much the better-known place that ``other`` need not be mentioned."""
        return False

    def _rivals(self, found: list[Location]) -> list[Location]:
        """Candidates that are other places than the best one and about as good a match."""
        best, rivals = found[0], []
        for candidate in found[1:]:
            if candidate.score < best.score - SCORE_MARGIN or self._dominates(best, candidate):
                continue
            if all(distance_km(candidate, kept) > DISTINCT_KM for kept in (best, *rivals)):
                rivals.append(candidate)
        return rivals[:MAX_ALTERNATIVES]


def distance_km(a: Location, b: Location) -> float:
    return float(geodesic_km(a.lon, a.lat, b.lon, b.lat))
