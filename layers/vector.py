"""Single layer files, each replacing its target in one rename: the sites and regions layers in any
format of :mod:`layers.formats`, and ``atomic_write`` for text files such as the map.

A whole output folder is written through :mod:`layers.publish`, which swaps in the set as a whole.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

import geopandas as gpd

from geo.codes import country_name

from .formats import FORMATS, REGION_PROPERTIES, SHAPEFILE_SIDECARS, SITE_PROPERTIES, write_layer

__all__ = ["REGION_PROPERTIES", "SITE_PROPERTIES", "atomic_write", "write_regions", "write_regions_geojson",
           "write_sites", "write_sites_csv", "write_sites_geojson"]


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


def write_sites(annotated: gpd.GeoDataFrame | Iterable[gpd.GeoDataFrame], path: str | Path, fmt: str) -> Path:
    """The sites layer (one frame or its chunks) as ``fmt``; see :data:`layers.formats.FORMATS`."""
    chunks = [annotated] if isinstance(annotated, gpd.GeoDataFrame) else annotated
    return _replace(path, fmt, lambda p: write_layer(map(with_names, chunks), p, fmt, "sites", SITE_PROPERTIES,
                                                      "Point"))


def write_regions(regions: gpd.GeoDataFrame, path: str | Path, fmt: str) -> Path:
    """The disputed regions layer as ``fmt``, polygons as MultiPolygon where the format wants one type."""
    return _replace(path, fmt, lambda p: write_layer(with_names(regions), p, fmt, "regions", REGION_PROPERTIES,
                                                      "MultiPolygon"))


def write_sites_geojson(annotated: gpd.GeoDataFrame, path: str | Path) -> Path:
    return write_sites(annotated, path, "geojson")


def write_regions_geojson(regions: gpd.GeoDataFrame, path: str | Path) -> Path:
    return write_regions(regions, path, "geojson")


def write_sites_csv(annotated: gpd.GeoDataFrame, path: str | Path) -> Path:
    return write_sites(annotated, path, "csv")


def _replace(path: str | Path, fmt: str, write: Callable[[Path], None]) -> Path:
    """Write beside ``path`` under a temporary name (with the format's suffix, which GDAL needs) and
    rename into place; a Shapefile's sidecar files follow its .shp."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".part" + FORMATS[fmt].suffix)
    os.close(fd)
    os.unlink(tmp)  # GDAL creates the file itself
    tmp = Path(tmp)
    sidecars = SHAPEFILE_SIDECARS if fmt == "shp" else ()
    try:
        write(tmp)
        for suffix in (*sidecars, ""):
            part = tmp.with_suffix(suffix) if suffix else tmp
            if part.exists():
                os.chmod(part, 0o666 & ~_umask())
                os.replace(part, path.with_suffix(suffix) if suffix else path)
    finally:
        for suffix in (*sidecars, ""):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp.with_suffix(suffix) if suffix else tmp)
    return path


def with_names(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Regions' names of claimants travel with their codes, as every human-facing output must."""
    if ("administered_by" in frame and "administered_by_name" not in frame) or (
            "claimed_by" in frame and "claimed_by_names" not in frame):
        frame = frame.copy()
        if "administered_by" in frame and "administered_by_name" not in frame:
            frame["administered_by_name"] = frame["administered_by"].map(country_name)
        if "claimed_by" in frame and "claimed_by_names" not in frame:
            frame["claimed_by_names"] = frame["claimed_by"].map(lambda codes: [country_name(c) for c in codes])
    return frame
