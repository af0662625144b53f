"""The main job as one call: names or a sites file in, claims-annotated sites out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .errata import annotate_on
from .geocoders import default_geocoder
from .sites import read_sites, resolve


def check(
    names: Iterable[str] = (),
    *,
    input_path: str | Path | None = None,
    country: str | None = None,
    first: bool = False,
    online: bool = False,
    country_dumps: Iterable[str] = (),
    as_of: dt.date | str | None = None,
) -> gpd.GeoDataFrame:
    """Geocode the sites (names, and/or the rows of ``input_path``) and annotate their claims as they
    stood on ``as_of`` (default today; see :mod:`geo.errata`)."""
    geocoder = default_geocoder(online=online, country_dumps=tuple(country_dumps))
    frames = []
    if input_path is not None:
        frames.append(read_sites(input_path, country=country, first=first, geocoder=geocoder))
    names = list(names)
    if names or not frames:
        frames.append(resolve(names, country=country, first=first, geocoder=geocoder))
    sites = frames[0] if len(frames) == 1 else gpd.GeoDataFrame(
        pd.concat(frames, ignore_index=True), crs=frames[0].crs
    )
    return annotate_on(sites, as_of)
