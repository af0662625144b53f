"""Disputed regions by name, from Natural Earth's disputed-areas layer."""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..data import fetch, source
from .base import Geocoder, Location
from .names import NameIndex, ranked

LAYER = source("disputed_areas").stem

# Natural Earth abbreviates names ("Kuril Is.", "W. Sahara"); people type them out.
_ABBREVIATIONS = {
    "Is.": "Islands", "I.": "Island", "W.": "Western", "N.": "Northern", "S.": "South", "Br.": "British",
    "Ter.": "Territory",
}
_ABBREVIATED = r"(?<![\w.])(?:Is|I|W|N|S|Br|Ter)\."  # not the N. of "U.N."


class Regions(Geocoder):
    """A disputed region named as a whole ("Aksai Chin", "Northern Areas") is its own answer: the point is
    one inside it, radius 0, and no country, since whose it is is the question being asked. For the same
    reason a country hint does not filter regions."""

    source = "natural-earth"

    @functools.cached_property
    def _table(self) -> tuple[pd.DataFrame, NameIndex]:
        return _regions(fetch("disputed_areas"))

    def _lookup(self, name: str, country: str | None, limit: int) -> list[Location]:
        found = ranked(*self._table, name, limit, ["score"])  # no country filter: see the class
        return [
            Location(
                name=row.region, lat=row.lat, lon=row.lon, country=None, source=self.source,
                score=float(row.score), radius_km=0.0, kind="disputed region",
                reference=f"naturalearth:{LAYER}:{row.BRK_A3}",
            )
            for row in found.itertuples()
        ]

    def suggestions(self, query: str, limit: int = 5) -> list[str]:
        return self._table[1].closest(query, limit)


@functools.cache
def _regions(path: Path) -> tuple[pd.DataFrame, NameIndex]:
    """One row per region name; a region Natural Earth splits by administrator (W. Sahara) is one row."""
    layer = gpd.read_file(path, columns=["BRK_NAME", "NAME_ALT", "BRK_A3"])
    layer["region"] = layer["BRK_NAME"].str.strip("\ufeff ")  # two 5.1.1 names start with a byte-order mark
    regions = layer.dissolve("region", aggfunc={"NAME_ALT": "first", "BRK_A3": ",".join}).reset_index()
    point = regions.representative_point()
    regions = pd.DataFrame(regions.drop(columns="geometry")).assign(lat=point.y, lon=point.x)
    # NAME_ALT may hold several names: "Senkaku Is., Diaoyu Is., Diaoyutai Is."
    names = pd.concat([regions["region"], regions["NAME_ALT"].str.split(",").explode().str.strip()]).dropna()
    spelled_out = names.str.replace(_ABBREVIATED, lambda m: _ABBREVIATIONS[m.group(0)], regex=True)
    return regions, NameIndex(pd.concat([names, spelled_out[spelled_out != names]]))
