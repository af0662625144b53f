"""Sites: what the user asks about, resolved to points with a radius, as one GeoDataFrame.

A site comes from a name (geocoded), from ``NAME@LAT,LON`` / ``LAT,LON`` on the command line, or from
a file of any format :mod:`geo.inputs` reads. Coordinates given by the user are taken as they are:
nothing is geocoded then, and files of coordinates are read column-wise, a chunk at a time, so that
millions of event points cost no Python loop and bounded memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .codes import country_code
from .errors import InputError
from .geocoders import Geocoder, Location, default_geocoder
from .inputs import CHUNK_ROWS, open_source, read_chunks
from .progress import each

COLUMNS = [
    "name", "resolved_name", "source", "score", "ambiguous", "alternatives", "reference",
    "lat", "lon", "radius_km", "hint_country",
]

DEFAULT_RADIUS_KM = 1.0  # positional uncertainty of a coordinate typed or copied by a person

_COORDS = re.compile(
    r"^\s*(?:(?P<name>.*?)\s*@\s*)?(?P<lat>[-+]?\d+(?:\.\d*)?)\s*,\s*(?P<lon>[-+]?\d+(?:\.\d*)?)\s*$", re.DOTALL
)
# After '@', or alone, only digits, signs, dots and commas: a coordinate pair, however mistyped ('A@,').
_COORDS_TRIED = re.compile(r"^(?:.*@\s*[-+\d.,\s]*|\s*[-+\d.]*\s*,\s*[-+\d.]*\s*)$", re.DOTALL)


def resolve(
    names: Iterable[str],
    country: str | None = None,
    first: bool = False,
    geocoder: Geocoder | None = None,
    *,
    errors: list[dict] | None = None,
    progress: bool = False,
) -> gpd.GeoDataFrame:
    """Geocode names (or parse ``NAME@LAT,LON`` / ``LAT,LON``) into a sites frame, in order.

    With ``errors`` (a list), a name that cannot be used is left out and recorded there as
    ``{"row", "input", "reason"}`` instead of raising. ``progress`` shows a bar while geocoding."""
    names = list(names)
    if not names:
        raise InputError("no sites given")
    table = pd.DataFrame({"row": np.arange(1, len(names) + 1), "name": names, "lat": np.nan, "lon": np.nan,
                          "radius_km": np.nan, "hint": None, "lenient_hint": False})
    reasons = pd.Series(None, index=table.index, dtype=object)
    for i, name in enumerate(names):
        match = _COORDS.match(name)
        if match:
            table.loc[i, ["name", "lat", "lon"]] = [
                match["name"] or f"{match['lat']},{match['lon']}", float(match["lat"]), float(match["lon"])
            ]
        elif _COORDS_TRIED.match(name):
            reasons[i] = f"{name!r}: coordinates must be two numbers, LAT,LON (as in 'Name@35.1,74.8')"
    reasons = reasons.where(reasons.notna(), coordinate_reasons(table))
    return _complete(table, reasons, country, first, geocoder, errors=errors, progress=progress)


def read_sites(
    path: str | Path,
    country: str | None = None,
    first: bool = False,
    geocoder: Geocoder | None = None,
    *,
    errors: list[dict] | None = None,
) -> gpd.GeoDataFrame:
    """Sites from any file :func:`geo.inputs.open_source` reads (CSV with ``name`` and optional
    ``lat``/``lon``, ``country``, ``radius_km``; points in GeoJSON, GeoPackage, GeoParquet, ...). A layer
    claimmap wrote reads back with its provenance. ``errors`` as in :func:`resolve`."""
    frames = list(iter_sites(path, country, first, geocoder, errors=errors))
    return frames[0] if len(frames) == 1 else gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")


def iter_sites(
    path: str | Path,
    country: str | None = None,
    first: bool = False,
    geocoder: Geocoder | None = None,
    *,
    chunk_rows: int = CHUNK_ROWS,
    errors: list[dict] | None = None,
    progress: bool = False,
) -> Iterator[gpd.GeoDataFrame]:
    """:func:`read_sites` a chunk at a time, for inputs of any size."""
    source = open_source(path)
    yielded = False
    for table, reasons in read_chunks(source, chunk_rows):
        frame = _complete(table, reasons, country, first, geocoder, errors=errors, source=source.name,
                          progress=progress)
        if len(frame) or not yielded:
            yielded = True
            yield frame
    if not yielded:
        raise InputError(f"{source.name}: no sites in the file")


def coordinate_reasons(table: pd.DataFrame, required: bool = False) -> pd.Series:
    """Why each row's coordinates or radius cannot be used (None where they can). Missing values are
    fine unless ``required`` (a row still to be geocoded has none yet)."""
    reasons = pd.Series(None, index=table.index, dtype=object)
    radius = table["radius_km"]
    checks = [
        ("lat", ~table["lat"].between(-90, 90), "latitude {} is outside -90..90"),
        ("lon", ~table["lon"].between(-180, 180), "longitude {} is outside -180..180"),
        ("radius_km", ~(np.isfinite(radius) & (radius >= 0)), "radius_km {} must be a number >= 0"),
    ]
    for column, bad, message in checks:
        if not required:
            bad = bad & table[column].notna()
        for i in np.flatnonzero(bad.to_numpy() & reasons.isna().to_numpy()):
            reasons.iat[i] = f"site {table['name'].iat[i]!r}: " + message.format(table[column].iat[i])
    return reasons


def _complete(table: pd.DataFrame, reasons: pd.Series, country: str | None, first: bool,
              geocoder: Geocoder | None, *, errors: list[dict] | None, source: str | None = None,
              progress: bool = False) -> gpd.GeoDataFrame:
    """Check every row, then geocode the rows without coordinates; bad rows raise, or go to ``errors``."""
    def bad(i: int, reason: str) -> None:
        message = f"{source}: row {table['row'].iat[i]}, {reason}" if source else reason
        if errors is None:
            raise InputError(message)
        errors.append({"row": int(table["row"].iat[i]), "input": _input_text(table, i), "reason": message})

    hints = table["hint"].where(table["hint"].notna() & (table["hint"] != ""), country)
    iso3 = {}
    for hint in pd.unique(hints.dropna()):
        try:
            iso3[hint] = country_code(hint)
        except InputError as exc:
            if hint == country or not table["lenient_hint"].any():
                reasons = reasons.where(reasons.notna() | (hints != hint), f"column country: {exc}")
            iso3[hint] = None  # a layer claimmap wrote names entities such as 'Northern Cyprus' there
    keep = np.ones(len(table), bool)
    for i in np.flatnonzero(reasons.notna().to_numpy()):
        bad(i, reasons.iat[i])
        keep[i] = False
    frame = pd.DataFrame({
        "name": table["name"].astype(str), "resolved_name": table["name"].astype(str),
        "source": "input", "score": 100.0, "ambiguous": False,
        "alternatives": [[] for _ in range(len(table))], "reference": "",
        "lat": table["lat"].astype(float), "lon": table["lon"].astype(float),
        "radius_km": table["radius_km"].fillna(DEFAULT_RADIUS_KM).astype(float),
        "hint_country": hints.map(iso3).astype(object).where(hints.notna(), None),
    }, index=table.index)
    for column in ("resolved_name", "source", "score", "ambiguous", "reference"):
        if column in table:  # provenance of a layer claimmap wrote
            kept = table[column]
            frame[column] = kept.where(kept.notna() & (kept != ""), frame[column]).astype(frame[column].dtype)
    todo = np.flatnonzero(keep & table["lat"].isna().to_numpy())
    if len(todo):
        geocoder = geocoder or default_geocoder()
        for i in each(todo, len(todo), progress, "geocoding"):
            try:
                loc = geocoder.geocode(frame["name"].iat[i], country=frame["hint_country"].iat[i], first=first)
            except InputError as exc:
                bad(i, str(exc))
                keep[i] = False
                continue
            _fill(frame, i, loc, keep_radius=not np.isnan(table["radius_km"].iat[i]))
    return sites_frame(frame[keep])


def _input_text(table: pd.DataFrame, i: int) -> str:
    lat, lon = table["lat"].iat[i], table["lon"].iat[i]
    name = table["name"].iat[i]
    return name if np.isnan(lat) and np.isnan(lon) else f"{name}@{lat},{lon}"


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
    reasons = coordinate_reasons(frame, required=True).dropna()
    if len(reasons):
        raise InputError(reasons.iat[0])
