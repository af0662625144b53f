"""Sites the open gazetteers lack, from claimmap's own table ``geo/sites.csv``."""

from __future__ import annotations

import functools
from importlib import resources

import pandas as pd

from .base import Geocoder, Location
from .names import NameIndex, ranked


class Curated(Geocoder):
    """Garrisons, schools and training areas that cities500 leaves out or names otherwise; each row
    cites where its point comes from and carries its own radius."""

    source = "curated"

    def _lookup(self, name: str, country: str | None, limit: int) -> list[Location]:
        found = ranked(*_table(), name, limit, ["score"], country)
        return [
            Location(
                name=row.name, lat=row.lat, lon=row.lon, country=row.country, source=self.source,
                score=float(row.score), radius_km=row.radius_km, kind=row.kind, reference=row.source,
            )
            for row in found.itertuples()
        ]

    def suggestions(self, query: str, limit: int = 5) -> list[str]:
        return _table()[1].closest(query, limit)


@functools.cache
def _table() -> tuple[pd.DataFrame, NameIndex]:
    with resources.files("geo").joinpath("sites.csv").open(encoding="utf-8") as f:
        sites = pd.read_csv(f, dtype={"lat": float, "lon": float, "radius_km": float}, keep_default_na=False)
    aliases = sites["aliases"].str.split(";").explode().str.strip()
    return sites, NameIndex(pd.concat([sites["name"], aliases]))
