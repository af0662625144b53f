"""GeoNames' populated places: cities500, plus whole-country dumps when asked for."""

from __future__ import annotations

import csv
import functools
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from ..data import fetch, source
from .base import Geocoder, Location
from ..codes import iso3_from_iso2
from .names import NameIndex, ranked

# Administrative weight of a place, best first; other feature codes rank below all of these.
FEATURE_RANK = ["PPLC", "PPLG", "PPLA", "PPLA2", "PPLA3", "PPLA4", "PPLA5", "PPL"]
MIN_RADIUS_KM = 2.0
# A town of N people at a typical 5,000 people/km² fills a disc of radius sqrt(N / (π·5000)) km: 2 km up
# to about 60,000 people, 14 km for Madrid. Places without a population keep 2 km.
PEOPLE_PER_KM2 = 5000.0
# A place an order of magnitude bigger than its namesakes is the one meant when nothing else is said
# (Madrid, Spain is 38 times Madrid, Colombia; Hyderabad, India is only 5 times Hyderabad, Pakistan).
DOMINANCE = 10.0
# GeoNames' alternate names include airport codes and abbreviations ("LEH" is Le Havre's airport, not Leh):
# all-capital ASCII words of two to five letters are left out.
_CODE = r"[A-Z]{2,5}"

# The columns read from GeoNames' 19-column "geoname" table.
_COLUMNS = {
    0: "geonameid", 1: "name", 2: "asciiname", 3: "alternatenames", 4: "lat", 5: "lon", 7: "fcode",
    8: "cc", 14: "population",
}
_DTYPES = {0: "int64", 1: str, 2: str, 3: str, 4: "float64", 5: "float64", 7: str, 8: str, 14: "int64"}


class GeoNames(Geocoder):
    """GeoNames places by name, ASCII name or alternate name, ranked by match, administrative rank
    (PPLC > PPLA > ... > PPL) and population. Near-misses are matched against places' own names only:
    alternate names (other languages, old spellings) are too many and too loose to guess from.
    ``country_dumps`` (ISO2 codes) add a country's full dump, for villages and sites under cities500's
    500-people threshold."""

    source = "geonames"

    def __init__(self, country_dumps: Iterable[str] = ()):
        self._keys = ("cities500", *(f"geonames_{code.upper()}" for code in country_dumps))

    @functools.cached_property
    def _gazetteer(self) -> _Gazetteer:
        return _load(tuple((fetch(key), source(key).member) for key in self._keys))

    def _lookup(self, name: str, country: str | None, limit: int) -> list[Location]:
        places, index = self._gazetteer.places, self._gazetteer.names
        found = ranked(places, index, name, limit, ["score", "rank", "population"], country)
        return [
            Location(
                name=row.name, lat=row.lat, lon=row.lon, country=row.country, source=self.source,
                score=float(row.score), radius_km=float(row.radius_km), kind=row.fcode,
                reference=f"geonames:{row.geonameid}",
            )
            for row in found.itertuples()
        ]

    def suggestions(self, query: str, limit: int = 5) -> list[str]:
        return self._gazetteer.names.closest(query, limit)

    def _dominates(self, best: Location, other: Location) -> bool:
        population = self._gazetteer.population
        big, small = (population[int(loc.reference.removeprefix("geonames:"))] for loc in (best, other))
        return big > 0 and big >= DOMINANCE * small


@dataclass(frozen=True)
class _Gazetteer:
    places: pd.DataFrame  # one row per place, by position
    names: NameIndex
    population: pd.Series  # by geonameid


@functools.cache
def _load(files: tuple[tuple[Path, str], ...]) -> _Gazetteer:
    """Read and index once per set of files (about 3 s for cities500's 200,000 places)."""
    places = pd.concat([_read(path, member) for path, member in files], ignore_index=True)
    places = places.drop_duplicates("geonameid", ignore_index=True)  # a country dump repeats cities500
    places["country"] = places["cc"].map(iso3_from_iso2, na_action="ignore").astype(object)
    places["country"] = places["country"].where(places["country"].notna(), None)
    rank = {code: -i for i, code in enumerate(FEATURE_RANK)}
    places["rank"] = places["fcode"].map(rank).fillna(-len(FEATURE_RANK))
    places["radius_km"] = np.maximum(MIN_RADIUS_KM, np.sqrt(places["population"] / (np.pi * PEOPLE_PER_KM2)))
    alternates = places["alternatenames"].str.split(",").explode()
    alternates = alternates[~alternates.str.fullmatch(_CODE, na=False)]
    spellings = pd.concat([places["name"], places["asciiname"], alternates])
    own_name = np.arange(len(spellings)) < 2 * len(places)
    population = pd.Series(places["population"].to_numpy(), index=places["geonameid"].to_numpy())
    places = places.drop(columns=["asciiname", "alternatenames", "cc"])
    return _Gazetteer(places, NameIndex(spellings, fuzzy=own_name), population)


def _read(path: Path, member: str) -> pd.DataFrame:
    """One geoname table; a country dump's zip also holds a readme, so its table is opened by name."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive, archive.open(member) as f:
            return _parse(f)
    return _parse(path)


def _parse(f: Path | IO[bytes]) -> pd.DataFrame:
    table = pd.read_csv(
        f, sep="\t", header=None, usecols=list(_COLUMNS), dtype=_DTYPES, quoting=csv.QUOTE_NONE,
        na_filter=False, encoding="utf-8",  # no NA parsing: "NA" is Namibia
    )
    return table.rename(columns=_COLUMNS)
