"""The map in headless Chromium with the network cut off, used as a reader would.

Screenshots go to artifacts/ (git-ignored) so a person can look at what the test saw: the founding
case, 100 sites over the disputes between the Mediterranean and the Caspian, and 10 000 sites.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.analysis import annotate
from geo.claims import load_claims
from geo.geodesy import geodesic_km
from geo.sites import resolve, sites_frame
from layers.htmlmap import palette, render_map
from test_htmlmap import SCRIPT, XSS, kashmir_sites

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")

MAP = 'window[document.querySelector(".folium-map").id]'
# The reader's view of one site: its pixel on the page, found through the map's own projection.
PIXEL = f"""([lat, lon]) => {{
    const map = {MAP};
    const p = map.latLngToContainerPoint([lat, lon]), box = map.getContainer().getBoundingClientRect();
    return [box.left + p.x, box.top + p.y];
}}"""
# The colour the sites' canvas shows at a map point.
COLOUR_AT = f"""([lat, lon]) => {{
    const map = {MAP}, p = map.latLngToContainerPoint([lat, lon]);
    const canvas = document.querySelector(".cm-site-canvas"), r = window.devicePixelRatio || 1;
    const [red, green, blue] = canvas.getContext("2d").getImageData(p.x * r, p.y * r, 1, 1).data;
    return "#" + [red, green, blue].map(v => v.toString(16).padStart(2, "0")).join("");
}}"""
VISIBLE_SITES = "() => window[Object.keys(window).find(k => /^claims_\\d+$/.test(k))].sites.visible()"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Reader:
    """A page opened from file:// with every other request refused and every error recorded."""

    def __init__(self, browser, html: str, path: Path):
        path.write_text(html, encoding="utf-8")
        self.page = page = browser.new_page(viewport=VIEWPORT)
        self.problems: list[str] = []
        page.route("**/*", self._offline)
        page.on("requestfailed", lambda r: self.problems.append(f"failed {r.url}"))
        page.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        page.on("pageerror", lambda e: self.problems.append(str(e)))
        page.on("dialog", lambda d: (self.problems.append(f"dialog {d.message}"), d.dismiss()))
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_selector(".cm-legend .cm-owner")
        page.wait_for_timeout(300)  # labels are placed on the first animation frame

    def _offline(self, route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.problems.append(f"network {route.request.url}")
            route.abort()

    def label(self, name: str):
        """The label whose first line is ``name``."""
        assert "'" not in name
        return self.page.locator(f"xpath=//div[contains(@class, 'cm-label ')][span[normalize-space(.)='{name}']]")

    def click(self, lat: float, lon: float) -> None:
        self.page.mouse.click(*self.page.evaluate(PIXEL, [lat, lon]))

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=ARTIFACTS / name)


def test_founding_case_reads_without_a_click(browser, tmp_path):
    sites = annotate(resolve(["Rattu", "Cherat"]))
    reader = Reader(browser, render_map(sites, load_claims()), tmp_path / "map.html")
    page = reader.page
    reader.screenshot("map.png")
    for text in ("Rattu", "Cherat", "Gilgit-Baltistan", "Azad Kashmir"):
        sync_api.expect(reader.label(text)).to_be_visible()
    sync_api.expect(reader.label("Gilgit-Baltistan")).to_contain_text("Pakistan; claimed by India")
    legend = page.locator(".cm-legend")
    sync_api.expect(legend.locator(".cm-owner", has_text="India")).to_contain_text("Siachen Glacier")
    sync_api.expect(page.locator(".leaflet-control-attribution")).to_contain_text("GeoNames")
    assert page.evaluate(COLOUR_AT, [35.15, 74.80]) == palette()["PAK"]

    # The status filter: undisputed Cherat goes, Rattu inside Gilgit-Baltistan stays.
    assert page.evaluate(VISIBLE_SITES) == [0, 1]
    page.locator(".cm-status input[value=undisputed]").uncheck()
    sync_api.expect(reader.label("Cherat")).to_have_count(0)
    sync_api.expect(reader.label("Rattu")).to_be_visible()
    assert page.evaluate(VISIBLE_SITES) == [0]
    page.locator(".cm-status input[value=undisputed]").check()
    sync_api.expect(reader.label("Cherat")).to_be_visible()

    # India's map: Gilgit-Baltistan and Rattu become India's, in India's colour.
    reader.click(35.15, 74.80)
    popup = page.locator(".leaflet-popup-content")
    owner = popup.locator("tr", has_text="Owner")
    sync_api.expect(owner).to_have_text("Owner (de facto)Pakistan")
    page.select_option("select.cm-viewer", label="India")
    sync_api.expect(owner).to_have_text("Owner under India\u2019s map" + "India")
    sync_api.expect(reader.label("Gilgit-Baltistan")).to_contain_text("India on India\u2019s map")
    assert page.evaluate(COLOUR_AT, [35.15, 74.80]) == palette()["IND"]
    page.wait_for_timeout(400)  # the popup fades in
    reader.screenshot("map-india.png")
    page.select_option("select.cm-viewer", label="Pakistan")
    sync_api.expect(owner).to_have_text("Owner under Pakistan\u2019s map" + "Pakistan")
    assert reader.problems == []


