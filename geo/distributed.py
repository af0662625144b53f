"""The dask engine: the same annotation, partition by partition, on a dask.distributed cluster.

Use it when the points outgrow one machine's patience (hundreds of millions), or already live as a
partitioned GeoParquet dataset on storage a cluster reads. Each partition is turned into a sites frame,
annotated with :func:`geo.analysis.annotate` and written as one part file of a GeoParquet dataset by the
worker that holds it, so neither the client nor any worker holds more than a partition. Answers are the
local engine's: the same function runs on the same rows.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from .errata import annotate_on, as_of_date
from .errors import ClaimmapError, InputError
from .inputs import sites_table
from .sites import COLUMNS, _complete

if TYPE_CHECKING:
    import dask_geopandas

    from .progress import Summary


def annotate_dask(sites: dask_geopandas.GeoDataFrame, as_of: dt.date | str | None = None,
                  ) -> dask_geopandas.GeoDataFrame:
    """Claims columns (as of ``as_of``) for a dask-geopandas frame of points (a sites frame, or any
    points with optional ``name``/``radius_km`` columns), computed per partition when the result is."""
    on = as_of_date(as_of)
    meta = annotate_on(as_sites(sites._meta, "partition"), on)
    return sites.map_partitions(lambda part: annotate_on(as_sites(part, "partition"), on), meta=meta)


def as_sites(part: gpd.GeoDataFrame, name: str, first_row: int = 1,
             errors: list[dict] | None = None) -> gpd.GeoDataFrame:
    """One partition of points as a sites frame, checked row by row like any input file."""
    if set(COLUMNS) <= set(part.columns) and part.crs is not None and part.crs.equals("EPSG:4326"):
        return part
    raw = pd.DataFrame(part.drop(columns=part.geometry.name))
    raw["geometry"] = np.asarray(part.geometry.values, dtype=object)
    raw.index = pd.RangeIndex(first_row, first_row + len(raw))
    raw.attrs["crs"] = part.crs
    table, reasons = sites_table(raw)
    return _complete(table, reasons, None, False, None, errors=errors, source=name)


def check_dask(
    input_path: str | Path | None,
    out_dir: str | Path | None,
    *,
    scheduler: str | None = None,
    workers: int = 2,
    summary: Summary | None = None,
    errors: list[dict] | None = None,
    as_of: dt.date | str | None = None,
) -> list[Path]:
    """Annotate a GeoParquet file or dataset on a dask cluster into ``out_dir``: ``sites.parquet/``
    (a dataset, one part per input partition) and ``regions.parquet``, with the claims of ``as_of``.
    Returns what was written."""
    import dask
    import dask_geopandas
    from dask.distributed import Client, LocalCluster

    from layers.formats import FORMATS, REGION_PROPERTIES, Sink
    from layers.outset import output_set
    from layers.publish import write_errors
    from layers.vector import with_names

    from .analysis import touched_regions
    from .claims import load_claims

    if input_path is None or out_dir in (None, "-"):
        raise ClaimmapError("--engine dask reads a GeoParquet file or dataset (--input) and writes a folder (-o DIR)")
    try:
        points = dask_geopandas.read_parquet(str(input_path), split_row_groups=True)
    except Exception as exc:  # dask, pyarrow and geopandas each raise their own for a file that is not GeoParquet
        raise InputError(f"cannot read {input_path}: --engine dask reads GeoParquet ({_one_line(exc)})") from exc
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                  dashboard_address=None, silence_logs=logging.ERROR)
    try:
        names = ["regions.parquet"] + (["errors.csv"] if errors is not None else [])
        with Client(scheduler or cluster), output_set(out_dir, names, folders=["sites.parquet"]) as out:
            folder = out.path("sites.parquet")
            folder.mkdir()
            parts = points.to_delayed()
            results = dask.compute(*[dask.delayed(_annotate_part)(part, i, str(folder), str(input_path),
                                                                  errors is not None, as_of)
                                     for i, part in enumerate(parts)])
            regions: set[str] = set()
            for result in results:
                regions |= result["regions"]
                if summary is not None:
                    summary.add(result["head"], counts=result["counts"])
                if errors is not None:
                    errors += result["errors"]
            touched = with_names(touched_regions(pd.DataFrame({"regions": [sorted(regions)]}),
                                                 load_claims(as_of=as_of_date(as_of))))
            sink = Sink(out.path("regions.parquet"), FORMATS["parquet"], "regions", "MultiPolygon", REGION_PROPERTIES)
            sink.write(touched)
            sink.close()
            if errors:
                write_errors(errors, out.path("errors.csv"))
    finally:
        if cluster is not None:
            cluster.close()
    written = [Path(out_dir) / "sites.parquet", Path(out_dir) / "regions.parquet"]
    return written + ([Path(out_dir) / "errors.csv"] if errors else [])


def _annotate_part(part: gpd.GeoDataFrame, index: int, folder: str, name: str, skip: bool,
                   as_of: dt.date | str | None) -> dict:
    """On a worker: one partition annotated and written as ``part-NNNNN.parquet``; returns what the
    client needs for its report (counts, touched regions, first rows, skipped rows)."""
    from layers.formats import FORMATS, SITE_PROPERTIES, Sink
    from layers.vector import with_names

    from .progress import REPORT_ROWS

    errors: list[dict] | None = [] if skip else None
    annotated = annotate_on(as_sites(part, f"{name} (partition {index})", errors=errors), as_of)
    sink = Sink(Path(folder) / f"part-{index:05d}.parquet", FORMATS["parquet"], "sites", "Point", SITE_PROPERTIES)
    sink.write(with_names(annotated))
    sink.close()
    return {"counts": annotated["status"].value_counts(), "regions": set(annotated["regions"].explode().dropna()),
            "head": annotated.head(REPORT_ROWS), "errors": errors or []}


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
