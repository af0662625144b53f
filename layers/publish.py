"""Everything ``claimmap check -o DIR`` leaves in DIR, written in one call and swapped in as one set."""

from __future__ import annotations

import warnings
from importlib import resources
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio.errors

from geo.analysis import touched_regions
from geo.claims import claims_for

from .formats import FORMATS, REGION_PROPERTIES, SHAPEFILE_SIDECARS, SITE_PROPERTIES, Sink, neutralise
from .outset import OutputError, OutputSet, output_set
from .vector import with_names

DEFAULT_FORMATS = ("geojson", "csv")
STYLES = ["sites.qml", "regions.qml"]  # package data, layers/styles
MAP_MAX_SITES = 50_000  # a page beyond this is slow to open and shows nothing more; the layers hold all sites


def output_names(formats: Iterable[str], html_map: bool = True, errors: bool = False) -> list[str]:
    """The files a run writes into its folder, for ``formats``."""
    names = ["map.html"] if html_map else []
    for key in formats:
        suffix = FORMATS[key].suffix
        sidecars = SHAPEFILE_SIDECARS if key == "shp" else ()
        names += [f"sites{s}" for s in (suffix, *sidecars)]
        if key != "csv":
            names += [f"regions{s}" for s in (suffix, *sidecars)]
    if any(key != "csv" for key in formats):
        names += STYLES
    return names + (["errors.csv"] if errors else [])


def publish(
    annotated: gpd.GeoDataFrame | Iterable[gpd.GeoDataFrame],
    out_dir: str | Path,
    *,
    html_map: bool = True,
    all_regions: bool = False,
    cdn: bool = False,
    formats: Iterable[str] = DEFAULT_FORMATS,
    errors: list[dict] | None = None,
) -> list[Path]:
    """Write map.html (optional), sites and regions layers in each of ``formats`` (and errors.csv when
    ``errors`` holds skipped rows) into ``out_dir``, replacing its previous set as a whole.

    ``annotated`` is one frame or an iterable of chunks of one (streamed: each chunk is written as it
    comes, so memory stays bounded by a chunk). Returns the main file of each layer written.
    """
    formats = list(dict.fromkeys(formats))
    chunks = [annotated] if isinstance(annotated, gpd.GeoDataFrame) else annotated
    with output_set(out_dir, output_names(formats, html_map, errors=bool(errors))) as out:
        try:
            return _publish(chunks, out, formats, html_map, all_regions, cdn, errors)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:  # a full disk, a bad path
            raise OutputError(_final_message(exc, out)) from exc


def _publish(chunks: Iterable[gpd.GeoDataFrame], out: OutputSet, formats: list[str], html_map: bool,
             all_regions: bool, cdn: bool, errors: list[dict] | None) -> list[Path]:
    sinks = [Sink(out.path(f"sites{FORMATS[k].suffix}"), FORMATS[k], "sites", "Point", SITE_PROPERTIES)
             for k in formats]
    regions: set[str] = set()
    kept: list[gpd.GeoDataFrame] = []  # the sites for the map, while they are few enough for one
    count = 0
    first: gpd.GeoDataFrame | None = None
    try:
        for chunk in chunks:
            first = chunk if first is None else first
            count += len(chunk)
            if html_map and count <= MAP_MAX_SITES:
                kept.append(chunk)
            else:
                kept.clear()
            regions.update(chunk["regions"].explode().dropna())
            named = with_names(chunk)
            for sink in sinks:
                sink.write(named)
        if first is None:
            raise OutputError("no sites to write")
        for sink in sinks:
            sink.close()
    except BaseException:
        for sink in sinks:
            sink.abort()
        raise
    written = [out.target / f"sites{FORMATS[k].suffix}" for k in formats]
    touched = with_names(touched_regions(pd.DataFrame({"regions": [sorted(regions)]}), claims_for(first)))
    for key in formats:
        if key == "csv":
            continue
        sink = Sink(out.path(f"regions{FORMATS[key].suffix}"), FORMATS[key], "regions", "MultiPolygon",
                    REGION_PROPERTIES)
        sink.write(touched)
        sink.close()
        written.append(out.target / f"regions{FORMATS[key].suffix}")
    if any(key != "csv" for key in formats):  # QGIS styles a layer with the .qml of the same name
        for name in STYLES:
            out.path(name).write_bytes(resources.files("layers").joinpath("styles", name).read_bytes())
    if errors:
        write_errors(errors, out.path("errors.csv"))
        written.append(out.target / "errors.csv")
    if html_map:
        written.insert(0, _map(kept, count, out, all_regions, cdn))
    return [p for p in written if p is not None]


def _map(kept: list[gpd.GeoDataFrame], count: int, out: OutputSet, all_regions: bool,
         cdn: bool) -> Path | None:
    if count > MAP_MAX_SITES:
        warnings.warn(f"map.html not written: {count:,} sites are more than a map page shows "
                      f"({MAP_MAX_SITES:,}); the layers hold them all", stacklevel=3)
        return None
    from .htmlmap import write_map

    sites = kept[0] if len(kept) == 1 else gpd.GeoDataFrame(pd.concat(kept, ignore_index=True), crs=kept[0].crs)
    write_map(sites, out.path("map.html"), all_regions=all_regions, cdn=cdn)
    return out.target / "map.html"


def _final_message(exc: BaseException, out: OutputSet) -> str:
    text = " ".join(str(exc).split()).replace(str(out.staging), str(out.target))
    return text if str(out.target) in text else f"cannot write into {out.target}: {text}"


def write_errors(errors: list[dict], path: str | Path) -> Path:
    """The rows ``--on-error skip`` left out: row number (1-based, in the input), input and reason."""
    table = pd.DataFrame(errors, columns=["row", "input", "reason"])
    for column in ("input", "reason"):
        table[column] = table[column].astype(str).map(neutralise)
    table.to_csv(path, index=False, lineterminator="\r\n")
    return Path(path)
