"""GIS layers: RFC 7946 GeoJSON that QGIS/ogr2ogr open as they are, and a flat CSV.

GeoJSON is serialised here rather than by GDAL because list and dict properties (``claimed_by``,
``worldviews``) must stay JSON arrays/objects, and the attribution travels as a foreign member.
Every file is written to a temporary name beside its target and renamed into place, so an error
never leaves a half-written layer behind.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.codes import country_name
from geo.data import ATTRIBUTION, provenance

COORD_DECIMALS = 6  # ~0.1 m, as RFC 7946 recommends

SITE_PROPERTIES = [
    "name", "resolved_name", "source", "score", "ambiguous", "reference", "lat", "lon", "radius_km",
    "status", "disputed", "regions", "administered_by", "administered_by_name", "claimed_by",
    "claimed_by_names", "country", "country_name", "worldviews", "nearest_disputed", "nearest_disputed_km",
    "as_of", "errata", "mentions",
]
REGION_PROPERTIES = [
    "region", "region_alt", "group", "kind", "note", "administered_by", "administered_by_name",
    "claimed_by", "claimed_by_names", "worldviews", "sources", "as_of", "errata",
]


@contextlib.contextmanager
def atomic_write(path: Path) -> Iterator[IO[str]]:
    """Open a temporary file beside ``path``; it replaces ``path`` only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            yield f
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would hide the layer from other users
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_geojson(frame: gpd.GeoDataFrame, path: str | Path, properties: list[str], layer: str) -> Path:
    """Write ``frame`` as an RFC 7946 FeatureCollection with the listed properties (those present)."""
    path = Path(path)
    frame = frame.to_crs("EPSG:4326") if frame.crs is not None and not frame.crs.equals("EPSG:4326") else frame
    columns = [c for c in properties if c in frame.columns]
    geometries = shapely.orient_polygons(np.asarray(frame.geometry.values))  # exterior rings counter-clockwise
    geometries = shapely.set_precision(geometries, 10.0**-COORD_DECIMALS)
    table = frame[columns].astype(object)
    records = table.where(table.notna(), None).to_dict("records")
    with atomic_write(path) as f:
        f.write(json.dumps({
            "type": "FeatureCollection",
            "name": layer,
            "attribution": ATTRIBUTION,
            "claimmap": {"data": provenance()},
        })[:-1])
        f.write(', "features": [\n')
        for i, (geometry, props) in enumerate(zip(shapely.to_geojson(geometries), records, strict=True)):
            if i:
                f.write(",\n")
            f.write('{"type": "Feature", "properties": ')
            f.write(json.dumps(props, default=_plain, ensure_ascii=False, allow_nan=False))
            f.write(', "geometry": ')
            f.write(geometry)
            f.write("}")
        f.write("\n]}\n")
    return path


def write_sites_geojson(annotated: gpd.GeoDataFrame, path: str | Path) -> Path:
    return write_geojson(_with_names(annotated), path, SITE_PROPERTIES, "sites")


def write_regions_geojson(regions: gpd.GeoDataFrame, path: str | Path) -> Path:
    return write_geojson(_with_names(regions), path, REGION_PROPERTIES, "regions")


def write_sites_csv(annotated: gpd.GeoDataFrame, path: str | Path) -> Path:
    """One row per site; lists joined with ``;`` and worldviews as ``viewer:owner`` pairs."""
    path = Path(path)
    table = pd.DataFrame(annotated[[c for c in SITE_PROPERTIES if c in annotated.columns]])
    for column in table.columns:
        sample = table[column].dropna()
        if len(sample) and isinstance(sample.iloc[0], dict):
            table[column] = table[column].map(lambda d: ";".join(f"{k}:{v}" for k, v in sorted(d.items())))
        elif len(sample) and isinstance(sample.iloc[0], list | tuple) and any(
                isinstance(item, dict) for item in sample.iloc[0]):  # read's mentions: a JSON list
            table[column] = table[column].map(lambda items: json.dumps(items, ensure_ascii=False))
        elif len(sample) and isinstance(sample.iloc[0], list | tuple):
            table[column] = table[column].map(";".join)
    with atomic_write(path) as f:
        table.to_csv(f, index=False)
    return path


def _with_names(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Regions' names of claimants travel with their codes, as every human-facing output must."""
    frame = frame.copy()
    if "administered_by" in frame and "administered_by_name" not in frame:
        frame["administered_by_name"] = frame["administered_by"].map(country_name)
    if "claimed_by" in frame and "claimed_by_names" not in frame:
        frame["claimed_by_names"] = frame["claimed_by"].map(lambda codes: [country_name(c) for c in codes])
    return frame


def _plain(value: object) -> object:
    """JSON for numpy scalars and missing values, which json cannot serialise itself."""
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} to GeoJSON")

