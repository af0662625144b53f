"""Disputed regions by name, from Natural Earth's disputed-areas layer and claimmap's alias table.

NE names each region once or twice ("Kuril Is."); people use many more names ("Northern Territories",
"Kunashir", "Golan", "Hala'ib"). ``geo/aliases.csv`` adds them, each with a source: a row either names a
whole region (no coordinates) or a landmark inside one (an island, a glacier) with its own point and
radius. One name may stand for several regions ("Kashmir"), which is then honestly ambiguous.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..data import fetch, source
from ..errors import DataError
from .base import Geocoder, Location
from .names import EXACT, NameIndex, ranked
from .ranking import FUZZY_PENALTY, REGION_IMPORTANCE

LAYER = source("disputed_areas").stem

# Natural Earth abbreviates names ("Kuril Is.", "W. Sahara"); people type them out.
_ABBREVIATIONS = {
    "Is.": "Islands", "I.": "Island", "W.": "Western", "N.": "Northern", "S.": "South", "Br.": "British",
    "Ter.": "Territory",
}
_ABBREVIATED = r"(?<![\w.])(?:Is|I|W|N|S|Br|Ter)\."  # not the N. of "U.N."


class Regions(Geocoder):
    """A disputed region named as a whole ("Aksai Chin", "Northern Areas") is its own answer: the point is
    one inside it, radius 0, and no country, since whose it is is the question being asked. A landmark
    from the alias table ("Kunashir") has its own point and radius. A country hint prefers the regions
    that country administers or claims but rules none out: a hint given for a list of names must not
    make a region unknown."""

    source = "natural-earth"

    @functools.cached_property
    def _table(self) -> tuple[pd.DataFrame, list[dict], NameIndex]:
        """The table, its rows as plain dicts (a lookup must not pay for pandas), and the name index."""
        table, index = _regions(fetch("disputed_areas"))
        return table, table.to_dict("records"), index

    def _lookup(self, name: str, country: str | None, limit: int, fuzzy: bool = True) -> list[Location]:
        _, rows, index = self._table
        found = ranked(index, name, fuzzy)
        if country:
            preferred = [(i, score) for i, score in found if country in _states().get(rows[i]["region"], ())]
            found = preferred or found
        return [
            Location(
                name=row["label"], lat=row["lat"], lon=row["lon"], country=None, source=self.source,
                score=score, radius_km=row["radius_km"], kind=row["kind"],
                reference=f"naturalearth:{LAYER}:{row['BRK_A3']}",
                importance=REGION_IMPORTANCE - FUZZY_PENALTY * (EXACT - score) / 10,
            )
            for i, score in found[:limit] for row in [rows[i]]
        ]

    def suggestions(self, query: str, country: str | None = None, limit: int = 5) -> list[str]:
        return self._table[2].closest(query, limit)


@functools.cache
def _regions(path: Path) -> tuple[pd.DataFrame, NameIndex]:
    """One row per region name (a region NE splits by administrator, W. Sahara, is one row), then one
    per landmark of the alias table; the index holds NE's names and the aliases."""
    layer = gpd.read_file(path, columns=["BRK_NAME", "NAME_ALT", "BRK_A3"])
    layer["region"] = layer["BRK_NAME"].str.strip("\ufeff ")  # two 5.1.1 names start with a byte-order mark
    regions = layer.dissolve("region", aggfunc={"NAME_ALT": "first", "BRK_A3": ",".join}).reset_index()
    point = regions.representative_point()
    regions = pd.DataFrame(regions.drop(columns="geometry")).assign(
        lat=point.y, lon=point.x, label=regions["region"], radius_km=0.0, kind="disputed region",
    )
    # NAME_ALT may hold several names: "Senkaku Is., Diaoyu Is., Diaoyutai Is."
    names = pd.concat([regions["region"], regions["NAME_ALT"].str.split(",").explode().str.strip()]).dropna()

    aliases = load_aliases()
    unknown = sorted(set(aliases["region"]) - set(regions["region"]))
    if unknown:
        raise DataError(f"geo/aliases.csv names regions Natural Earth does not have: {', '.join(unknown)}")
    targets = aliases.merge(regions.drop(columns=["lat", "lon", "radius_km", "kind", "label"]), on="region")
    located = targets["lat"].notna().to_numpy()
    whole = regions.set_index("region").loc[targets["region"]]
    targets["label"] = np.where(located, targets["name"], targets["region"])
    targets["kind"] = np.where(located, "place in a disputed region", "disputed region")
    for column in ("lat", "lon", "radius_km"):
        targets[column] = np.where(located, targets[column], whole[column].to_numpy())
    table = pd.concat([regions, targets[regions.columns]], ignore_index=True)
    target_names = pd.concat([targets["name"], targets["aliases"].str.split(";").explode().str.strip()])
    target_names.index += len(regions)
    names = pd.concat([names, target_names[target_names != ""]])
    spelled_out = names.str.replace(_ABBREVIATED, lambda m: _ABBREVIATIONS[m.group(0)], regex=True)
    return table, NameIndex(pd.concat([names, spelled_out[spelled_out != names]]))


@functools.cache
def load_aliases() -> pd.DataFrame:
    """``geo/aliases.csv``: name, aliases (";"-separated), the NE region, an optional point and radius,
    and the source of the name (and point)."""
    with resources.files("geo").joinpath("aliases.csv").open(encoding="utf-8") as f:
        table = pd.read_csv(
            f, dtype={"lat": float, "lon": float, "radius_km": float}, keep_default_na=False,
            na_values={"lat": [""], "lon": [""], "radius_km": [""]},
        )
    return table


@functools.cache
def _states() -> dict[str, frozenset[str]]:
    """Per region name, the states administering or claiming it (read only when a hint is given)."""
    from ..claims import load_claims

    claims = load_claims()
    states: dict[str, set[str]] = {}
    for region, admin, claimed in zip(claims["region"], claims["administered_by"], claims["claimed_by"]):
        states.setdefault(region, set()).update(s for s in [admin, *claimed] if isinstance(s, str))
    return {region: frozenset(s) for region, s in states.items()}
