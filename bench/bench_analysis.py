"""Claims analysis speed and memory against the geopandas peer, on the same points.

Run: CLAIMMAP_DATA_DIR=../shared/data python bench/bench_analysis.py [N ...]

For world-uniform and South-Asia points it prints, per size:
- claimmap: ``geo.analysis.annotate`` (containment in disputed areas and 1:10m countries, geodesic
  nearest disputed area, radius touches, claims columns), in points/s;
- the peer a GIS user writes by hand: geopandas ``sjoin(within)`` on disputed areas +
  ``sjoin(within)`` on the 1:10m countries + ``sjoin_nearest`` to disputed areas in Equal Earth
  (EPSG:8857), in points/s, and claimmap's speed as a multiple of it;
- the containment step alone (grid index, both layers, one thread; best of three), in points/s;
- each run's peak RSS. Every run is a fresh process, so the figures do not mix.
The machine may be shared: the ratio, measured minutes apart on the same points, is what counts.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import shapely

SAMPLES = {"world": ((-180, 180), (-90, 90)), "south-asia": ((60, 98), (5, 40))}


def points(sample: str, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    (x0, x1), (y0, y1) = SAMPLES[sample]
    rng = np.random.default_rng(seed)
    lon = rng.uniform(x0, x1, n)
    # uniform over the sphere's area, not over degrees
    lat = np.degrees(np.arcsin(rng.uniform(np.sin(np.radians(y0)), np.sin(np.radians(y1)), n)))
    return lon, lat


def random_sites(n: int, seed: int = 0) -> pd.DataFrame:
    """Sites uniform over land-ish latitudes with a fifth over Kashmir (bench_map.py's input)."""
    rng = np.random.default_rng(seed)
    kashmir = n // 5
    lat = np.r_[rng.uniform(-55, 70, n - kashmir), rng.uniform(32, 37, kashmir)]
    lon = np.r_[rng.uniform(-180, 180, n - kashmir), rng.uniform(72, 80, kashmir)]
    return pd.DataFrame({
        "name": "p", "resolved_name": "p", "source": "input", "score": 100.0, "ambiguous": False,
        "alternatives": [[]] * n, "reference": "", "lat": lat, "lon": lon, "radius_km": 1.0,
        "hint_country": None,
    })


def run_claimmap(sample: str, n: int) -> dict:
    from geo import engine
    from geo.analysis import CELL_DEG, COUNTRY_STEP_DEG, REGION_STEP_DEG, annotate
    from geo.claims import load_claims
    from geo.countries import load_countries
    from geo.sites import sites_frame

    lon, lat = points(sample, n)
    sites = sites_frame(pd.DataFrame({
        "name": "p", "resolved_name": "p", "source": "input", "score": 100.0, "ambiguous": False,
        "alternatives": [[]] * n, "reference": "", "lat": lat, "lon": lon, "radius_km": 1.0,
        "hint_country": None,
    }))
    t = time.perf_counter()
    claims, countries = load_claims(), load_countries()
    regions = engine.layer(claims.geometry.values, CELL_DEG, REGION_STEP_DEG)
    outlines = engine.layer(countries.geometry.values, CELL_DEG, COUNTRY_STEP_DEG)
    for layer in (regions, outlines):  # GEOS builds each polygon's point locator at its first test
        inner = shapely.point_on_surface(layer.geoms)
        shapely.intersects_xy(layer.geoms, shapely.get_x(inner), shapely.get_y(inner))
    load = time.perf_counter() - t
    contain = min(_timed(lambda: (regions.containing(lon, lat), outlines.containing(lon, lat))) for _ in range(3))
    t = time.perf_counter()
    out = annotate(sites, claims, countries)
    took = time.perf_counter() - t
    return {
        "rate": n / took, "seconds": took, "load": load, "contain_rate": n / contain,
        "inside": int((out["status"] == "inside").sum()), "rss_mb": _rss_mb(),
    }


def run_geopandas(sample: str, n: int) -> dict:
    import geopandas as gpd

    from geo.claims import load_claims
    from geo.countries import load_countries

    lon, lat = points(sample, n)
    claims = load_claims()[["region", "geometry"]]
    countries = load_countries()[["iso3", "geometry"]]
    claims_ee = claims.to_crs(8857)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    t = time.perf_counter()
    inside = gpd.sjoin(pts, claims, predicate="within", how="left")
    country = gpd.sjoin(pts, countries, predicate="within", how="left")
    nearest = gpd.sjoin_nearest(pts.to_crs(8857), claims_ee, distance_col="metres")
    took = time.perf_counter() - t
    del inside, country, nearest
    return {"rate": n / took, "seconds": took, "rss_mb": _rss_mb()}


def _timed(work) -> float:
    t = time.perf_counter()
    work()
    return time.perf_counter() - t


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(which: str, sample: str, n: int) -> dict:
    """One measurement in a fresh interpreter, so that peak RSS is that run's own."""
    done = subprocess.run(
        [sys.executable, __file__, "--one", which, sample, str(n)], capture_output=True, text=True, check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(sizes: list[int]) -> None:
    print(f"{'points':>20} {'claimmap':>13} {'geopandas':>13} {'ratio':>6} {'containment':>14} "
          f"{'RSS claimmap':>13} {'RSS geopandas':>14}")
    for sample in SAMPLES:
        for n in sizes:
            ours = _child("claimmap", sample, n)
            peer = _child("geopandas", sample, n)
            print(f"{sample:>10} {n:>9,} {ours['rate']:>9,.0f} p/s {peer['rate']:>9,.0f} p/s "
                  f"{ours['rate'] / peer['rate']:>5.1f}x {ours['contain_rate']:>10,.0f} p/s "
                  f"{ours['rss_mb']:>10,.0f} MB {peer['rss_mb']:>11,.0f} MB", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        which, sample, n = sys.argv[2], sys.argv[3], int(sys.argv[4])
        result = (run_claimmap if which == "claimmap" else run_geopandas)(sample, n)
        print(json.dumps(result))
    else:
        main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
