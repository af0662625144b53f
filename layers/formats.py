"""Layer files in every format a GIS user asks for, written chunk by chunk.

Each format gets its list and dict fields in a form its driver keeps: GeoJSON and GeoParquet keep string
lists natively (``claimed_by`` reads back as a StringList / list column) and dicts as JSON objects or JSON
text; GeoPackage, FlatGeobuf and Shapefile, which have no list types, get JSON text (GDAL marks it as JSON
where the format can say so); CSV joins lists with ``;``. GDAL formats are written by pyogrio from Arrow
batches, GeoParquet by pyarrow, so a layer of millions of rows is never held in memory at once.
The attribution (GeoNames CC BY 4.0, Natural Earth) travels in every layer: as a GeoJSON foreign member,
layer metadata (GeoPackage, FlatGeobuf, GeoParquet) or an ``attribution`` field (Shapefile, CSV).
"""

from __future__ import annotations

import csv
import datetime
import json
import math
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pyproj
import shapely

from geo.data import ATTRIBUTION, provenance


@dataclass(frozen=True)
class Format:
    key: str
    driver: str | None  # GDAL driver name; None for formats written without GDAL
    suffix: str
    text: bool  # can stream to stdout
    lists: bool  # keeps a list of strings as a list


FORMATS = {f.key: f for f in [
    Format("geojson", "GeoJSON", ".geojson", text=True, lists=True),
    Format("gpkg", "GPKG", ".gpkg", text=False, lists=False),
    Format("fgb", "FlatGeobuf", ".fgb", text=False, lists=False),
    Format("parquet", None, ".parquet", text=False, lists=True),
    Format("csv", None, ".csv", text=True, lists=False),
    Format("shp", "ESRI Shapefile", ".shp", text=False, lists=False),
]}
SHAPEFILE_SIDECARS = (".shx", ".dbf", ".prj", ".cpg")

COORD_DECIMALS = 6  # ~0.1 m, as RFC 7946 recommends

SITE_PROPERTIES = [
    "name", "resolved_name", "source", "score", "ambiguous", "reference", "lat", "lon", "radius_km",
    "status", "disputed", "regions", "administered_by", "administered_by_name", "claimed_by",
    "claimed_by_names", "country", "country_name", "worldviews", "nearest_disputed", "nearest_disputed_km",
    "mentions", "as_of", "errata",  # written when present: added by article reading and dated claims
]
REGION_PROPERTIES = [
    "region", "region_alt", "group", "kind", "note", "administered_by", "administered_by_name",
    "claimed_by", "claimed_by_names", "worldviews", "sources", "as_of", "errata",
]

# Shapefile (dBASE) field names have at most 10 characters.
SHAPEFILE_NAMES = {
    "resolved_name": "res_name", "administered_by": "admin_by", "administered_by_name": "admin_name",
    "claimed_by_names": "claim_name", "country_name": "cntry_name", "nearest_disputed": "nearest",
    "nearest_disputed_km": "nearest_km", "region_alt": "region_alt", "attribution": "attributn",
}
SHAPEFILE_SKIPS = {"sources", "mentions"}  # nested JSON longer than dBASE's 254 characters; use GeoPackage

STRING_LISTS = {"regions", "claimed_by", "claimed_by_names", "alternatives"}
JSON_FIELDS = {"worldviews", "sources", "mentions", "errata"}
NUMBERS = {"score", "lat", "lon", "radius_km", "nearest_disputed_km"}
BOOLEANS = {"ambiguous", "disputed"}

# Spreadsheets run a cell that starts with one of these as a formula; a leading ' makes it text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def metadata() -> dict:
    """What every layer says about where its data came from."""
    return {"attribution": ATTRIBUTION,
            "claimmap": {"data": provenance()}}


def kinds(frame: pd.DataFrame, columns: list[str]) -> dict[str, str]:
    """Each column's kind: ``strlist``, ``json``, ``bool``, ``float``, ``int``, ``time`` or ``str``.

    Known columns have fixed kinds, so that every chunk of a stream gets the same schema; others are
    judged by their first value."""
    out = {}
    for column in columns:
        if column in STRING_LISTS:
            out[column] = "strlist"
        elif column in JSON_FIELDS:
            out[column] = "json"
        elif column in NUMBERS:
            out[column] = "float"
        elif column in BOOLEANS:
            out[column] = "bool"
        else:
            out[column] = _kind_of(frame[column])
    return out