def test_regions_search_and_measure(browser, tmp_path):
    regions, sites = load_claims(), kashmir_sites().copy()
    said = f"Drills were held at the Army High Altitude School in Rattu {XSS}."
    sites["mentions"] = [[{"text": "Rattu", "start": 0, "end": 5, "sentence": said}], [], [], []]
    sites["as_of"] = "2016-09-24"
    reader = Reader(browser, render_map(sites, regions), tmp_path / "map.html")
    page = reader.page
    sync_api.expect(page.locator(".cm-legend")).to_contain_text("Claims as of 2016-09-24")

    # What the article says about Rattu, as text, with the name marked.
    reader.click(35.15, 74.80)
    quote = page.locator(".leaflet-popup-content blockquote")
    sync_api.expect(quote).to_have_text(said)
    sync_api.expect(quote.locator("mark")).to_have_text("Rattu")
    assert quote.locator("img").count() == 0
    # A closed popup fades out for 200 ms, so each is closed by its own button.
    page.locator(".leaflet-popup", has_text="What the article says").locator(".leaflet-popup-close-button").click()
    page.wait_for_timeout(400)  # the map has panned to show the popup

    # Clicking inside Gilgit-Baltistan, away from the sites, describes the region.
    gilgit = regions.geometry[regions["region"] == "Gilgit-Baltistan"].iloc[0]
    inside = shapely.Point(74.3, 35.8)
    assert gilgit.contains(inside)
    reader.click(inside.y, inside.x)
    popup = page.locator(".leaflet-popup-content")
    sync_api.expect(popup).to_contain_text("Gilgit-Baltistan")
    sync_api.expect(popup).to_contain_text("Administered by: Pakistan")
    sync_api.expect(popup).to_contain_text("Claimed by: India, Pakistan")

    # A hostile site name is shown as text and runs nothing.
    reader.click(34.0, 73.9)
    hostile = page.locator(".leaflet-popup-content", has_text=XSS)
    sync_api.expect(hostile).to_contain_text("Azad Kashmir")
    assert hostile.locator("img, script").count() == 0
    reader.click(33.9, 73.6)
    sync_api.expect(page.locator(".leaflet-popup-content", has_text=SCRIPT)).to_contain_text("Azad Kashmir")

    # Search finds a site by part of its name and opens it.
    page.fill(".cm-search input", "cher")
    page.locator(".cm-result", has_text="Cherat").click()
    sync_api.expect(page.locator(".leaflet-popup-content", has_text="Cherat")).to_contain_text("undisputed")

    # Measuring Rattu to Cherat agrees with the geodesic distance to within the sphere's 0.5 %.
    page.locator(".leaflet-popup", has_text="Cherat").locator(".leaflet-popup-close-button").click()
    page.evaluate(f"() => {{ {MAP}.fitBounds([[33.5, 71.5], [35.5, 75.2]]); }}")
    page.wait_for_timeout(400)
    page.locator(".cm-tools a[title='Measure a distance']").click()
    reader.click(35.15, 74.80)
    reader.click(33.8234, 71.8929)
    shown = page.locator(".cm-measure-out").inner_text()
    km = float(shown.split(": ")[1].split(" ")[0])
    assert km == pytest.approx(float(geodesic_km(74.80, 35.15, 71.8929, 33.8234)), rel=0.01)

    # Full screen is the map's own element, and the button leaves it again.
    full_screen = page.locator(".cm-tools a[title='Full screen']")
    full_screen.click()
    page.wait_for_function("() => document.fullscreenElement?.classList.contains('folium-map')")
    full_screen.click()
    page.wait_for_function("() => document.fullscreenElement === null")
    assert reader.problems == []


