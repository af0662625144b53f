"""Everything ``claimmap check -o DIR`` leaves in DIR, written in one call."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from geo.analysis import touched_regions
from geo.claims import claims_for

from .vector import write_regions_geojson, write_sites_csv, write_sites_geojson


def publish(
    annotated: gpd.GeoDataFrame,
    out_dir: str | Path,
    *,
    html_map: bool = True,
    all_regions: bool = False,
    self_contained: bool = False,
) -> list[Path]:
    """Write map.html (optional), sites.geojson, regions.geojson and sites.csv into ``out_dir``.

    The map goes first because it is the step most likely to fail; each file is replaced atomically.
    """
    out = Path(out_dir)
    written = []
    if html_map:
        from .htmlmap import write_map

        written.append(write_map(annotated, out / "map.html", all_regions=all_regions,
                                 self_contained=self_contained))
    written += [
        write_sites_geojson(annotated, out / "sites.geojson"),
        write_regions_geojson(touched_regions(annotated, claims_for(annotated)), out / "regions.geojson"),
        write_sites_csv(annotated, out / "sites.csv"),
    ]
    return written
