"""Sites the open gazetteers lack, from claimmap's own table ``geo/sites.csv``."""

from __future__ import annotations

import functools
from importlib import resources

import pandas as pd

from .base import Geocoder, Location
from .names import EXACT, NameIndex, ranked
from .ranking import CURATED_IMPORTANCE, FUZZY_PENALTY


class Curated(Geocoder):
    """Garrisons, schools and training areas that cities500 leaves out or names otherwise; each row
    cites where its point comes from and carries its own radius. A country hint keeps the sites in that
    country or in a disputed region it administers or claims (Rattu, in Gilgit-Baltistan: PAK or IND)."""

    source = "curated"

    def _lookup(self, name: str, country: str | None, limit: int, fuzzy: bool = True) -> list[Location]:
        sites, index = _table()
        found = ranked(index, name, fuzzy)
        if country:
            found = [(i, score) for i, score in found if country in {sites[i]["country"], *_claimants()[i]}]
        return [
            Location(
                name=site["name"], lat=site["lat"], lon=site["lon"], country=site["country"], source=self.source,
                score=score, radius_km=site["radius_km"], kind=site["kind"], reference=site["source"],
                importance=CURATED_IMPORTANCE - FUZZY_PENALTY * (EXACT - score) / 10,
            )
            for i, score in found[:limit] for site in [sites[i]]
        ]

    def suggestions(self, query: str, country: str | None = None, limit: int = 5) -> list[str]:
        return _table()[1].closest(query, limit)


@functools.cache
def _table() -> tuple[list[dict], NameIndex]:
    """The sites as records (plain dicts: a lookup must not pay for pandas) and their names and aliases."""
    sites = _frame()
    aliases = sites["aliases"].str.split(";").explode().str.strip()
    return sites.to_dict("records"), NameIndex(pd.concat([sites["name"], aliases]))


@functools.cache
def _frame() -> pd.DataFrame:
    with resources.files("geo").joinpath("sites.csv").open(encoding="utf-8") as f:
        return pd.read_csv(f, dtype={"lat": float, "lon": float, "radius_km": float}, keep_default_na=False)


@functools.cache
def _claimants() -> list[frozenset[str]]:
    """Per site, the states administering or claiming the disputed regions it lies in (for hints)."""
    import shapely

    from ..claims import load_claims

    sites, claims = _frame(), load_claims()
    points = shapely.points(sites["lon"].to_numpy(), sites["lat"].to_numpy())
    site_idx, region_idx = shapely.STRtree(claims.geometry.to_numpy()).query(points, predicate="within")
    states: list[set[str]] = [set() for _ in range(len(sites))]
    for s, r in zip(site_idx.tolist(), region_idx.tolist()):
        admin, claimed = claims["administered_by"].iat[r], claims["claimed_by"].iat[r]
        states[s].update(x for x in [admin, *claimed] if isinstance(x, str))
    return [frozenset(s) for s in states]