# Disputes between the Mediterranean and the Caspian, with the points sites scatter around.
CAUCASUS = {"Cyprus": (35.2, 33.4), "Golan": (33.0, 35.8), "West Bank": (31.9, 35.2),
            "Crimea": (45.0, 34.1), "Abkhazia": (43.0, 41.0), "South Ossetia": (42.3, 44.0),
            "Karabakh": (39.8, 46.8), "Donbas": (48.0, 38.5)}


@functools.cache
def hundred_sites():
    rng = np.random.default_rng(11)
    rows = []
    for k in range(100):
        area, (lat, lon) = list(CAUCASUS.items())[k % len(CAUCASUS)]
        rows.append({"name": f"{area} site {k // len(CAUCASUS) + 1}", "lat": lat + rng.normal(0, 0.7),
                     "lon": lon + rng.normal(0, 0.9)})
    return annotate(sites_frame(_frame(pd.DataFrame(rows))))


def _frame(frame: pd.DataFrame) -> pd.DataFrame:
    n = len(frame)
    return frame.assign(resolved_name=frame["name"], source="input", score=100.0, ambiguous=False,
                        alternatives=[[]] * n, reference="", radius_km=5.0, hint_country=None)


def test_hundred_sites_over_many_disputes(browser, tmp_path):
    sites = hundred_sites()
    reader = Reader(browser, render_map(sites, load_claims()), tmp_path / "map.html")
    reader.screenshot("map-100.png")
    assert reader.page.evaluate(VISIBLE_SITES) == list(range(100))
    labels = reader.page.locator(".cm-label-site")
    assert labels.count() >= 15  # many sites are named at the first view, without overlaps
    boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
    for k, a in enumerate(boxes):
        for b in boxes[k + 1:]:
            assert not (a["x"] < b["x"] + b["width"] - 1 and b["x"] < a["x"] + a["width"] - 1
                        and a["y"] < b["y"] + b["height"] - 1 and b["y"] < a["y"] + a["height"] - 1)
    for region in ("N. Cyprus", "Crimea", "Abkhazia"):
        sync_api.expect(reader.label(region)).to_be_visible()
    owners = reader.page.locator(".cm-legend .cm-owner").all_inner_texts()
    assert "Russia" in owners and "India" not in owners  # only what is in view

    # Zoomed in on Cyprus, every site there is named.
    cyprus = sites[sites["name"].str.startswith("Cyprus")]
    west, south, east, north = cyprus.total_bounds
    reader.page.evaluate(f"() => {{ {MAP}.fitBounds([[{south}, {west}], [{north}, {east}]]); }}")
    reader.page.wait_for_timeout(600)
    for name in cyprus["name"]:
        sync_api.expect(reader.label(name)).to_be_visible()
    owners = reader.page.locator(".cm-legend .cm-owner").all_inner_texts()
    assert "Russia" not in owners and "Northern Cyprus (self-administered)" in owners
    reader.screenshot("map-100-cyprus.png")
    assert reader.problems == []


def test_ten_thousand_sites_keep_the_disputed_ones_in_sight(browser, tmp_path):
    rng = np.random.default_rng(3)
    n = 10_000
    frame = pd.DataFrame({"name": [f"event {i}" for i in range(n)],
                          "lat": rng.uniform(-55, 70, n), "lon": rng.uniform(-180, 180, n)})
    sites = annotate(sites_frame(_frame(frame)))
    reader = Reader(browser, render_map(sites, load_claims()), tmp_path / "map.html")
    page = reader.page
    reader.screenshot("map-10k.png")
    visible = page.evaluate(VISIBLE_SITES)
    flagged = set(np.flatnonzero(sites["status"] != "undisputed"))
    assert flagged <= set(visible)  # inside/near sites are drawn, clustered apart from the rest
    page.locator(".cm-status input[value=undisputed]").uncheck()
    assert set(page.evaluate(VISIBLE_SITES)) == flagged
    assert reader.problems == []
