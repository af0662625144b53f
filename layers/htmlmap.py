"""Interactive HTML map of claims-annotated sites over the disputed regions near them.

Regions, sites and an offline basemap go into the page as one JSON document that ``map.js`` draws on
canvas. They are not folium objects because folium writes a script block per marker and popup, which
10 000 sites cannot afford, and the worldview switcher needs the claims as data in the page anyway.
folium supplies the page, the tile layer, the layer control, the scale bar and the initial view.
"""

from __future__ import annotations

import base64
import colorsys
import functools
import json
import re
from importlib import resources
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xyzservices.providers as xyz
from branca.element import Element, MacroElement
from folium.map import Layer
from folium.template import Template

from geo.claims import claims_for
from geo.codes import country_name
from geo.data import fetch

from .vector import atomic_write

NEAR_DEGREES = 3.0  # regions within about 300 km of a site are drawn unless all are asked for
REGION_TOLERANCE = 0.005  # degrees (~500 m): NE 1:10m detail that survives at regional zooms
BASEMAP_TOLERANCE = 0.1  # degrees: borders for orientation, kept small enough for 10 000-site pages
SITE_DECIMALS = 4  # ~10 m
# Leaflet shows this as HTML; it holds no user text. Site names come from GeoNames (CC BY 4.0).
ATTRIBUTION = ('Borders: <a href="https://www.naturalearthdata.com/">Natural Earth</a> | '
               'Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0)')
LEAFLET_CDN = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist"  # the version XStatic-Leaflet ships


def render_map(
    sites: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    *,
    all_regions: bool = False,
    self_contained: bool = False,
) -> str:
    """The map page as HTML: sites from ``geo.analysis.annotate`` over the claims in ``regions``.

    Only regions near the sites are drawn unless ``all_regions``. ``self_contained`` inlines Leaflet
    (from XStatic-Leaflet) so the file opens with no network, and starts on the offline basemap.
    """
    if not all_regions:
        regions = near_regions(regions, sites)
    data = _page_data(sites, regions)

    m = folium.Map(tiles=None, control_scale=True, font_size="13px")
    m.default_js, m.default_css = [], []  # folium's CDN bundle (jQuery, Bootstrap, fonts) is not used
    head = m.get_root().header
    head.add_child(Element("<title>claimmap</title>"))
    for element in _assets(self_contained):
        head.add_child(_Raw(element))

    claims = _Claims(_script_json(data))
    m.add_child(claims)
    tiles = folium.TileLayer(xyz.OpenStreetMap.Mapnik, name="OpenStreetMap (online)", show=not self_contained)
    tiles.add_to(m)
    _View(claims, "basemap", "Natural Earth borders (offline)", overlay=False, show=self_contained).add_to(m)
    _View(claims, "regions", "Disputed regions").add_to(m)
    _View(claims, "sites", "Sites").add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    if len(sites):
        west, south, east, north = sites.total_bounds
        # The right-hand column holds the layer control and the legend.
        m.fit_bounds([[south, west], [north, east]], padding_top_left=(50, 50),
                     padding_bottom_right=(300, 50), max_zoom=9)
    return m.get_root().render()


def write_map(
    sites: gpd.GeoDataFrame,
    path: str | Path,
    *,
    all_regions: bool = False,
    self_contained: bool = False,
) -> Path:
    """Render the map with the claims layer and replace ``path`` with it in one step."""
    path = Path(path)
    page = render_map(sites, claims_for(sites), all_regions=all_regions, self_contained=self_contained)
    with atomic_write(path) as f:
        f.write(page)
    return path


def near_regions(regions: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Regions within ``NEAR_DEGREES`` of a site, plus any a site's radius reaches beyond that."""
    _, hits = regions.sindex.query(np.asarray(sites.geometry.values), predicate="dwithin",
                                   distance=NEAR_DEGREES)
    touched = regions["region"].isin(set(sites["regions"].explode().dropna()))
    keep = np.zeros(len(regions), bool)
    keep[hits] = True
    return regions[keep | touched.to_numpy()]


class _Raw(Element):
    """Markup that is final: emitted as it is, never parsed as template source.

    branca wraps a macro's output in ``Element(output)``, which renders it again as a Jinja template;
    user text (site names) in it would run as template code. Everything built from data goes through here.
    """

    def __init__(self, markup: str):
        super().__init__()
        self.markup = markup

    def render(self, **kwargs) -> str:
        return self.markup


class _Claims(MacroElement):
    """The embedded data and the call that draws it; the layers below are views on its result."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = claimmap.init({{ this._parent.get_name() }},
            JSON.parse(document.getElementById("{{ this.get_name() }}_data").textContent));
        {% endmacro %}
    """)

    def __init__(self, data: str):
        super().__init__()
        self._name = "Claims"
        self.data = data

    def render(self, **kwargs) -> None:
        data = f'<script type="application/json" id="{self.get_name()}_data">{self.data}</script>'
        self.get_root().html.add_child(_Raw(data), name=f"{self.get_name()}_data")
        super().render(**kwargs)


class _View(Layer):
    """One of the layers ``claimmap.init`` built, registered with folium's layer control."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = {{ this.claims.get_name() }}.{{ this.key }};
        {% endmacro %}
    """)

    def __init__(self, claims: _Claims, key: str, name: str, overlay: bool = True, show: bool = True):
        super().__init__(name=name, overlay=overlay, show=show)
        self._name = "ClaimsLayer"
        self.claims = claims
        self.key = key


