"""GeoParquet points in, annotated GeoParquet out: wall time, points/s and peak RSS of the local
(streaming) engine, the dask engine (2 workers) and the peer a user would write instead (geopandas
read_parquet + sjoin + to_parquet, which only finds the containing region, no distances), each in
its own process so that peak RSS is its own.

Run: CLAIMMAP_DATA_DIR=../shared/data python bench/bench_io.py [N ...] [--only ENGINE,...]   (default 1000000;
engines: local, dask, geopandas)
Targets (issue 10): <= 1.5 GB RSS at 10 M points; dask within 1.3x of local on 2 cores; rows out = rows in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

RUNS = {
    "local": "from geo.cli import main; sys.exit(main(['check', '-i', IN, '-o', OUT, '--format', 'parquet', "
             "'--no-map', '-q']))",
    "dask": "from geo.cli import main; sys.exit(main(['check', '-i', IN, '-o', OUT, '--engine', 'dask', "
            "'--workers', '2', '-q']))",
    "geopandas sjoin": "import geopandas as gpd; from geo.claims import load_claims; "
                       "p = gpd.read_parquet(IN); c = load_claims()[['region', 'geometry']]; "
                       "j = gpd.sjoin(p, c, how='left', predicate='within'); "
                       "j = j[~j.index.duplicated()]; j.to_parquet(OUT + '.parquet')",
}


def make_points(n: int, path: Path) -> None:
    """World points with a fifth over Kashmir, as GeoParquet in row groups of 100 000, written a
    million at a time so that the input itself never needs 10 M points in memory."""
    import geopandas as gpd

    from layers.formats import FORMATS, Sink

    rng = np.random.default_rng(0)
    sink = Sink(path, FORMATS["parquet"], "points", "Point", ["name"])
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        k = m // 5
        lat = np.r_[rng.uniform(-55, 70, m - k), rng.uniform(32, 37, k)]
        lon = np.r_[rng.uniform(-180, 180, m - k), rng.uniform(72, 80, k)]
        sink.write(gpd.GeoDataFrame({"name": np.char.add("p", np.arange(start, start + m).astype(str))},
                                    geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326"))
    sink.close()


def measure(label: str, code: str, source: Path, out: Path) -> dict:
    """Run one engine in a child process; peak RSS from wait4 is the largest single process's (for dask,
    the client's or one worker's, whichever is larger; the cluster holds about workers x that)."""
    script = f"import sys; sys.path.insert(0, {str(ROOT)!r}); IN = {str(source)!r}; OUT = {str(out)!r}; {code}"
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", script])
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    return {"engine": label, "ok": status == 0, "wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024}


def rows(path: Path) -> int:
    import pyarrow.dataset as ds

    return ds.dataset(path, format="parquet").count_rows()


def main(sizes: list[int], only: list[str]) -> None:
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="claimmap-bench-") as tmp:
            source = Path(tmp) / "points.parquet"
            make_points(n, source)
            results = []
            for label, code in RUNS.items():
                if only and label.split()[0] not in only:
                    continue
                out = Path(tmp) / label.replace(" ", "_")
                result = measure(label, code, source, out)
                target = out / "sites.parquet" if label != "geopandas sjoin" else Path(str(out) + ".parquet")
                result["rows_out"] = rows(target) if result["ok"] else 0
                result["points_per_s"] = n / result["wall_s"]
                results.append(result)
                print(f"{n:>11,} {label:<16} {result['wall_s']:8.1f} s  {result['points_per_s']:>9,.0f} points/s  "
                      f"peak RSS {result['peak_rss_mb']:6.0f} MB  rows out {result['rows_out']:,} "
                      f"{'' if result['ok'] else 'FAILED'}", flush=True)
            by = {r["engine"]: r for r in results}
            if "local" in by and "dask" in by:
                print(f"{n:>11,} dask/local wall {by['dask']['wall_s'] / by['local']['wall_s']:.2f}x (target <= 1.3x)")
            if "local" in by:
                print(f"{n:>11,} local peak RSS {by['local']['peak_rss_mb']:.0f} MB (target <= 1536 MB)")
            print(f"{n:>11,} rows out = in: {all(r['rows_out'] == n for r in results if r['engine'] != 'geopandas sjoin')}")
            print(json.dumps(results))


if __name__ == "__main__":
    args = sys.argv[1:]
    only = args[args.index("--only") + 1].split(",") if "--only" in args else []
    sizes = [int(a) for a in args if a.isdigit()]
    main(sizes or [1_000_000], only)
