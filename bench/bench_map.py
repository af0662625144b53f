"""Prints the size of the HTML map and how long headless Chromium takes to draw it, beside the peer.

Run: CLAIMMAP_DATA_DIR=../shared/data python bench/bench_map.py [N ...]   (default 10 1000 10000)
Targets for 10 000 sites: under 5 MB and under 2 s from navigation to the first drawn sites and labels.
The peer is what a user would write instead: a plain folium map with one CircleMarker per site and
its name as a tooltip, from the same frame, timed until all its markers are on the map. It loads
Leaflet from a CDN, so its page is given Leaflet from the same local files here, and the network
stays cut off for both.
Sites are spread like bench_analysis.py's: uniform over land-ish latitudes, a fifth over Kashmir.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import folium
import numpy as np
import pandas as pd
from playwright.sync_api import sync_playwright

from geo.analysis import annotate
from geo.claims import load_claims
from geo.sites import sites_frame
from layers.htmlmap import _xstatic_leaflet, render_map

from bench_analysis import random_sites  # this folder is on sys.path when run as a script

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
# claimmap's map has drawn once the legend lists owners and the site canvas has its clusters.
CLAIMMAP_READY = """() => !!document.querySelector(".cm-legend .cm-owner") &&
    !!document.querySelector(".cm-site-canvas")"""
PEER_READY = """n => {
    const div = document.querySelector(".folium-map");
    const map = div && window[div.id];
    if (!map) return false;
    let markers = 0;
    map.eachLayer(l => { if (l instanceof L.CircleMarker) markers++; });
    return markers === n;
}"""


def map_sites(n: int, seed: int = 0) -> pd.DataFrame:
    """bench_analysis' sites, with names of a realistic length and a mix of radii."""
    names = [f"event {i} reported near a checkpoint" for i in range(n)]
    radius = np.random.default_rng(seed).choice([1.0, 5.0, 25.0], n)
    return random_sites(n, seed).assign(name=names, resolved_name=names, radius_km=radius)


def peer_map(sites) -> str:
    """A plain folium map: a CircleMarker and tooltip per site (popups need jQuery from a CDN)."""
    m = folium.Map(tiles=None, prefer_canvas=True)
    for row in sites.itertuples():
        folium.CircleMarker([row.lat, row.lon], radius=5, tooltip=row.name).add_to(m)
    # folium's CDN links (Leaflet, jQuery, Bootstrap) would be blocked: drop them, inline Leaflet.
    html = "\n".join(line for line in m.get_root().render().splitlines()
                     if not ('src="https://' in line or 'href="https://' in line))
    css, js = _xstatic_leaflet()
    return html.replace("</head>", f"<style>{css}</style><script>{js}</script></head>", 1)


def time_page(browser, path: Path, ready: str, arg=None) -> tuple[float, list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    t = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_function(ready, arg=arg, timeout=120_000)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    took = time.perf_counter() - t
    page.close()
    return took, errors


def main(sizes: list[int]) -> None:
    claims = load_claims()
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for n in sizes:
            sites = annotate(sites_frame(map_sites(n)))
            t = time.perf_counter()
            html = render_map(sites, claims)
            rendered = time.perf_counter() - t
            path = Path(tmp) / f"map{n}.html"
            path.write_text(html, encoding="utf-8")
            shown, errors = time_page(browser, path, CLAIMMAP_READY)

            t = time.perf_counter()
            peer = peer_map(sites)
            peer_rendered = time.perf_counter() - t
            peer_path = Path(tmp) / f"peer{n}.html"
            peer_path.write_text(peer, encoding="utf-8")
            peer_shown, peer_errors = time_page(browser, peer_path, PEER_READY, n)

            size, peer_size = len(html.encode()) / 1e6, len(peer.encode()) / 1e6
            print(f"{n:>7,} sites  claimmap: {size:5.2f} MB, rendered {rendered:5.2f} s, first draw "
                  f"{shown:5.2f} s | plain folium: {peer_size:5.2f} MB, rendered {peer_rendered:5.2f} s, "
                  f"markers shown {peer_shown:5.2f} s | draw ratio {peer_shown / shown:4.1f}x"
                  + (f"  ERRORS: {'; '.join(errors + peer_errors)}" if errors or peer_errors else ""))
        browser.close()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10, 1_000, 10_000])
