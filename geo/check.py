"""The main job as one call: names or a sites file in, claims-annotated sites out.

:func:`check` returns one frame; :func:`check_chunks` yields the same rows a chunk at a time, so that an
input of millions of points is read, annotated and written with memory bounded by a chunk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .errata import annotate_on
from .geocoders import default_geocoder
from .inputs import CHUNK_ROWS
from .sites import iter_sites, resolve


def check(
    names: Iterable[str] = (),
    *,
    input_path: str | Path | None = None,
    country: str | None = None,
    first: bool = False,
    online: bool = False,
    country_dumps: Iterable[str] = (),
    as_of: dt.date | str | None = None,
    errors: list[dict] | None = None,
) -> gpd.GeoDataFrame:
    """Geocode the sites (names, and/or the rows of ``input_path``) and annotate their claims as they
    stood on ``as_of`` (default today; see :mod:`geo.errata`).

    With ``errors`` (a list), rows that cannot be used are skipped and recorded there."""
    frames = list(check_chunks(names, input_path=input_path, country=country, first=first, online=online,
                               country_dumps=country_dumps, as_of=as_of, errors=errors))
    if len(frames) == 1:
        return frames[0]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)


def check_chunks(
    names: Iterable[str] = (),
    *,
    input_path: str | Path | None = None,
    country: str | None = None,
    first: bool = False,
    online: bool = False,
    country_dumps: Iterable[str] = (),
    as_of: dt.date | str | None = None,
    errors: list[dict] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    progress: bool = False,
) -> Iterator[gpd.GeoDataFrame]:
    """:func:`check` a chunk of at most ``chunk_rows`` sites at a time: the file's rows, then the names.
    ``progress`` shows a bar on stderr while names are geocoded."""
    geocoder = default_geocoder(online=online, country_dumps=tuple(country_dumps))
    names = list(names)
    if input_path is not None:
        for sites in iter_sites(input_path, country=country, first=first, geocoder=geocoder,
                                chunk_rows=chunk_rows, errors=errors, progress=progress):
            yield annotate_on(sites, as_of)
    if names or input_path is None:
        yield annotate_on(resolve(names, country=country, first=first, geocoder=geocoder, errors=errors,
                               progress=progress), as_of)
