"""Every name a news article may use for a place, with the place it names and how important it is.

One table of places (GeoNames cities500, admin-1 divisions, countries, Natural Earth's disputed regions,
claimmap's curated sites and a short table of continents, seas and world regions) and one table of
(normalised name -> place) spellings. Building it from the raw files takes seconds, so the result is
pickled in the user cache, keyed by the files' paths, sizes and modification times.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import pickle
import re
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import data
from ..codes import iso3_from_iso2

FORMAT = 14  # bump when the cached structure or the way it is built changes

# Importance is log10 of the people a name stands for, plus a bonus for what the place is: a capital
# or a country is named in news far more often than its population alone suggests.
FEATURE_BONUS = {"PPLC": 2.0, "PPLG": 0.6, "PPLA": 0.6, "PPLA2": 0.2}
COUNTRY_BONUS = 2.0
ADMIN1_BONUS = 0.8
WORLD_REGION_IMPORTANCE = 9.5
DISPUTED_IMPORTANCE = 9.5  # "Crimea", "Gaza", "Gilgit-Baltistan": the region itself, whose claims are the question
CURATED_IMPORTANCE = 8.0
MAIN_PART_SHARE = 0.75
# Alternate names (other languages, old spellings) of small places are mostly noise for English text.
ALTERNATE_MIN_POPULATION = 15_000
MIN_RADIUS_KM = 2.0
PEOPLE_PER_KM2 = 5000.0

_LATIN = re.compile(r"^[\u0020-\u024F\u1E00-\u1EFF’]+$")  # Latin script only: an English text spells names so
_CODE = re.compile(r"^[A-Z]{2,5}$")  # airport codes and abbreviations in GeoNames' alternate names
_NON_WORD = re.compile(r"[\W_]")

# How English news names some countries beyond what GeoNames and Natural Earth spell out.
COUNTRY_ALIASES = {
    "USA": ["US", "U.S.", "U.S.A.", "United States", "United States of America", "America"],
    "GBR": ["UK", "U.K.", "Britain", "Great Britain", "United Kingdom"],
    "ARE": ["UAE", "U.A.E."],
    "COD": ["DR Congo", "DRC", "Democratic Republic of Congo", "Congo-Kinshasa"],
    "COG": ["Congo-Brazzaville", "Republic of Congo"],
    "KOR": ["South Korea"],
    "PRK": ["North Korea"],
    "CZE": ["Czech Republic", "Czechia"],
    "MMR": ["Burma"],
    "CIV": ["Ivory Coast"],
    "NLD": ["Holland", "Netherlands"],
    "RUS": ["Russia"],
    "VNM": ["Vietnam"],
    "SYR": ["Syria"],
    "IRN": ["Iran"],
    "LAO": ["Laos"],
    "TWN": ["Taiwan"],
    "PSE": ["Palestine", "Palestinian Territories"],
    "VAT": ["Vatican", "Vatican City"],
    "MKD": ["Macedonia", "North Macedonia"],
    "SWZ": ["Swaziland", "Eswatini"],
    "TLS": ["East Timor", "Timor-Leste"],
    "CPV": ["Cape Verde"],
}


@dataclass(frozen=True)
class Vocabulary:
    """``places``: one row per place (name, lat, lon, country, kind, fcode, population, importance,
    radius_km, admin1, source, reference); ``keys``: the normalised spellings; ``key_places``: for key
    ``k``, the rows ``places_of[offsets[k]:offsets[k + 1]]``, most important first, each flagged
    ``alternate`` when the spelling is not the place's own name."""

    places: pd.DataFrame
    keys: list[str]
    offsets: np.ndarray
    places_of: np.ndarray
    alternate: np.ndarray
    acronym: np.ndarray  # by key: some spelling is written in capitals ("UK", "UAE")

    @functools.cached_property
    def column(self) -> dict[str, np.ndarray]:
        """The places' columns as plain NumPy arrays (object arrays for text): per-row access is the hot path."""
        return {c: self.places[c].to_numpy(object if self.places[c].dtype.kind not in "fiub" else None)
                for c in self.places.columns}

    def candidates(self, key_id: int) -> np.ndarray:
        return self.places_of[self.offsets[key_id]:self.offsets[key_id + 1]]


