"""The self-contained map in headless Chromium with the network cut off, used as a reader would.

Screenshots go to artifacts/ (git-ignored) so a person can look at what the test saw.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely

from geo.claims import load_claims
from layers.htmlmap import render_map
from test_htmlmap import SCRIPT, XSS, kashmir_sites

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")

# The reader's view of one site: its pixel on the page, found through the map's own projection.
PIXEL = """([lat, lon]) => {
    const map = window[document.querySelector(".folium-map").id];
    const p = map.latLngToContainerPoint([lat, lon]), box = map.getContainer().getBoundingClientRect();
    return [box.left + p.x, box.top + p.y];
}"""

COUNT_MARKERS = """() => {
    const map = window[document.querySelector(".folium-map").id];
    let n = 0;
    map.eachLayer(l => { if (l instanceof L.CircleMarker && !(l instanceof L.Circle)) n++; });
    return n;
}"""


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def test_offline_map_as_a_reader_sees_it(browser, tmp_path):
    regions, sites = load_claims(), kashmir_sites()
    path = tmp_path / "map.html"
    path.write_text(render_map(sites, regions, self_contained=True), encoding="utf-8")

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    blocked, failed, errors, dialogs = [], [], [], []

    def offline(route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector(".leaflet-container .cm-legend")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "map.png")

    assert page.evaluate(COUNT_MARKERS) == len(sites)
    sync_api.expect(page.locator(".leaflet-control-attribution")).to_contain_text("GeoNames")

    # Gilgit-Baltistan is drawn: hovering inside it, away from the sites, names it.
    gilgit = regions.geometry[regions["region"] == "Gilgit-Baltistan"].iloc[0]
    inside = shapely.Point(74.3, 35.5)
    assert gilgit.contains(inside)
    x, y = page.evaluate(PIXEL, [inside.y, inside.x])
    assert 0 < x < 1280 and 0 < y < 800
    page.mouse.move(x, y)
    tooltip = page.locator(".leaflet-tooltip")
    sync_api.expect(tooltip).to_contain_text("Gilgit-Baltistan")
    sync_api.expect(tooltip).to_contain_text("Administered by: Pakistan")
    sync_api.expect(tooltip).to_contain_text("Claimed by: India, Pakistan")

    # Rattu belongs to Pakistan de facto and to India on India's map.
    page.mouse.click(*page.evaluate(PIXEL, [35.15, 74.80]))
    popup = page.locator(".leaflet-popup-content")
    sync_api.expect(popup).to_contain_text("Rattu")
    owner = popup.locator("tr", has_text="Owner")
    sync_api.expect(owner).to_have_text("Owner (de facto)Pakistan")
    page.select_option("select.cm-viewer", label="India")
    sync_api.expect(owner).to_have_text("Owner under India\u2019s map" + "India")
    sync_api.expect(page.locator(".cm-legend")).to_contain_text("Owner under India\u2019s map")
    page.wait_for_timeout(400)  # the popup fades in
    page.screenshot(path=ARTIFACTS / "map-india.png")
    page.select_option("select.cm-viewer", label="Pakistan")
    sync_api.expect(owner).to_have_text("Owner under Pakistan\u2019s map" + "Pakistan")

    # A hostile site name is shown as text and runs nothing.
    page.mouse.click(*page.evaluate(PIXEL, [34.0, 73.9]))
    hostile = page.locator(".leaflet-popup-content", has_text=XSS)
    sync_api.expect(hostile).to_contain_text("Azad Kashmir")
    assert hostile.locator("img, script").count() == 0
    page.mouse.click(*page.evaluate(PIXEL, [33.9, 73.6]))
    sync_api.expect(page.locator(".leaflet-popup-content", has_text=SCRIPT)).to_contain_text("Azad Kashmir")

    assert (blocked, failed, errors, dialogs) == ([], [], [], [])