def _kind_of(values: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(values):
        return "bool"
    if pd.api.types.is_integer_dtype(values):
        return "int"
    if pd.api.types.is_float_dtype(values):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "time"
    sample = values.dropna()
    first = sample.iloc[0] if len(sample) else None
    if isinstance(first, list | tuple | np.ndarray):
        flat = [v for value in sample.head(100) for v in value]
        return "strlist" if all(isinstance(v, str) for v in flat) else "json"
    if isinstance(first, dict):
        return "json"
    if isinstance(first, datetime.date):
        return "time"
    return "str"


def neutralise(text: str) -> str:
    """A text cell a spreadsheet shows as text: a formula-like value (or one already escaped this
    way) gets a leading ``'``; :func:`geo.inputs.unneutralise` undoes it."""
    if text.startswith(FORMULA_PREFIXES) or (text.startswith("'") and text.lstrip("'").startswith(FORMULA_PREFIXES)):
        return "'" + text
    return text


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT


def _json(value: object) -> str | None:
    if _missing(value):
        return None
    return json.dumps(value, default=_plain, ensure_ascii=False, allow_nan=False)


def _plain(value: object) -> object:
    """JSON for numpy scalars and missing values, which json cannot serialise itself."""
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.ndarray | tuple):
        return list(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _string_lists(values: pd.Series) -> pa.Array:
    """A list<string> array; Arrow converts lists, tuples and arrays of str in C."""
    try:
        return pa.array(values.to_numpy(object), pa.list_(pa.string()), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # items that are not str
        return pa.array([None if _missing(v) else [str(s) for s in v] for v in values], pa.list_(pa.string()))


def _per_object(values: pd.Series, convert: Callable[[object], str | None]) -> list[str | None]:
    """``convert`` once per distinct object: sites of one country share their worldviews dict."""
    done: dict[int, str | None] = {}
    out = []
    for value in values:
        key = id(value)
        if key not in done:
            done[key] = convert(value)
        out.append(done[key])
    return out


def arrow_column(values: pd.Series, kind: str, fmt: Format) -> pa.Array:
    if kind == "strlist":
        lists = _string_lists(values)
        if fmt.lists:
            return lists
        if fmt.key == "csv":
            return pc.binary_join(lists, ";")
        return pa.array(_per_object(pd.Series(lists.to_pylist()).map(tuple), lambda v: _json(list(v))), pa.json_())
    if kind == "json":
        if fmt.key == "csv":
            return pa.array(_per_object(values, _csv_json), pa.string())
        return pa.array(_per_object(values, _json), pa.json_() if fmt.driver else pa.string())
    if kind == "bool":
        return pa.array(values.to_numpy(object), pa.bool_(), from_pandas=True)
    if kind == "float":
        return pa.array(pd.to_numeric(values, errors="coerce").to_numpy(float), pa.float64(), from_pandas=True)
    if kind == "int":
        return pa.array(values, pa.int64(), from_pandas=True)
    if kind == "time":
        stamps = pd.to_datetime(values, errors="coerce", utc=True)
        return pa.array(stamps.dt.strftime("%Y-%m-%dT%H:%M:%SZ").where(stamps.notna(), None), pa.string())
    try:
        return pa.array(values.to_numpy(object), pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers or other objects in a text column
        return pa.array([None if _missing(v) else str(v) for v in values], pa.string())


def _csv_json(value: object) -> str | None:
    """CSV keeps the one-line ``viewer:owner;...`` form for worldviews; other nested values as JSON."""
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return ";".join(f"{k}:{v}" for k, v in sorted(value.items()))
    return _json(value)


def arrow_table(frame: gpd.GeoDataFrame, columns: list[str], column_kinds: dict[str, str], fmt: Format,
                multi: bool = False) -> pa.Table:
    """The frame's listed columns as Arrow in ``fmt``'s representation, geometry last as WKB."""
    frame = frame.to_crs("EPSG:4326") if frame.crs is not None and not frame.crs.equals("EPSG:4326") else frame
    arrays = {c: arrow_column(frame[c].reset_index(drop=True), column_kinds[c], fmt) for c in columns}
    if fmt.key in {"csv", "shp"}:
        arrays["attribution"] = pa.array([ATTRIBUTION] * len(frame), pa.string())
    if fmt.key == "shp":
        arrays = {SHAPEFILE_NAMES.get(k, k): v for k, v in arrays.items() if k not in SHAPEFILE_SKIPS}
    if fmt.key == "csv":
        arrays = {k: _neutralised(v) if pa.types.is_string(v.type) else v for k, v in arrays.items()}
        return pa.table(arrays)
    geometries = shapely.orient_polygons(np.asarray(frame.geometry.values))  # exterior rings counter-clockwise
    if multi:
        polygons = shapely.get_type_id(geometries) == shapely.GeometryType.POLYGON
        geometries[polygons] = shapely.multipolygons(geometries[polygons, None])
    arrays["geometry"] = pa.array(shapely.to_wkb(geometries), pa.binary())
    return pa.table(arrays)


def _neutralised(array: pa.Array) -> pa.Array:
    """:func:`neutralise` for a whole column: a ' before formula-like cells, vectorised."""
    text = pd.Series(array.to_pandas(), dtype=object)
    body = text.str.lstrip("'")
    risky = (text.str.startswith(FORMULA_PREFIXES) | (text.str.startswith("'") & body.str.startswith(FORMULA_PREFIXES)))
    risky = risky.fillna(False).astype(bool)
    return pa.array(text.where(~risky, "'" + text), pa.string(), from_pandas=True)


class Sink:
    """One layer file being written, a chunk at a time: ``write(frame)`` then ``close()``."""

    def __init__(self, path: str | Path, fmt: Format, layer: str, geometry_type: str, columns: list[str]):
        self.path, self.fmt, self.layer, self.columns = path, fmt, layer, columns
        self.geometry_type = geometry_type
        self.multi = fmt.key != "geojson" and geometry_type == "MultiPolygon"
        self.kinds: dict[str, str] | None = None
        self._writer: _Writer | None = None

    def write(self, frame: gpd.GeoDataFrame) -> None:
        if self.kinds is None:
            self.columns = [c for c in self.columns if c in frame.columns]
            self.kinds = kinds(frame, self.columns)
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            frame = frame.assign(**{c: None for c in missing})
        table = arrow_table(frame, self.columns, self.kinds, self.fmt, self.multi)
        if self._writer is None:
            self._writer = _WRITERS[self.fmt.key](self.path, table.schema, self)
        self._writer.write(table)

    def close(self) -> None:
        """Finish the file; a layer that got no rows is still written, with its columns."""
        if self._writer is None:
            raise ValueError("an empty layer needs a frame with its columns: call write() with it first")
        self._writer.close()

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.abort()


class _Writer:
    def write(self, table: pa.Table) -> None: ...
    def close(self) -> None: ...
    def abort(self) -> None: ...


class _GdalWriter(_Writer):
    """pyogrio's ``write_arrow`` fed from a queue in a thread, so that GDAL writes one growing layer
    while the caller pushes batches (GDAL formats have no portable append for FlatGeobuf)."""

    def __init__(self, path: str | Path, schema: pa.Schema, sink: Sink):
        from pyogrio.raw import write_arrow

        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.schema = schema
        options = {"geometry_name": "geometry", "geometry_type": sink.geometry_type, "crs": "EPSG:4326",
                   "layer": sink.layer, "driver": sink.fmt.driver,
                   "layer_options": _layer_options(sink.fmt, keep_order=sink.geometry_type == "Point")}
        if sink.fmt.key == "shp":
            options["encoding"] = "UTF-8"

        def run() -> None:
            try:
                reader = pa.RecordBatchReader.from_batches(schema, iter(self.queue.get, None))
                write_arrow(reader, str(path), **options)
            except BaseException as exc:  # handed to the caller's thread in write()/close()
                self.error = exc
                while self.queue.get() is not None:  # let a blocked producer finish
                    pass

        self.thread = threading.Thread(target=run, name=f"claimmap-write-{sink.layer}", daemon=True)
        self.thread.start()

    def write(self, table: pa.Table) -> None:
        for batch in table.cast(self.schema).to_batches():
            self._put(batch)

    def _put(self, item: pa.RecordBatch | None) -> None:
        while self.thread.is_alive():
            try:
                self.queue.put(item, timeout=0.5)
                break
            except queue.Full:
                continue
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        self._put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def abort(self) -> None:
        if self.thread.is_alive():
            self.error = self.error or RuntimeError("aborted")
            self.queue.put(None)
            self.thread.join()


def _layer_options(fmt: Format, keep_order: bool) -> dict[str, str]:
    meta = metadata()
    if fmt.key == "geojson":  # GDAL's RFC 7946 mode: CCW rings, cut at the antimeridian, WGS84
        return {"RFC7946": "YES", "COORDINATE_PRECISION": str(COORD_DECIMALS),
                "FOREIGN_MEMBERS_COLLECTION": json.dumps(meta, ensure_ascii=False)}
    if fmt.key == "gpkg":
        return {"DESCRIPTION": ATTRIBUTION}
    if fmt.key == "fgb":  # FlatGeobuf's spatial index sorts the features: sites keep their input order
        return {"TITLE": "claimmap", "DESCRIPTION": ATTRIBUTION, "SPATIAL_INDEX": "NO" if keep_order else "YES"}
    return {}


class _ParquetWriter(_Writer):
    """GeoParquet 1.1 (WKB geometry, geo metadata) through pyarrow, one row group per batch."""

    def __init__(self, path: str | Path, schema: pa.Schema, sink: Sink):
        types = ["Point"] if sink.geometry_type == "Point" else ["Polygon", "MultiPolygon"]
        geo = {"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": {
            "encoding": "WKB", "geometry_types": types, "crs": pyproj.CRS("EPSG:4326").to_json_dict()}}}
        schema = schema.with_metadata({b"geo": json.dumps(geo).encode(),
                                       b"claimmap": json.dumps(metadata()).encode()})
        self.schema = schema
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")

    def write(self, table: pa.Table) -> None:
        self.writer.write_table(table.cast(self.schema))

    def close(self) -> None:
        self.writer.close()

    def abort(self) -> None:
        self.writer.close()


class _CsvWriter(_Writer):
    """RFC 4180 CSV: CRLF rows, so every field holding a CR or LF is quoted; formula-like text neutralised."""

    def __init__(self, path: str | Path | IO[str], schema: pa.Schema, sink: Sink):
        self.own = not hasattr(path, "write")
        self.file: IO[str] = open(path, "w", encoding="utf-8", newline="") if self.own else path  # noqa: SIM115
        self.header = True

    def write(self, table: pa.Table) -> None:
        table.to_pandas().to_csv(self.file, index=False, header=self.header, lineterminator="\r\n",
                                 quoting=csv.QUOTE_MINIMAL)
        self.header = False

    def close(self) -> None:
        self.file.flush()
        if self.own:
            self.file.close()

    abort = close


_WRITERS = {"geojson": _GdalWriter, "gpkg": _GdalWriter, "fgb": _GdalWriter, "shp": _GdalWriter,
            "parquet": _ParquetWriter, "csv": _CsvWriter}


def write_layer(frames: gpd.GeoDataFrame | Iterable[gpd.GeoDataFrame], path: str | Path | IO[str], fmt: str,
                layer: str, columns: list[str], geometry_type: str) -> None:
    """Write one frame, or an iterable of chunks, as one layer file."""
    sink = Sink(path, FORMATS[fmt], layer, geometry_type, columns)
    try:
        for frame in [frames] if isinstance(frames, pd.DataFrame) else frames:
            sink.write(frame)
        sink.close()
    except BaseException:
        sink.abort()
        raise