def normalise(text: str) -> str:
    """Lower case with every non-word character a space, the same length as ``text`` so that offsets
    into it are offsets into the text."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower to two ("İ"): keep those as they are
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return _NON_WORD.sub(" ", lowered)


def key_of(name: str) -> str:
    return " ".join(normalise(name).split())


def sources() -> dict[str, Path]:
    """The files the index is built from, this code included: any change to them rebuilds the cache."""
    here = Path(__file__).parent
    return {
        "code_vocabulary": here / "vocabulary.py", "code_matcher": here / "matcher.py",
        "cities500": data.fetch("cities500"), "admin1": data.fetch("admin1"),
        "country_info": data.fetch("country_info"), "countries": data.fetch("countries"),
        "disputed_areas": data.fetch("disputed_areas"),
        "curated": Path(str(resources.files("geo").joinpath("sites.csv"))),
        "world_regions": Path(str(resources.files("geo.read").joinpath("world_regions.csv"))),
    }


def cache_key(files: dict[str, Path]) -> str:
    """Changes whenever a source file does (path, size, mtime), code included."""
    stamp = {key: [str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns] for key, p in files.items()}
    return hashlib.sha256(json.dumps([FORMAT, stamp], sort_keys=True).encode()).hexdigest()[:16]


@functools.cache
def load_vocabulary() -> Vocabulary:
    """The vocabulary, from the on-disk cache when the source files have not changed."""
    files = sources()
    path = data.cache_dir() / "read" / f"vocabulary-{cache_key(files)}.pickle"
    if path.is_file():
        try:
            with open(path, "rb") as f:
                return pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass  # a broken cache is rebuilt
    vocabulary = build_vocabulary(files)
    cache(path, vocabulary)
    return vocabulary


def cache(path: Path, value: object) -> None:
    """Keep ``value`` for the next run; a cache folder that cannot be written only costs that time."""
    try:
        write_atomically(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        kind = path.name.split("-", 1)[0]
        for stale in path.parent.glob(f"{kind}-*.pickle"):  # built from older data or code
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError as exc:
        warnings.warn(f"cannot cache the place-name index in {path.parent}: {exc.strerror or exc}", stacklevel=2)


def write_atomically(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_vocabulary(files: dict[str, Path]) -> Vocabulary:
    """Places from every source, then one (key, place) row per spelling, keys sorted, places by importance."""
    cities = _cities(files["cities500"])
    admin1 = _admin1(files["admin1"], cities)
    countries = _countries(files["countries"], files["country_info"])
    frames = [countries, admin1, _disputed(files["disputed_areas"]), _curated(files["curated"]),
              _world_regions(files["world_regions"]), cities]
    places = pd.concat([f.drop(columns="spellings") for f in frames], ignore_index=True)
    spellings = pd.concat([f["spellings"] for f in frames], ignore_index=True)
    rows = spellings.explode().dropna()
    rows = rows[[s is not None for s, _ in rows]]
    names = pd.DataFrame({"place": rows.index.to_numpy(), "spelling": [s for s, _ in rows],
                          "alternate": [a for _, a in rows]})
    names["key"] = [key_of(s) for s in names["spelling"]]
    names = names[names["key"].str.len() >= 2]
    # Natural Earth files a few countries as disputed areas too ("Israel", "Kosovo"): the country is meant.
    kind = places["kind"].to_numpy()[names["place"].to_numpy()]
    country_keys = set(names["key"][kind == "country"])
    names = names[~(names["key"].isin(country_keys) & (kind == "disputed region"))]
    upper_first = ~names["spelling"].str.replace(".", "").str.isupper()
    names = names.assign(lower=upper_first).sort_values(["alternate", "lower"], kind="stable")
    names = names.drop_duplicates(["key", "place"]).drop(columns="lower")
    names["importance"] = places["importance"].to_numpy()[names["place"].to_numpy()]
    names = names.sort_values(["key", "importance"], ascending=[True, False], kind="stable")
    codes, keys = pd.factorize(names["key"], sort=True)
    offsets = np.searchsorted(codes, np.arange(len(keys) + 1))
    upper = names["spelling"].str.replace(".", "").str.isupper().to_numpy()
    acronym = np.bincount(codes, weights=upper, minlength=len(keys)) > 0
    return Vocabulary(places, list(keys), offsets, names["place"].to_numpy(np.int32),
                      names["alternate"].to_numpy(bool), acronym)


def _own(*names: str) -> list[tuple[str, bool]]:
    return [(n, False) for n in dict.fromkeys(names) if isinstance(n, str) and n]


def _cities(path: Path) -> pd.DataFrame:
    columns = {0: "geonameid", 1: "name", 2: "asciiname", 3: "alternatenames", 4: "lat", 5: "lon", 7: "fcode",
               8: "cc", 10: "admin1_code", 14: "population"}
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive, archive.open(data.source("cities500").member) as f:
            table = _read_geonames(f, columns)
    else:
        table = _read_geonames(path, columns)
    table = table.rename(columns=columns)
    population = table["population"].astype(float)
    importance = np.log10(population + 1) + table["fcode"].map(FEATURE_BONUS).fillna(0.0)
    alternates = table["alternatenames"].where(population >= ALTERNATE_MIN_POPULATION, "")
    spellings = [
        _own(name, ascii_name) + [(_without_generic(name), True)] +
        [(a, True) for a in alt.split(",") if a and _LATIN.match(a) and not _CODE.match(a)]
        for name, ascii_name, alt in zip(table["name"], table["asciiname"], alternates, strict=True)
    ]
    return pd.DataFrame({
        "name": table["name"], "lat": table["lat"], "lon": table["lon"],
        "country": table["cc"].map(iso3_from_iso2, na_action="ignore"), "kind": "city", "fcode": table["fcode"],
        "population": population, "importance": importance,
        "radius_km": np.maximum(MIN_RADIUS_KM, np.sqrt(population / (np.pi * PEOPLE_PER_KM2))),
        "admin1": table["cc"] + "." + table["admin1_code"], "source": "geonames",
        "reference": "geonames:" + table["geonameid"].astype(str), "spellings": spellings,
    })


def _without_generic(name: str) -> str | None:
    """"Cherat Cantonment", "Kuwait City": news often drops the generic word (an alternate spelling)."""
    bare = re.sub(r"\s+(Cantonment|Cantonement|Cantt|City|Town|Township)$", "", name)
    return bare if bare != name else None


def _read_geonames(f, columns: dict[int, str]) -> pd.DataFrame:
    return pd.read_csv(f, sep="\t", header=None, usecols=list(columns), dtype=str, quoting=csv.QUOTE_NONE,
                       na_filter=False, encoding="utf-8").astype({4: float, 5: float, 14: "int64"})


def _admin1(path: Path, cities: pd.DataFrame) -> pd.DataFrame:
    """Admin-1 divisions have no coordinates in GeoNames' table: the point is the middle of the box
    around their towns (the geographic middle, not the populated south of Ontario), the radius half
    that box's diagonal."""
    table = pd.read_csv(path, sep="\t", header=None, names=["code", "name", "asciiname", "geonameid"],
                        dtype=str, quoting=csv.QUOTE_NONE, na_filter=False, encoding="utf-8")
    grouped = cities.groupby("admin1")
    lo, hi = grouped[["lat", "lon"]].min(), grouped[["lat", "lon"]].max()
    people = grouped["population"].sum()
    table = table[table["code"].isin(lo.index)].reset_index(drop=True)
    lo, hi, people = lo.loc[table["code"]], hi.loc[table["code"]], people.loc[table["code"]].to_numpy()
    lat = ((lo["lat"] + hi["lat"]) / 2).to_numpy()
    lon = ((lo["lon"] + hi["lon"]) / 2).to_numpy()
    half_diagonal = np.hypot((hi["lat"] - lo["lat"]).to_numpy() * 111, (hi["lon"] - lo["lon"]).to_numpy() * 111 *
                             np.cos(np.radians(lat))) / 2
    return pd.DataFrame({
        "name": table["name"], "lat": lat, "lon": lon,
        "country": table["code"].str[:2].map(iso3_from_iso2, na_action="ignore"), "kind": "admin1",
        "fcode": "ADM1", "population": people, "importance": np.log10(people + 1) + ADMIN1_BONUS,
        "radius_km": np.maximum(half_diagonal, 10.0), "admin1": table["code"], "source": "geonames",
        "reference": "geonames:" + table["geonameid"], "spellings": [
            _own(n, a, _without_suffix(n), *ADMIN1_ALIASES.get(code, []))
            for n, a, code in zip(table["name"], table["asciiname"], table["code"], strict=True)],
    })


