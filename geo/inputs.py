"""Sites files in any format a GIS user has, read in chunks and checked row by row.

The format is judged by content, not only by the name: GeoParquet (pyarrow), anything GDAL reads
through pyogrio (GeoPackage, FlatGeobuf, Shapefile, KML, GeoJSON, zipped layers), else CSV with common
column names (``lat/latitude/y``, ``lon/lng/long/longitude/x`` or a WKT ``geometry``). ``-`` reads stdin.
Every chunk comes out as one table of what the user gave (``row``, ``name``, ``lat``, ``lon``, ``hint``,
``radius_km``, and provenance when claimmap wrote the file) plus the reason each bad row is bad, so a
caller can stop at the first bad row or skip bad rows; messages name the file, the row and the column.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyproj
import shapely

from .errors import InputError

CHUNK_ROWS = 100_000  # rows read, checked and annotated at a time: bounds memory for any input size

LAT_NAMES = ("lat", "latitude", "y")
LON_NAMES = ("lon", "lng", "long", "longitude", "x")
WKT_NAMES = ("geometry", "wkt", "geom", "the_geom")
PROVENANCE = ("resolved_name", "source", "score", "ambiguous", "reference")
# Shapefile field names claimmap writes (dBASE allows 10 characters), mapped back when read.
SHAPEFILE_NAMES = {
    "resolved_name": "res_name", "administered_by": "admin_by", "administered_by_name": "admin_name",
    "claimed_by_names": "claim_name", "country_name": "cntry_name", "nearest_disputed": "nearest",
    "nearest_disputed_km": "nearest_km", "attribution": "attributn",
}
_LONG_NAMES = {v: k for k, v in SHAPEFILE_NAMES.items()}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")  # what claimmap's CSV writer escapes with a leading '

_KINDS = dict(enumerate(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
                         "MultiPolygon", "GeometryCollection"]))
_MAGIC = [(b"PAR1", "parquet"), (b"SQLite format 3\x00", "ogr"), (b"fgb\x03", "ogr"), (b"\x00\x00\x27\x0a", "ogr"),
          (b"PK\x03\x04", "ogr")]


@dataclass
class Source:
    """An input: ``name`` for messages, ``data`` a path or the bytes read from stdin, ``kind`` how to read it."""

    name: str
    data: Path | bytes
    kind: str  # "csv", "parquet" or "ogr"


def open_source(path: str | Path) -> Source:
    """Find how to read ``path`` (``-`` is stdin) from its first bytes, falling back to its suffix."""
    if str(path) == "-":
        data = sys.stdin.buffer.read()
        return Source("<stdin>", data, _sniff(data[:4096], "", "<stdin>"))
    path = Path(path)
    if path.is_dir():
        if any(path.rglob("*.parquet")):
            return Source(str(path), path, "parquet")
        if any(path.glob("*.shp")) or any(path.glob("*.gdb")):
            return Source(str(path), path, "ogr")
        raise InputError(f"cannot read {path}: a folder with no GeoParquet or Shapefile in it")
    if not path.is_file():
        raise InputError(f"cannot read {path}: no such file")
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from exc
    return Source(str(path), path, _sniff(head, path.suffix.lower(), str(path)))


def _sniff(head: bytes, suffix: str, name: str) -> str:
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"[") or text.startswith((b"<?xml", b"<kml", b"<gpx", b"<gml")) or suffix in (
            ".geojson", ".json", ".kml", ".gml", ".gpx", ".geojsonl", ".geojsons"):
        return "ogr"
    if b"\x00" in head:
        if suffix in (".gpkg", ".fgb", ".shp", ".zip", ".kmz", ".parquet"):
            return "ogr" if suffix != ".parquet" else "parquet"
        raise InputError(f"cannot read {name}: an unknown binary format (claimmap reads CSV, GeoJSON, GeoPackage, FlatGeobuf, "
                         "Shapefile, KML and GeoParquet)")
    return "csv"


def read_chunks(source: Source, chunk_rows: int = CHUNK_ROWS) -> Iterator[tuple[pd.DataFrame, pd.Series]]:
    """The source's rows as site tables of at most ``chunk_rows``, each with the reason (or None) per row."""
    readers = {"csv": _csv_chunks, "parquet": _parquet_chunks, "ogr": _ogr_chunks}
    first = 1
    for raw in readers[source.kind](source, chunk_rows):
        raw.index = pd.RangeIndex(first, first + len(raw))
        first += len(raw)
        yield sites_table(raw)


def fail_on(source: Source, table: pd.DataFrame, reasons: pd.Series) -> None:
    """Raise the first bad row's reason as a one-line error naming the file and row."""
    bad = reasons.dropna()
    if len(bad):
        raise InputError(f"{source.name}: row {bad.index[0]}, {bad.iloc[0]}")


