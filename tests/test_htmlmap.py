"""The HTML map as text: what it embeds, what it loads, and that user text stays text."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.analysis import annotate
from geo.claims import load_claims
from geo.codes import VIEWERS
from geo.sites import resolve
from layers import htmlmap
from layers.htmlmap import render_map, write_map

XSS = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(2)</script>"


@functools.cache
def kashmir_sites() -> gpd.GeoDataFrame:
    """The founding case through the real pipeline, plus two sites named to attack the page."""
    return annotate(resolve(["Rattu", "Cherat", f"{XSS}@34.0,73.9", f"{SCRIPT}@33.9,73.6"]))


@pytest.fixture(scope="module")
def regions() -> gpd.GeoDataFrame:
    return load_claims()


@pytest.fixture(scope="module")
def page(regions) -> str:
    return render_map(kashmir_sites(), regions)


def embedded(html: str) -> dict:
    found = re.findall(r'<script type="application/json" id="[\w]+">(.*?)</script>', html, re.S)
    assert len(found) == 1
    return json.loads(found[0])


class Tags(HTMLParser):
    """Every element the browser would build from the page, with its attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_user_text_is_data_not_markup(page):
    assert XSS not in page and SCRIPT not in page
    assert not [t for t, _ in Tags(page).tags if t == "img"]
    sites = embedded(page)["sites"]
    assert sites["name"][2:] == sites["resolved"][2:] == [XSS, SCRIPT]


def test_default_page_loads_nothing(page, regions):
    for tag, attrs in Tags(page).tags:
        assert tag != "link"
        for attr in ("src", "href"):
            assert not re.match(r"\s*(https?:)?//", attrs.get(attr) or ""), (tag, attrs)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    urls = [u for css in styles for u in re.findall(r"url\(([^)]*)\)", css)]
    assert urls and all(u.startswith(("data:", "#")) for u in urls)
    assert 'version="1.9.3"' in page  # XStatic-Leaflet's build, inlined
    assert render_map(kashmir_sites(), regions, self_contained=True) == page  # the old flag still works


def test_cdn_page_takes_leaflet_from_its_cdn_only(regions):
    html = render_map(kashmir_sites(), regions, cdn=True)
    external = [a.get("src") or a.get("href") for _, a in Tags(html).tags
                if re.match(r"https?://", a.get("src") or a.get("href") or "")]
    assert sorted(external) == [f"{htmlmap.LEAFLET_CDN}/leaflet.css", f"{htmlmap.LEAFLET_CDN}/leaflet.js"]
    assert len(html) < len(render_map(kashmir_sites(), regions)) - 100_000


def test_layers_and_the_starting_basemap(page):
    for name in ("Natural Earth (offline)", "OpenStreetMap (online)", "Disputed regions", "Sites"):
        assert json.dumps(name) in page
    added = set(re.findall(r"(\w+)\.addTo\(map_\w+\)", page))
    tiles = re.search(r"var (tile_layer_\w+) = L\.tileLayer", page)[1]
    assert tiles not in added  # no tile request until the reader picks the online layer


def test_same_input_same_bytes(page, regions):
    assert render_map(kashmir_sites(), regions) == page
    assert not re.search(r"_[0-9a-f]{32}\b", page)  # no random element ids


def test_founding_page_fits_its_budget_with_a_basemap(regions):
    html = render_map(annotate(resolve(["Rattu", "Cherat"])), regions)
    assert len(html.encode("utf-8")) <= 3_000_000
    basemap = embedded(html)["basemap"]
    for level in ("world", "detail"):
        assert all(basemap[level][layer] for layer in ("land", "lakes", "rivers", "borders", "disputedBorders"))
    labels = {name: (lat, lon) for name, lat, lon, *_ in basemap["countries"]}
    assert labels["Pakistan"] == pytest.approx((29.3, 68.5), abs=2)  # NE's label point
    # Zoomed in on Cherat, Pakistan is named at a spare point nearby.
    spare = next(points for name, *_, points in basemap["countries"] if name == "Pakistan")
    assert min(np.hypot(lat - 33.8, lon - 71.9) for lat, lon in spare) < 2.5
    # The detailed coast is 1:50m kept to ~500 m: Karachi's coast is within 0.05 degrees of the data.
    land = shapely.MultiPolygon([shapely.Polygon(ring) for parts in basemap["detail"]["land"]
                                 for ring in [_decoded(p, basemap["detail"]["scale"]) for p in parts[:1]]])
    assert land.buffer(0).contains(shapely.Point(67.05, 24.9))  # Karachi


def _decoded(flat: list[int], scale: int) -> list[tuple[float, float]]:
    xy = np.cumsum(np.asarray(flat).reshape(-1, 2), axis=0) / scale
    return [tuple(p) for p in xy]


def test_owner_colours_are_fixed_per_country(page, regions):
    colors = embedded(page)["colors"]
    palette = json.loads((Path(htmlmap.__file__).parent / "palette.json").read_text())
    assert {c: colors[c] for c in ("IND", "PAK", "CHN")} == {c: palette[c] for c in ("IND", "PAK", "CHN")}
    assert len({colors["IND"], colors["PAK"], colors["CHN"]}) == 3
    delhi = annotate(resolve(["New Delhi@28.61,77.21"]))
    assert embedded(render_map(delhi, regions))["colors"]["IND"] == colors["IND"]