# Short forms of provinces that news uses on their own.
ADMIN1_ALIASES = {"AU.02": ["NSW"], "CA.02": ["B.C."], "US.DC": ["D.C."], "AU.04": ["Qld"]}


def _without_suffix(name: str) -> str:
    """"Punjab Province", "Tokyo Prefecture", "State of Texas": the bare name news uses."""
    bare = re.sub(r"\s+(Province|Prefecture|Region|Governorate|Oblast|District|Department|State|County)$", "",
                  name)
    return re.sub(r"^(State|Province|Region|Governorate|Department) of\s+", "", bare)


def _countries(countries: Path, country_info: Path) -> pd.DataFrame:
    """A country's point is the centroid of its largest part (the contiguous United States, not Alaska),
    or a point inside it when that centroid falls outside; the radius is that of a disc of its area."""
    with open(country_info, encoding="utf-8") as f:  # not comment="#": postal code formats hold "#"
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip() and not line.startswith("#")]
    info = pd.DataFrame([[r[0], r[1], r[4], r[6], r[7], r[16]] for r in rows],
                        columns=["iso2", "iso3", "name", "area", "population", "geonameid"])
    units = gpd.read_file(countries, columns=["NAME", "NAME_LONG", "ADMIN", "FORMAL_EN", "NAME_ALT", "ISO_A3",
                                              "ISO_A3_EH", "ADM0_A3"])
    units["iso3"] = units["ISO_A3"].where(units["ISO_A3"] != "-99", units["ISO_A3_EH"])
    units = units[units["iso3"] != "-99"].drop_duplicates("iso3").set_index("iso3")
    points = _country_points(units.geometry)
    info = info[info["iso3"].isin(points.index)].reset_index(drop=True)
    point = points.loc[info["iso3"]].to_numpy()
    people = pd.to_numeric(info["population"], errors="coerce").fillna(0).to_numpy()
    area = pd.to_numeric(info["area"], errors="coerce").fillna(100).to_numpy()
    spellings = []
    for iso3, name in zip(info["iso3"], info["name"], strict=True):
        unit = units.loc[iso3]
        spellings.append(_own(name, unit["NAME"], unit["NAME_LONG"], unit["ADMIN"], unit["FORMAL_EN"],
                              *str(unit["NAME_ALT"] or "").split("|"), *COUNTRY_ALIASES.get(iso3, [])))
    return pd.DataFrame({
        "name": info["name"], "lat": shapely.get_y(point), "lon": shapely.get_x(point), "country": info["iso3"],
        "kind": "country", "fcode": "PCLI", "population": people,
        "importance": np.log10(people + 1) + COUNTRY_BONUS, "radius_km": np.sqrt(area / np.pi),
        "admin1": None, "source": "geonames", "reference": "geonames:" + info["geonameid"], "spellings": spellings,
    })


