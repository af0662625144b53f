"""Sites: what the user asks about, resolved to points with a radius, as one GeoDataFrame.

A site comes from a name (geocoded), from ``NAME@LAT,LON`` / ``LAT,LON`` on the command line, or from
a CSV/GeoJSON file. Coordinates given by the user are taken as they are: nothing is geocoded then, and
files of coordinates are read column-wise so that millions of event points cost no Python loop.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .errors import InputError
from .geocoders import Geocoder, Location, default_geocoder
from .codes import country_code

COLUMNS = [
    "name", "resolved_name", "source", "score", "ambiguous", "alternatives", "reference",
    "lat", "lon", "radius_km", "hint_country",
]

DEFAULT_RADIUS_KM = 1.0  # positional uncertainty of a coordinate typed or copied by a person

_COORDS = re.compile(
    r"^\s*(?:(?P<name>.*?)\s*@\s*)?(?P<lat>[-+]?\d+(?:\.\d*)?)\s*,\s*(?P<lon>[-+]?\d+(?:\.\d*)?)\s*$"
)


def resolve(
    names: Iterable[str],
    country: str | None = None,
    first: bool = False,
    geocoder: Geocoder | None = None,
) -> gpd.GeoDataFrame:
    """Geocode names (or parse ``NAME@LAT,LON`` / ``LAT,LON``) into a sites frame, in order."""
    names = list(names)
    if not names:
        raise InputError("no sites given")
    table = pd.DataFrame({"name": names, "lat": np.nan, "lon": np.nan})
    for i, name in enumerate(names):
        match = _COORDS.match(name)
        if match:
            table.loc[i, ["name", "lat", "lon"]] = [
                match["name"] or f"{match['lat']},{match['lon']}", float(match["lat"]), float(match["lon"])
            ]
    table["hint"] = country
    return _complete(table, first, geocoder)


def read_sites(
    path: str | Path,
    country: str | None = None,
    first: bool = False,
    geocoder: Geocoder | None = None,
) -> gpd.GeoDataFrame:
    """Sites from a CSV (``name`` and optional ``lat``, ``lon``, ``country``, ``radius_km``) or a
    GeoJSON of points (``name`` and optional ``radius_km``; a layer claimmap wrote keeps where its
    coordinates came from)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"cannot read {path}: no such file")
    if path.suffix.lower() in {".geojson", ".json"}:
        return _read_geojson(path)
    table = _read_csv(path)
    table["hint"] = table["country"].where(table["country"] != "", country)
    return _complete(table, first, geocoder)


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        raise InputError(f"cannot read {path}: {_one_line(exc)}") from exc
    if "name" not in table.columns:
        raise InputError(f"{path}: a sites CSV needs a 'name' column (found: {', '.join(map(repr, table.columns))})")
    if table.empty:
        raise InputError(f"{path}: no sites in the file")
    for column in ("lat", "lon", "radius_km", "country"):
        if column not in table.columns:
            table[column] = ""
    for column in ("lat", "lon", "radius_km"):
        table[column] = _numbers(table, column, path)
    half = table["lat"].isna() != table["lon"].isna()
    if half.any():
        raise InputError(f"{path}: site {table['name'][half].iat[0]!r} has only one of lat/lon")
    return table


def _numbers(table: pd.DataFrame, column: str, path: Path) -> pd.Series:
    text = table[column].str.strip()
    values = pd.to_numeric(text.replace("", np.nan), errors="coerce")
    bad = values.isna() & (text != "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{path}: site {table['name'].iat[i]!r}: {column} {text.iat[i]!r} is not a number")
    return values