# --- readers: each yields raw frames whose columns are the file's own, plus 'geometry' (shapely) if any


def _csv_chunks(source: Source, chunk_rows: int) -> Iterator[pd.DataFrame]:
    data = io.BytesIO(source.data) if isinstance(source.data, bytes) else source.data
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # a first row with extra fields
            reader = pd.read_csv(data, dtype=str, keep_default_na=False, skipinitialspace=True, index_col=False,
                                 on_bad_lines="error", chunksize=chunk_rows, encoding="utf-8-sig")
            yielded = False
            for chunk in reader:
                yielded = True
                yield _text_columns(chunk)
            if not yielded:
                raise InputError(f"{source.name}: no sites in the file")
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise InputError(f"{source.name}: {_extra_fields(source) or _one_line(exc)}") from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(f"{source.name}: no sites in the file") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read {source.name}: not UTF-8 text ({_one_line(exc)})") from exc


def _extra_fields(source: Source) -> str | None:
    """Find the first row with more fields than the header (read again, slowly, only on error)."""
    text = source.data.decode("utf-8-sig", "replace") if isinstance(source.data, bytes) else \
        source.data.read_text("utf-8-sig", errors="replace")
    rows = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    header = next(rows, [])
    for number, row in enumerate(rows, start=1):
        if len(row) > len(header):
            return (f"row {number} (line {rows.line_num}) has {len(row)} fields but the header has {len(header)}: "
                    f"{','.join(row)[:80]!r}")
    return None


def _text_columns(chunk: pd.DataFrame) -> pd.DataFrame:
    """Undo claimmap's formula escaping (a leading ' before =, +, -, @, tab, CR or another ')."""
    for column in chunk.columns:
        values = chunk[column]
        escaped = values.str.startswith("'") & values.str.lstrip("'").str.startswith(FORMULA_PREFIXES)
        if escaped.any():
            chunk[column] = values.where(~escaped, values.str[1:])
    return chunk


def _parquet_chunks(source: Source, chunk_rows: int) -> Iterator[pd.DataFrame]:
    import pyarrow.dataset as ds

    try:
        if isinstance(source.data, bytes):
            dataset = ds.dataset(pq.ParquetFile(io.BytesIO(source.data)).read())
        else:
            dataset = ds.dataset(source.data, format="parquet")
        geo = json.loads((dataset.schema.metadata or {}).get(b"geo", b"{}"))
        batches = dataset.to_batches(batch_size=chunk_rows)
        column = geo.get("primary_column")
        meta = geo.get("columns", {}).get(column, {}) if column else {}
        crs = pyproj.CRS.from_user_input(meta["crs"]) if meta.get("crs") else pyproj.CRS("OGC:CRS84")
        for batch in batches:
            frame = batch.to_pandas()
            if column:
                frame["geometry"] = _geoarrow(batch.column(column), meta.get("encoding", "WKB"), source)
                frame = frame.drop(columns=[column]) if column != "geometry" else frame
                frame.attrs["crs"] = crs
            yield frame
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError, ValueError, KeyError) as exc:
        raise InputError(f"cannot read {source.name}: {_one_line(exc)}") from exc


def _geoarrow(column: pa.Array, encoding: str, source: Source) -> np.ndarray:
    if encoding.upper() == "WKB":
        return shapely.from_wkb(column.to_numpy(zero_copy_only=False), on_invalid="ignore")
    if encoding.lower() == "point":
        x = column.field("x").to_numpy(zero_copy_only=False)
        y = column.field("y").to_numpy(zero_copy_only=False)
        return shapely.points(x, y)
    raise InputError(f"cannot read {source.name}: GeoParquet geometry encoding {encoding!r} (WKB and point are read)")


def _ogr_chunks(source: Source, chunk_rows: int) -> Iterator[pd.DataFrame]:
    if isinstance(source.data, bytes) and b"\\u0000" in source.data.lower() or (
            isinstance(source.data, Path) and source.data.suffix.lower() in (".geojson", ".json")
            and b"\\u0000" in source.data.read_bytes().lower()):
        _nul_in_json(source)
    try:
        yield from _ogr_batches(source, chunk_rows)
    except InputError:
        raise
    except Exception as exc:  # GDAL on a damaged file: DataSourceError, ArrowInvalid, even IndexError
        raise InputError(f"cannot read {source.name}: {_one_line(exc)}") from exc