def _country_points(shapes: gpd.GeoSeries) -> pd.Series:
    """The centroid of the largest part when it holds most of the country (the contiguous United States,
    mainland Russia), else of the whole (Indonesia, Japan); moved onto the country if it falls outside."""
    area = shapes.to_crs("EPSG:6933")
    parts = area.explode(index_parts=False)
    part_area = pd.Series(parts.area.to_numpy(), index=parts.index)
    largest = parts.iloc[part_area.reset_index(drop=True).groupby(parts.index.to_numpy()).idxmax().to_numpy()]
    main = largest.area.to_numpy() >= MAIN_PART_SHARE * area.area.loc[largest.index].to_numpy()
    centroid = np.where(main, largest.centroid.to_numpy(), area.loc[largest.index].centroid.to_numpy())
    shape = area.loc[largest.index].to_numpy()
    inside = shapely.contains(shape, centroid)
    nearest = shapely.shortest_line(shape, centroid)
    centroid = np.where(inside, centroid, shapely.get_point(nearest, 0))
    return pd.Series(gpd.GeoSeries(centroid, crs="EPSG:6933").to_crs("EPSG:4326").to_numpy(), index=largest.index)


def _disputed(path: Path) -> pd.DataFrame:
    """The gazetteer's disputed regions and the landmarks of its alias table, with all their spellings. An
    alias shared by several regions ("Kashmir" for four) is left to the world-regions table: in a text it
    names the whole area, not one part of it."""
    from ..geocoders.regions import LAYER, _regions

    table, index = _regions(path)
    spellings = index.spellings
    keys = pd.Series([key_of(name) for name in spellings], index=spellings.index)
    regions_of_key = pd.Series(table["region"].to_numpy()[keys.index], index=keys.to_numpy()).groupby(level=0).nunique()
    spellings = spellings[(regions_of_key.loc[keys.to_numpy()] == 1).to_numpy()]
    table = table.assign(spellings=spellings.groupby(level=0).agg(list).reindex(table.index))
    return pd.DataFrame({
        "name": table["label"], "lat": table["lat"], "lon": table["lon"], "country": None,
        "kind": table["kind"], "fcode": "", "population": 0.0, "importance": DISPUTED_IMPORTANCE,
        "radius_km": table["radius_km"].astype(float), "admin1": None, "source": "natural-earth",
        "reference": "naturalearth:" + LAYER + ":" + table["BRK_A3"],
        "spellings": [_own(*names) if isinstance(names, list) else [] for names in table["spellings"]],
    }).reset_index(drop=True)


def _curated(path: Path) -> pd.DataFrame:
    sites = pd.read_csv(path, keep_default_na=False)
    return pd.DataFrame({
        "name": sites["name"], "lat": sites["lat"], "lon": sites["lon"], "country": sites["country"],
        "kind": sites["kind"], "fcode": "", "population": 0.0, "importance": CURATED_IMPORTANCE,
        "radius_km": sites["radius_km"].astype(float), "admin1": None, "source": "curated",
        "reference": sites["source"],
        "spellings": [_own(n, *a.split(";")) for n, a in zip(sites["name"], sites["aliases"], strict=True)],
    })


def _world_regions(path: Path) -> pd.DataFrame:
    table = pd.read_csv(path, keep_default_na=False)
    return pd.DataFrame({
        "name": table["name"], "lat": table["lat"], "lon": table["lon"], "country": None, "kind": table["kind"],
        "fcode": "", "population": 0.0, "importance": WORLD_REGION_IMPORTANCE,
        "radius_km": table["radius_km"].astype(float), "admin1": None, "source": "claimmap",
        "reference": "claimmap:world_regions", "spellings": [
            _own(n, *filter(None, a.split(";"))) for n, a in zip(table["name"], table["aliases"], strict=True)],
    })
