"""Every name the offline gazetteer knows, as one table: for finding place names in running text."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .curated import _frame as curated_frame
from .curated import _table as curated_table
from .geonames import GeoNames
from .names import fold_all
from .ranking import ALTERNATE_PENALTY, CURATED_IMPORTANCE, REGION_IMPORTANCE
from .regions import LAYER, Regions

COLUMNS = [
    "name", "key", "importance", "population", "feature_code", "country", "lat", "lon", "is_alternate",
    "source", "reference",
]


def vocabulary(country_dumps: Iterable[str] = ()) -> pd.DataFrame:
    """One row per (spelling, place): ``name`` as written, ``key`` folded as lookups fold it (match
    phrases on ``key``), ``importance`` as the geocoder ranks that spelling (alternate names already
    lowered), ``population``, ``feature_code``, ``country`` (ISO3 or ""), ``lat``, ``lon``,
    ``is_alternate``, ``source`` and ``reference`` (as in ``Location``).

    Curated sites and disputed regions (with their aliases) come first, then GeoNames' 800,000
    spellings, read from the prebuilt index without copying strings one by one (string columns are
    Arrow-backed).
    """
    return pd.concat([_curated(), _regions(), _geonames(GeoNames(country_dumps))], ignore_index=True)


def _geonames(geonames: GeoNames) -> pd.DataFrame:
    ix = geonames.index
    places, alternate = ix.entry_place, ix.entry_alternate
    codes = np.repeat(np.arange(len(ix.key_bounds) - 1), np.diff(ix.key_bounds))
    keys = _strings(ix.arrays["key_blob"], ix.key_offsets).take(pa.array(codes))
    ids = pc.cast(pa.array(ix.geonameid[places]), pa.large_string())
    return pd.DataFrame({
        "name": _series(_strings(ix.arrays["written_blob"], ix.arrays["written_offsets"])),
        "key": _series(keys),
        "importance": ix.importance[places] - ALTERNATE_PENALTY * alternate,
        "population": ix.population[places],
        "feature_code": pd.Categorical.from_codes(ix.arrays["fcode"][places], ix.arrays["fcodes"]),
        "country": pd.Categorical.from_codes(ix.arrays["country"][places], ix.arrays["countries"]),
        "lat": ix.lat[places], "lon": ix.lon[places],
        "is_alternate": alternate,
        "source": geonames.source,
        "reference": _series(pc.binary_join_element_wise(_text("geonames:"), ids, _text(""))),
    })[COLUMNS]


def _curated() -> pd.DataFrame:
    sites = curated_frame()
    return _small(sites.assign(reference=sites["source"], source="curated"), curated_table()[1], CURATED_IMPORTANCE)


def _regions() -> pd.DataFrame:
    regions = Regions()
    table, _, index = regions._table
    table = table.assign(
        name=table["label"], country="", source=regions.source,
        reference=f"naturalearth:{LAYER}:" + table["BRK_A3"],
    )
    return _small(table, index, REGION_IMPORTANCE)


def _small(table: pd.DataFrame, index, importance: float) -> pd.DataFrame:
    """A curated or region table with one row per spelling its name index holds."""
    spellings = index.spellings
    rows = table.iloc[spellings.index].reset_index(drop=True)
    return pd.DataFrame({
        "name": spellings.to_numpy(), "key": fold_all(spellings).to_numpy(), "importance": importance,
        "population": 0, "feature_code": "", "country": rows["country"].fillna(""),
        "lat": rows["lat"], "lon": rows["lon"],
        "is_alternate": spellings.to_numpy() != rows["name"].to_numpy(),
        "source": rows["source"], "reference": rows["reference"],
    })[COLUMNS].drop_duplicates(["key", "reference", "lat", "lon"])


def _strings(blob: np.ndarray, offsets: np.ndarray) -> pa.LargeStringArray:
    """The strings of a UTF-8 blob, without copying them one by one."""
    return pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(blob))


def _series(strings: pa.Array) -> pd.Series:
    return pd.Series(pd.arrays.ArrowExtensionArray(strings))


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())