def _page_data(sites: gpd.GeoDataFrame, regions: gpd.GeoDataFrame) -> dict:
    region_features = [
        {"type": "Feature", "geometry": json.loads(geometry), "properties": {
            "name": row.region, "alt": _text(row.region_alt), "admin": row.administered_by,
            "claimed": list(row.claimed_by), "views": _exceptions(row.worldviews, row.administered_by),
        }}
        for row, geometry in zip(
            regions.itertuples(), shapely.to_geojson(_simplified(regions.geometry.values)), strict=True
        )
    ]
    site_data = _site_columns(sites)
    # First seen, first coloured: the sites' own claimants, then the regions', so that the codes
    # that dispute a place get neighbouring palette entries, which are the most distinct.
    s = site_data
    groups = [(a, *c, *v.values()) for a, c, v in zip(s["admin"], s["claimed"], s["views"], strict=True)]
    regions_props = [f["properties"] for f in region_features]
    groups += [(p["admin"], *p["claimed"], *p["views"].values()) for p in regions_props]
    coloured = dict.fromkeys(code for group in groups for code in group if code)
    viewers = {v for w in [*regions["worldviews"], *sites["worldviews"]] if isinstance(w, dict) for v in w}
    return {
        "names": {code: country_name(code) for code in sorted({*coloured, *viewers})},
        "colors": _palette(list(coloured)),
        "viewers": sorted(viewers, key=country_name),
        "regions": region_features,
        "sites": site_data,
        "basemap": _basemap(),
        "attribution": ATTRIBUTION,
    }


def _site_columns(sites: gpd.GeoDataFrame) -> dict[str, list]:
    """Column arrays, not one object per site, so that field names are not repeated 10 000 times."""
    admin = sites["administered_by"].where(sites["administered_by"].notna(), sites["country"])
    return {
        "name": sites["name"].astype(str).tolist(),
        "resolved": sites["resolved_name"].map(_text).tolist(),
        "source": sites["source"].map(_text).tolist(),
        "score": sites["score"].round(1).tolist(),
        "ambiguous": sites["ambiguous"].fillna(False).astype(int).tolist(),
        "lat": sites.geometry.y.round(SITE_DECIMALS).tolist(),
        "lon": sites.geometry.x.round(SITE_DECIMALS).tolist(),
        "radius": sites["radius_km"].round(2).tolist(),
        "status": sites["status"].tolist(),
        "regions": [list(r) for r in sites["regions"]],
        "admin": admin.map(_text).tolist(),
        "claimed": [list(c) for c in sites["claimed_by"]],
        "views": [_exceptions(w, a) for w, a in zip(sites["worldviews"], admin, strict=True)],
        "nearest": sites["nearest_disputed"].map(_text).tolist(),
        "nearestKm": [None if pd.isna(km) else round(float(km), 1) for km in sites["nearest_disputed_km"]],
    }


def _exceptions(worldviews: object, de_facto: object) -> dict[str, str]:
    """The viewers whose map gives the place to someone other than its de facto owner."""
    if not isinstance(worldviews, dict):
        return {}
    return {viewer: owner for viewer, owner in worldviews.items() if owner and owner != de_facto}


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _palette(codes: list[str]) -> dict[str, str]:
    """Light colours a golden-angle step apart in hue: entries next to each other never look alike."""
    colours = {}
    for i, code in enumerate(codes):
        r, g, b = colorsys.hls_to_rgb((i * 0.381966) % 1.0, 0.7, 0.6)
        colours[code] = f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"
    return colours


def _simplified(geometries: np.ndarray) -> np.ndarray:
    return shapely.set_precision(shapely.simplify(geometries, REGION_TOLERANCE), 0.001)


@functools.cache
def _basemap() -> tuple[dict, ...]:
    """Country outlines simplified as one coverage, so neighbours keep a single shared border."""
    countries = gpd.read_file(fetch("countries"), columns=[])
    simple = shapely.coverage_simplify(countries.geometry.values, BASEMAP_TOLERANCE)
    simple = shapely.set_precision(simple, 0.01)
    return tuple(json.loads(g) for g in shapely.to_geojson(simple[~shapely.is_empty(simple)]))


def _script_json(data: dict) -> str:
    """Compact JSON that cannot end the <script> element holding it (``<`` only occurs in strings)."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c")


def _assets(self_contained: bool) -> list[str]:
    """<head> elements: Leaflet (inlined or from its CDN), then our own stylesheet and script."""
    own = resources.files("layers")
    css, js = own.joinpath("map.css").read_text("utf-8"), own.joinpath("map.js").read_text("utf-8")
    if self_contained:
        leaflet_css, leaflet_js = _xstatic_leaflet()
        leaflet = [f"<style>{leaflet_css}</style>", f"<script>{_inline_js(leaflet_js)}</script>"]
    else:
        leaflet = [f'<link rel="stylesheet" href="{LEAFLET_CDN}/leaflet.css"/>',
                   f'<script src="{LEAFLET_CDN}/leaflet.js"></script>']
    return [*leaflet, f"<style>{css}</style>", f"<script>{_inline_js(js)}</script>"]


@functools.cache
def _xstatic_leaflet() -> tuple[str, str]:
    """Leaflet's CSS with its images as data: URIs (so no file is fetched), and its JavaScript."""
    import xstatic.pkg.leaflet

    base = Path(xstatic.pkg.leaflet.BASE_DIR)

    def data_uri(match: re.Match) -> str:
        png = base64.b64encode((base / match[1]).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{png})"

    css = re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, (base / "leaflet.css").read_text("utf-8"))
    return css, (base / "leaflet.js").read_text("utf-8")


def _inline_js(source: str) -> str:
    """Script text safe inside <script>: no closing tag, no source map to look for."""
    source = re.sub(r"^//# sourceMappingURL=.*$", "", source, flags=re.MULTILINE)
    return source.replace("</script", "<\\/script")
