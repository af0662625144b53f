"""Prints how long claims analysis takes, and how much memory it uses, for growing numbers of sites.

Run: CLAIMMAP_DATA_DIR=../shared/data python bench/bench_analysis.py [N ...]
Points are uniform over land-ish latitudes, with a cluster over Kashmir so that many touch regions.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd

from geo.analysis import annotate
from geo.claims import load_claims
from geo.countries import load_countries
from geo.sites import sites_frame


def random_sites(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    kashmir = n // 5
    lat = np.r_[rng.uniform(-55, 70, n - kashmir), rng.uniform(32, 37, kashmir)]
    lon = np.r_[rng.uniform(-180, 180, n - kashmir), rng.uniform(72, 80, kashmir)]
    return pd.DataFrame({
        "name": "p", "resolved_name": "p", "source": "input", "score": 100.0, "ambiguous": False,
        "alternatives": [[]] * n, "reference": "", "lat": lat, "lon": lon, "radius_km": 1.0,
        "hint_country": None,
    })


def main(sizes: list[int]) -> None:
    t = time.perf_counter()
    load_claims(), load_countries()
    print(f"load claims + countries: {time.perf_counter() - t:.2f} s")
    for n in sizes:
        frame = random_sites(n)
        t = time.perf_counter()
        sites = sites_frame(frame)
        built = time.perf_counter() - t
        t = time.perf_counter()
        out = annotate(sites)
        took = time.perf_counter() - t
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        inside = int((out["status"] == "inside").sum())
        print(f"{n:>9,} sites: frame {built:6.2f} s, annotate {took:6.2f} s "
              f"({n / took:,.0f} sites/s), {inside:,} inside a region, peak RSS {rss:,.0f} MB")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000, 1_000_000])
