"""Prints the size of the self-contained HTML map and how long headless Chromium takes to show it.

Run: CLAIMMAP_DATA_DIR=../shared/data python bench/bench_map.py [N ...]   (default 10 1000 10000)
Targets for 10 000 sites: under 5 MB and under 2 s from navigation until every marker is on the map.
Sites are spread like bench_analysis.py's: uniform over land-ish latitudes, a fifth over Kashmir.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from playwright.sync_api import sync_playwright

from geo.analysis import annotate
from geo.claims import load_claims
from geo.sites import sites_frame
from layers.htmlmap import render_map

from bench_analysis import random_sites  # this folder is on sys.path when run as a script

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
READY = """n => {
    const div = document.querySelector(".folium-map");
    const map = div && window[div.id];
    if (!map || !document.querySelector(".cm-legend")) return false;
    let markers = 0;
    map.eachLayer(l => { if (l instanceof L.CircleMarker && !(l instanceof L.Circle)) markers++; });
    return markers === n;
}"""


def map_sites(n: int, seed: int = 0) -> pd.DataFrame:
    """bench_analysis' sites, with names of a realistic length and a mix of radii."""
    names = [f"event {i} reported near a checkpoint" for i in range(n)]
    radius = np.random.default_rng(seed).choice([1.0, 5.0, 25.0], n)
    return random_sites(n, seed).assign(name=names, resolved_name=names, radius_km=radius)


def main(sizes: list[int]) -> None:
    claims = load_claims()
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for n in sizes:
            sites = annotate(sites_frame(map_sites(n)))
            t = time.perf_counter()
            html = render_map(sites, claims, self_contained=True)
            rendered = time.perf_counter() - t
            path = Path(tmp) / f"map{n}.html"
            path.write_text(html, encoding="utf-8")
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            errors = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            t = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_function(READY, arg=n, timeout=60_000)
            loaded = time.perf_counter() - t
            page.close()
            size = len(html.encode("utf-8")) / 1e6
            print(f"{n:>7,} sites: {size:5.2f} MB self-contained, rendered in {rendered:5.2f} s, "
                  f"shown by Chromium in {loaded:5.2f} s{'  ERRORS: ' + '; '.join(errors) if errors else ''}")
        browser.close()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10, 1_000, 10_000])