def _complete(table: pd.DataFrame, first: bool, geocoder: Geocoder | None) -> gpd.GeoDataFrame:
    """Fill provenance for given coordinates and geocode the rows that have none."""
    if "radius_km" not in table:
        table["radius_km"] = np.nan
    hints = table["hint"].where(table["hint"].notna() & (table["hint"] != ""), None)
    iso3 = {h: country_code(h) for h in hints.dropna().unique()}  # an unknown country is bad input
    frame = pd.DataFrame({
        "name": table["name"].astype(str), "resolved_name": table["name"].astype(str),
        "source": "input", "score": 100.0, "ambiguous": False,
        "alternatives": [[] for _ in range(len(table))], "reference": "",
        "lat": table["lat"].astype(float), "lon": table["lon"].astype(float),
        "radius_km": table["radius_km"].fillna(DEFAULT_RADIUS_KM).astype(float),
        "hint_country": hints.map(iso3).astype(object).where(hints.notna(), None),
    }, index=table.index)
    todo = np.flatnonzero(table["lat"].isna().to_numpy())
    if len(todo):
        geocoder = geocoder or default_geocoder()
        for i in todo:
            loc = geocoder.geocode(frame["name"].iat[i], country=frame["hint_country"].iat[i], first=first)
            _fill(frame, i, loc, keep_radius=not np.isnan(table["radius_km"].iat[i]))
    return sites_frame(frame)


def _fill(frame: pd.DataFrame, i: int, loc: Location, keep_radius: bool) -> None:
    values = {
        "resolved_name": loc.name, "source": loc.source, "score": float(loc.score),
        "ambiguous": bool(loc.ambiguous), "reference": loc.reference,
        "lat": loc.lat, "lon": loc.lon, "hint_country": loc.country,
    }
    if not keep_radius:
        values["radius_km"] = float(loc.radius_km)
    for column, value in values.items():
        frame.iat[i, frame.columns.get_loc(column)] = value
    frame.iat[i, frame.columns.get_loc("alternatives")] = list(loc.alternatives)


def sites_frame(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Validate coordinates and build the frame every later stage takes."""
    frame = frame.reset_index(drop=True)[COLUMNS]
    check_coordinates(frame)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")


def check_coordinates(frame: pd.DataFrame) -> None:
    """Reject out-of-range or missing coordinates and radii, naming the first bad site."""
    radius = frame["radius_km"].to_numpy(float)
    checks = [
        ("lat", ~frame["lat"].between(-90, 90).to_numpy(), "latitude {} is outside -90..90"),
        ("lon", ~frame["lon"].between(-180, 180).to_numpy(), "longitude {} is outside -180..180"),
        ("radius_km", ~(np.isfinite(radius) & (radius >= 0)), "radius_km {} must be a number >= 0"),
    ]
    for column, bad, message in checks:
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"site {frame['name'].iat[i]!r}: " + message.format(frame[column].iat[i]))


def _read_geojson(path: Path) -> gpd.GeoDataFrame:
    try:
        layer = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for broken files; all are bad input
        raise InputError(f"cannot read {path}: {_one_line(exc)}") from exc
    if layer.empty:
        raise InputError(f"{path}: no features")
    kinds = set(layer.geom_type.dropna())
    if kinds != {"Point"} or layer.geometry.isna().any():
        raise InputError(f"{path}: every feature must be a Point (found {', '.join(sorted(map(str, kinds)))})")
    if layer.crs is not None and not layer.crs.equals("EPSG:4326"):
        layer = layer.to_crs("EPSG:4326")
    table = pd.DataFrame({
        "name": layer["name"].astype(str) if "name" in layer else [f"site {i + 1}" for i in range(len(layer))],
        "lat": layer.geometry.y, "lon": layer.geometry.x, "hint": None,
        "radius_km": pd.to_numeric(layer["radius_km"], errors="coerce") if "radius_km" in layer else np.nan,
    })
    frame = _complete(table, first=False, geocoder=None)
    for column in ("resolved_name", "source", "score", "ambiguous", "reference"):
        if column in layer:
            kept = layer[column].reset_index(drop=True)
            frame[column] = kept.where(kept.notna(), frame[column]).astype(frame[column].dtype)
    return frame


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