def _ogr_batches(source: Source, chunk_rows: int) -> Iterator[pd.DataFrame]:
    import pyogrio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on a file it then reads, or fails on
        stream = pyogrio.open_arrow(source.data, batch_size=chunk_rows, use_pyarrow=True)
        meta, reader = stream.__enter__()
    try:
        fields = set(meta["fields"])
        crs = pyproj.CRS.from_user_input(meta["crs"]) if meta["crs"] else pyproj.CRS("EPSG:4326")
        for batch in reader:
            geometry = [c for c in batch.schema.names if c not in fields]
            frame = batch.select([c for c in batch.schema.names if c in fields]).to_pandas()
            if geometry:
                frame["geometry"] = shapely.from_wkb(
                    batch.column(geometry[-1]).to_numpy(zero_copy_only=False), on_invalid="ignore")
            frame.attrs["crs"] = crs
            yield frame
    finally:
        stream.__exit__(None, None, None)


def _nul_in_json(source: Source) -> None:
    """GDAL cuts strings at NUL; say so rather than read 'a\\u0000b' as 'a'."""
    data = source.data if isinstance(source.data, bytes) else source.data.read_bytes()
    try:
        features = json.loads(data).get("features", [])
    except (ValueError, AttributeError):
        features = []
    for number, feature in enumerate(features if isinstance(features, list) else [], start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        for key, value in (properties if isinstance(properties, dict) else {}).items():
            if isinstance(value, str) and "\x00" in value:
                raise InputError(f"{source.name}: row {number}, column {key}: a NUL character in {value!r}")
    raise InputError(f"{source.name}: a NUL character (\\u0000) in the file")


# --- one site table from any raw frame


def sites_table(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """A raw frame (a file's own columns, ``geometry`` as shapely objects with its CRS in ``attrs``,
    rows indexed by their 1-based number) as a site table, and the reason each bad row is bad."""
    columns = {str(c).lower(): c for c in raw.columns}
    columns.update({_LONG_NAMES[k]: v for k, v in list(columns.items())
                    if k in _LONG_NAMES and _LONG_NAMES[k] not in columns})
    reasons = pd.Series(None, index=raw.index, dtype=object)

    def note(bad: np.ndarray | pd.Series, message: str | Callable[[np.ndarray], list[str]]) -> None:
        """Give rows that are ``bad`` (and not already bad) the ``message``: one text, or a function
        making one per bad row from their positions (only called when some row is bad)."""
        bad = np.asarray(bad, bool) & reasons.isna().to_numpy()
        if bad.any():
            reasons.iloc[np.flatnonzero(bad)] = message if isinstance(message, str) else message(np.flatnonzero(bad))

    def text(key: str) -> pd.Series | None:
        if key not in columns:
            return None
        values = raw[columns[key]]
        return _as_text(values)

    for column in raw.columns:
        if raw[column].dtype == object:
            values = raw[column]
            try:
                nul = values.str.contains("\x00", regex=False, na=False).to_numpy(bool)
            except AttributeError:  # no text in the column (dates, lists)
                continue
            note(nul, f"column {column}: a NUL character")

    table = pd.DataFrame(index=raw.index)
    table["row"] = raw.index
    names = text("name")
    table["name"] = names if names is not None else [f"site {i}" for i in raw.index]

    lat, lon = _coordinates(raw, columns, note, text)
    table["lat"], table["lon"] = lat, lon
    half = np.isnan(lat) != np.isnan(lon)
    note(half, "columns lat/lon: only one of lat and lon is given")
    note(~np.isnan(lat) & ((lat < -90) | (lat > 90)),
         lambda rows: [f"column lat: latitude {lat[i]} is outside -90..90" for i in rows])
    note(~np.isnan(lon) & ((lon < -180) | (lon > 180)),
         lambda rows: [f"column lon: longitude {lon[i]} is outside -180..180" for i in rows])
    if names is None:
        note(np.isnan(lat), "no coordinates and no name to look up")

    table["radius_km"] = _numbers(raw, columns, "radius_km", note)
    bad_radius = ~np.isnan(table["radius_km"]) & (table["radius_km"] < 0)
    note(bad_radius, "column radius_km: a radius must be >= 0")

    claimmap_layer = "status" in columns and "resolved_name" in columns
    hint = text("country")
    table["hint"] = None if hint is None else hint.where(hint.str.strip() != "", None)
    table["lenient_hint"] = claimmap_layer  # a layer claimmap wrote names its output country, not a hint
    if claimmap_layer:
        for key in PROVENANCE:
            if key == "score":
                table[key] = _numbers(raw, columns, key, note)
            elif key == "ambiguous":
                table[key] = _booleans(raw, columns, key, note)
            else:
                table[key] = text(key)
    elif "score" in columns:
        _numbers(raw, columns, "score", note)
    return table, reasons


def _coordinates(raw, columns, note, text) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude from a geometry (reprojected to WGS84), lat/lon columns or WKT."""
    n = len(raw)
    if "geometry" in raw.columns and raw["geometry"].dtype == object and (
            len(raw) == 0 or not isinstance(raw["geometry"].iloc[0], str)):
        return _from_geometry(np.asarray(raw["geometry"], dtype=object), raw.attrs.get("crs"), note, n)
    lat_key = next((k for k in LAT_NAMES if k in columns), None)
    lon_key = next((k for k in LON_NAMES if k in columns), None)
    if lat_key and lon_key:
        lat = _numbers(raw, columns, lat_key, note)
        lon = _numbers(raw, columns, lon_key, note)
        return lat, lon
    wkt_key = next((k for k in WKT_NAMES if k in columns), None)
    if wkt_key:
        values = text(wkt_key)
        geometry = shapely.from_wkt(values.where(values.str.strip() != "", None).to_numpy(object), on_invalid="ignore")
        unreadable = pd.isna(geometry) & (values.str.strip() != "").to_numpy()
        note(unreadable, f"column {columns[wkt_key]}: not WKT")
        lat, lon = _from_geometry(geometry, None, note, n, missing_ok=True)
        return lat, lon
    return np.full(n, np.nan), np.full(n, np.nan)


def _from_geometry(geometry: np.ndarray, crs: pyproj.CRS | None, note, n: int,
                   missing_ok: bool = False) -> tuple[np.ndarray, np.ndarray]:
    kinds = shapely.get_type_id(geometry)
    missing = pd.isna(geometry)
    if not missing_ok:
        note(missing, "column geometry: no geometry")
    not_point = ~missing & (kinds != shapely.GeometryType.POINT)
    note(not_point, lambda rows: [f"column geometry: every feature must be a Point, not a {_KINDS[kinds[i]]}"
                                  for i in rows])
    empty = ~missing & ~not_point & shapely.is_empty(geometry)
    points = np.where(not_point | missing | empty, None, geometry)
    x, y = shapely.get_x(points), shapely.get_y(points)
    empty |= ~missing & ~not_point & (np.isnan(x) | np.isnan(y))
    note(empty, "column geometry: a point with no coordinates (empty or NaN)")
    if crs is not None and not crs.equals("EPSG:4326") and not crs.equals("OGC:CRS84"):
        x, y = _to_wgs84(x, y, crs, note)
    return y, x


def _to_wgs84(x: np.ndarray, y: np.ndarray, crs: pyproj.CRS, note) -> tuple[np.ndarray, np.ndarray]:
    """Reproject, refusing points outside the CRS's area of use (EPSG:3857 [1e9, 1e9] is not the pole)."""
    area = crs.area_of_use
    if area is not None and not crs.is_geographic:
        left, bottom, right, top = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform_bounds(
            area.west, area.south, area.east, area.north)
        slack = 0.01 * max(right - left, top - bottom)
        outside = ~np.isnan(x) & ((x < left - slack) | (x > right + slack) | (y < bottom - slack) | (y > top + slack))
        note(outside, f"column geometry: the point is outside the area of use of {crs.to_string()} ({area.name})")
        x, y = np.where(outside, np.nan, x), np.where(outside, np.nan, y)
    lon, lat = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)
    bad = ~np.isnan(x) & ~(np.isfinite(lon) & np.isfinite(lat))
    note(bad, f"column geometry: the point cannot be transformed from {crs.to_string()} to WGS84")
    return np.where(bad, np.nan, lon), np.where(bad, np.nan, lat)


def _numbers(raw: pd.DataFrame, columns: dict, key: str, note) -> np.ndarray:
    if key not in columns:
        return np.full(len(raw), np.nan)
    values = raw[columns[key]]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy(float)
    else:
        text = _as_text(values).str.strip()
        numbers = pd.to_numeric(text.replace("", np.nan), errors="coerce").to_numpy(float)
        bad = np.isnan(numbers) & (text != "").to_numpy() & ~text.str.lower().isin(["nan"]).to_numpy()
        note(bad, lambda rows: [f"column {columns[key]}: {text.iat[i]!r} is not a number" for i in rows])
        note(text.str.lower().isin(["nan"]).to_numpy(), f"column {columns[key]}: NaN is not a number")
    note(np.isinf(numbers), f"column {columns[key]}: an infinite number")
    return numbers


def _booleans(raw: pd.DataFrame, columns: dict, key: str, note) -> pd.Series:
    if key not in columns:
        return pd.Series(False, index=raw.index)
    values = raw[columns[key]]
    if pd.api.types.is_bool_dtype(values):
        return values.astype(bool)
    text = _as_text(values).str.strip().str.lower()
    mapping = {"true": True, "t": True, "1": True, "yes": True, "false": False, "f": False, "0": False,
               "no": False, "": False}
    note(~text.isin(mapping), lambda rows: [f"column {columns[key]}: {text.iat[i]!r} is not true or false"
                                            for i in rows])
    return text.map(mapping).fillna(False).astype(bool)


def _as_text(values: pd.Series) -> pd.Series:
    """A column as strings, missing values as ""."""
    return values.astype(object).where(values.notna(), "").astype(str)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__

