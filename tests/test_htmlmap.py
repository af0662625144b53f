"""The HTML map as text: what it embeds, what it loads, and that user text stays text."""

from __future__ import annotations

import functools
import json
import re
from html.parser import HTMLParser

import geopandas as gpd
import pytest

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
    return render_map(kashmir_sites(), regions, self_contained=True)


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


def test_self_contained_page_loads_nothing(page):
    for tag, attrs in Tags(page).tags:
        assert tag != "link"
        for attr in ("src", "href"):
            assert not re.match(r"\s*(https?:)?//", attrs.get(attr) or ""), (tag, attrs)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    urls = [u for css in styles for u in re.findall(r"url\(([^)]*)\)", css)]
    assert urls and all(u.startswith(("data:", "#")) for u in urls)
    assert 'version="1.9.3"' in page  # XStatic-Leaflet's build, inlined


def test_online_page_takes_leaflet_from_its_cdn_only(regions):
    html = render_map(kashmir_sites(), regions)
    external = [a.get("src") or a.get("href") for _, a in Tags(html).tags
                if re.match(r"https?://", a.get("src") or a.get("href") or "")]
    assert sorted(external) == [f"{htmlmap.LEAFLET_CDN}/leaflet.css", f"{htmlmap.LEAFLET_CDN}/leaflet.js"]


def test_layers_and_the_starting_basemap(page, regions):
    for name in ("Natural Earth borders (offline)", "OpenStreetMap (online)", "Disputed regions", "Sites"):
        assert json.dumps(name) in page
    added = set(re.findall(r"(\w+)\.addTo\(map_\w+\)", page))
    tiles = re.search(r"var (tile_layer_\w+) = L\.tileLayer", page)[1]
    assert tiles not in added  # offline file: no tile requests until the reader asks for them
    online = render_map(kashmir_sites(), regions)
    online_tiles = re.search(r"var (tile_layer_\w+) = L\.tileLayer", online)[1]
    assert online_tiles in set(re.findall(r"(\w+)\.addTo\(map_\w+\)", online))


def test_viewers_are_the_worldview_keys_with_names(page):
    data = embedded(page)
    assert set(data["viewers"]) == set(VIEWERS.values())
    assert {data["names"][c] for c in ("IND", "PAK", "CHN")} == {"India", "Pakistan", "China"}
    assert data["sites"]["views"][0] == {"IND": "IND", "NPL": "IND", "RUS": "IND"}  # only departures
    assert len(set(data["colors"].values())) == len(data["colors"])


def test_regions_near_the_sites_unless_all_are_asked_for(page, regions):
    near = {f["properties"]["name"] for f in embedded(page)["regions"]}
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