def test_entity_owners_are_shown_with_their_state(regions):
    data = embedded(render_map(kashmir_sites(), regions, all_regions=True))
    assert data["context"]["Siachen Glacier"] == "IND"
    assert data["colors"]["Siachen Glacier"] == data["colors"]["IND"]
    assert "Abkhazia" in data["selfAdmin"] and "Abkhazia" not in data["context"]
    assert data["colors"]["Abkhazia"] != data["colors"]["GEO"]


def test_article_sentences_and_claim_dates_travel_as_text(regions):
    sites = kashmir_sites().copy()
    sentence = f"Drills ran at Rattu {XSS} in 2016."
    sites["mentions"] = [[{"text": "Rattu", "start": 14, "end": 19, "sentence": sentence}] * 2, [], [], []]
    sites["as_of"] = "2016-09-24"
    html = render_map(sites, regions)
    assert XSS not in html
    data = embedded(html)
    assert data["sites"]["says"][0] == [[sentence, "Rattu"]]  # one entry per distinct sentence
    assert data["sites"]["says"][1] == []
    assert data["asOf"] == "2016-09-24"
    assert embedded(render_map(kashmir_sites(), regions, as_of="2025-01-01"))["asOf"] == "2025-01-01"


def test_viewers_are_the_worldview_keys_with_names(page):
    data = embedded(page)
    assert set(data["viewers"]) == set(VIEWERS.values())
    assert {data["names"][c] for c in ("IND", "PAK", "CHN")} == {"India", "Pakistan", "China"}
    assert data["sites"]["views"][0] == {"IND": "IND", "NPL": "IND", "RUS": "IND"}  # only departures


def test_regions_near_the_sites_unless_all_are_asked_for(page, regions):
    near = {r["name"] for r in embedded(page)["regions"]}
    assert {"Gilgit-Baltistan", "Azad Kashmir", "Jammu and Kashmir"} <= near
    assert "Western Sahara" not in near
    everything = embedded(render_map(kashmir_sites(), regions, all_regions=True))["regions"]
    assert len(everything) == len(regions)


def test_write_map_replaces_the_file_whole(tmp_path, monkeypatch, regions):
    monkeypatch.setattr(htmlmap, "claims_for", lambda sites: regions)
    target = tmp_path / "map.html"
    assert write_map(kashmir_sites(), target) == target
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    target.write_text("previous map", encoding="utf-8")
    with pytest.raises(KeyError):
        write_map(kashmir_sites().drop(columns="status"), target)
    assert target.read_text(encoding="utf-8") == "previous map"
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


TEMPLATE_PAYLOADS = [
    "{{ 7*7 }}",
    "{{ lipsum.__globals__['os'].popen('touch pwned.txt').read() }}",
    "{% raw %}",
    "{% endraw %}{{ config }}",
    "{# unterminated comment",
]


def test_names_are_never_template_source(tmp_path, monkeypatch):
    """Site names reach the page only as JSON data: no Jinja expression in them is evaluated."""
    from geo.cli import main

    monkeypatch.chdir(tmp_path)
    sites = tmp_path / "s.csv"
    sites.write_text("name,lat,lon\n" + "".join(f'"{p}",35.0,74.0\n' for p in TEMPLATE_PAYLOADS))
    assert main(["check", "-i", str(sites), "-o", "out"]) == 0
    assert main(["check", "{% raw %}@35,74", "--no-map"]) == 0
    assert not (tmp_path / "pwned.txt").exists()
    assert embedded((tmp_path / "out" / "map.html").read_text())["sites"]["name"] == TEMPLATE_PAYLOADS


def test_two_runs_write_identical_bytes(tmp_path):
    """Separate processes with different hash seeds (set order) give the same file."""
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(Path(__file__).parents[1])}
        command = ["check", "Rattu@35.15,74.8", "Cherat@33.82,71.89", "-o", str(tmp_path / seed)]
        runs.append(subprocess.Popen([sys.executable, "-m", "geo.cli", *command], env=env, stdout=subprocess.DEVNULL))
    assert [run.wait(timeout=300) for run in runs] == [0, 0]
    assert (tmp_path / "1" / "map.html").read_bytes() == (tmp_path / "2" / "map.html").read_bytes()


def test_check_and_read_take_cdn_too(tmp_path):
    """`--cdn` reaches the map from every command that writes one, not only from `claimmap map`."""
    from geo.cli import main

    article = tmp_path / "a.txt"
    article.write_text("Troops trained in Rattu, in Gilgit-Baltistan.")
    assert main(["check", "Rattu@35.15,74.8", "-o", str(tmp_path / "c"), "--cdn"]) == 0
    assert main(["read", str(article), "-o", str(tmp_path / "r"), "--cdn"]) == 0
    for folder in ("c", "r"):
        page = (tmp_path / folder / "map.html").read_text()
        assert f'src="{htmlmap.LEAFLET_CDN}/leaflet.js"' in page
