"""Interactive HTML map of claims-annotated sites over the disputed regions near them.

Regions, sites and an offline Natural Earth basemap go into the page as one JSON document that
``map.js`` draws: sites on one canvas with clusters and decluttered labels, so that 10 000 sites stay
fast and legible, and the worldview switcher recolours and relabels from the claims in the data.
folium supplies the page, the online tile layer, the layer control, the scale bar and the initial view.

The page needs no network: Leaflet, our script and style are inlined (``cdn=True`` takes Leaflet from
its CDN for a smaller file). The same input gives the same bytes: element ids are numbered, not random.
User text (site names, article sentences) reaches the page only as JSON, which the script inserts as
text; it never passes through a template engine (see ``_Raw``).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import itertools
import json
import re
from collections import Counter
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
from shapely.ops import polylabel

from geo.claims import claims_for
from geo.codes import country_name
from geo.data import cache_dir, fetch

from .vector import atomic_write

NEAR_DEGREES = 3.0  # regions within about 300 km of a site are drawn unless all are asked for
REGION_TOLERANCE = 0.005  # degrees (~500 m): NE 1:10m detail that survives at regional zooms
# Basemap levels: (name, simplification tolerance in degrees, coordinate grid = 1/scale degrees).
# "world" is drawn below zoom 5 and "detail" from there on; "detail" keeps 1:50m coasts at ~500 m.
BASEMAP_LEVELS = (("world", 0.05, 100), ("detail", 0.005, 1000))
BASEMAP_FORMAT = 2  # bump when the cached basemap's layout changes
LABEL_CELL = 3.0  # degrees: a country gets a spare label point in each grid cell it mostly fills
HALF_EQUATOR_KM = 20_037.5
SITE_DECIMALS = 4  # ~10 m
# Leaflet shows this as HTML; it holds no user text. Site names come from GeoNames (CC BY 4.0).
ATTRIBUTION = ('Borders, coasts, rivers: <a href="https://www.naturalearthdata.com/">Natural Earth</a> | '
               'Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0)')
LEAFLET_CDN = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist"  # the version XStatic-Leaflet ships
UNKNOWN_COLOUR = "#bdbdbd"


def render_map(
    sites: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    *,
    all_regions: bool = False,
    cdn: bool = False,
    as_of: str | None = None,
    self_contained: bool | None = None,
) -> str:
    """The map page as HTML: sites from ``geo.analysis.annotate`` over the claims in ``regions``.

    Only regions near the sites are drawn unless ``all_regions``. The page works offline unless
    ``cdn``, which loads Leaflet from its CDN. ``as_of`` (or a site column ``as_of``) dates the
    claims in the legend. ``self_contained`` is accepted for old callers: offline is the default now.
    """
    del self_contained  # every page is self-contained unless cdn
    if not all_regions:
        regions = near_regions(regions, sites)
    data = _page_data(sites, regions, as_of)

    m = folium.Map(tiles=None, control_scale=True, font_size="13px", zoom_snap=0.25, world_copy_jump=True)
    m.default_js, m.default_css = [], []  # folium's CDN bundle (jQuery, Bootstrap, fonts) is not used
    head = m.get_root().header
    head.add_child(Element("<title>claimmap</title>"))
    for element in _assets(cdn):
        head.add_child(_Raw(element))

    claims = _Claims(_script_json(data))
    m.add_child(claims)
    tiles = folium.TileLayer(xyz.OpenStreetMap.Mapnik, name="OpenStreetMap (online)", show=False)
    tiles.add_to(m)
    _View(claims, "basemap", "Natural Earth (offline)", overlay=False).add_to(m)
    _View(claims, "regions", "Disputed regions").add_to(m)
    _View(claims, "sites", "Sites").add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    if len(sites):
        west, south, east, north = sites.total_bounds
        # The bottom-right corner holds the legend.
        m.fit_bounds([[south, west], [north, east]], padding_top_left=(60, 60),
                     padding_bottom_right=(300, 60), max_zoom=7)
    _number_elements(m.get_root())
    return m.get_root().render()


def write_map(
    sites: gpd.GeoDataFrame,
    path: str | Path,
    *,
    all_regions: bool = False,
    cdn: bool = False,
    as_of: str | None = None,
    self_contained: bool | None = None,
) -> Path:
    """Render the map with the claims layer and replace ``path`` with it in one step."""
    path = Path(path)
    page = render_map(sites, claims_for(sites), all_regions=all_regions, cdn=cdn, as_of=as_of)
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


def _number_elements(root: Element) -> None:
    """Replace folium's random element ids by a count in tree order, so the page's bytes repeat."""
    counter = itertools.count()

    def visit(element: Element) -> None:
        element._id = f"{next(counter):04d}"
        for child in element._children.values():
            visit(child)

    visit(root)


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


def _page_data(sites: gpd.GeoDataFrame, regions: gpd.GeoDataFrame, as_of: str | None) -> dict:
    site_data = _site_columns(sites)
    # Largest first: their labels are placed first when labels compete for room.
    # (Areas in square degrees: only their order counts.)
    regions = regions.iloc[np.argsort(-shapely.area(regions.geometry.values), kind="stable")]
    region_data = [
        {"name": row.region, "alt": _text(row.region_alt), "admin": row.administered_by,
         "claimed": list(row.claimed_by), "views": _exceptions(row.worldviews, row.administered_by),
         "label": _label_point(geometry), "rings": _encode(simple, 1000)}
        for row, geometry, simple in zip(
            regions.itertuples(), regions.geometry.values, _simplified(regions.geometry.values), strict=True
        )
    ]
    owners = {*site_data["admin"], *itertools.chain(*site_data["claimed"])}
    owners |= {v for views in site_data["views"] for v in views.values()}
    for r in region_data:
        owners |= {r["admin"], *r["claimed"], *r["views"].values()}
    owners.discard("")
    # An owner without an ISO code is a Natural Earth unit. A self-administered one (Abkhazia) gets a
    # colour of its own; any other (Siachen Glacier) is shown as part of the state most worldviews
    # give it to, in that state's colour.
    fixed = palette()
    entities = sorted(owners - set(fixed))
    own = {code for code in entities if _self_administered(code, regions)}
    context = {code: state for code in entities
               if code not in own and (state := _context(code, regions, sites))}
    codes = sorted(owners | set(context.values()))
    colours = {code: fixed[context.get(code, code)] for code in codes if context.get(code, code) in fixed}
    for code in sorted(own):
        colours[code] = _entity_colour(code, {colours.get(c) for c in _claimants(code, regions)})
    viewers = {v for w in [*regions["worldviews"], *sites["worldviews"]] if isinstance(w, dict) for v in w}
    dates = sorted({_text(d) for d in sites.get("as_of", pd.Series(dtype=object))} - {""})
    return {
        "names": {code: country_name(code) for code in sorted({*codes, *viewers})},
        "colors": colours,
        "context": context,
        "selfAdmin": sorted(own),
        "viewers": sorted(viewers, key=country_name),
        "regions": region_data,
        "sites": site_data,
        "basemap": _basemap(),
        "attribution": ATTRIBUTION,
        "asOf": as_of or ", ".join(dates),
    }


def _site_columns(sites: gpd.GeoDataFrame) -> dict[str, list]:
    """Column arrays, not one object per site, so that field names are not repeated 10 000 times."""
    admin = sites["administered_by"].where(sites["administered_by"].notna(), sites["country"])
    columns = {
        "name": sites["name"].astype(str).tolist(),
        "resolved": sites["resolved_name"].map(_text).tolist(),
        "source": sites["source"].map(_text).tolist(),
        "score": sites["score"].round(1).tolist(),
        "ambiguous": sites["ambiguous"].fillna(False).astype(int).tolist(),
        "lat": sites.geometry.y.round(SITE_DECIMALS).tolist(),
        "lon": sites.geometry.x.round(SITE_DECIMALS).tolist(),
        # A radius past half the equator covers the Earth already; clipped, it cannot overflow when rounded.
        "radius": sites["radius_km"].clip(upper=HALF_EQUATOR_KM).round(2).tolist(),
        "status": sites["status"].tolist(),
        "regions": [list(r) for r in sites["regions"]],
        "admin": admin.map(_text).tolist(),
        "claimed": [list(c) for c in sites["claimed_by"]],
        "views": [_exceptions(w, a) for w, a in zip(sites["worldviews"], admin, strict=True)],
        "nearest": sites["nearest_disputed"].map(_text).tolist(),
        "nearestKm": [None if pd.isna(km) else round(float(km), 1) for km in sites["nearest_disputed_km"]],
        # claimmap read: the sentences that mention each site ("What the article says")
        "quotes": [list(dict.fromkeys(m["sentence"] for m in ms)) if isinstance(ms, list) else []
                   for ms in sites.get("mentions", pd.Series([None] * len(sites)))],
    }
    if "mentions" in sites:
        columns["says"] = [_sentences(m) for m in sites["mentions"]]
    if "as_of" in sites:
        columns["asOf"] = sites["as_of"].map(_text).tolist()
    return columns


def _sentences(mentions: object) -> list[list[str]]:
    """What an article says about a site: each distinct sentence with the words that named it."""
    if not isinstance(mentions, (list, tuple, np.ndarray)):
        return []
    said = {}
    for m in mentions:
        if isinstance(m, dict) and _text(m.get("sentence")):
            said.setdefault(_text(m["sentence"]), _text(m.get("text")))
    return [[sentence, text] for sentence, text in said.items()]


def _context(code: str, regions: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> str | None:
    """The ISO3 state most worldviews give an entity (a code that is not ISO3) to, or None."""
    if code in palette():
        return None
    votes: Counter[str] = Counter()
    for admin, views in [*zip(regions["administered_by"], regions["worldviews"]),
                         *zip(sites["administered_by"], sites["worldviews"])]:
        if admin == code and isinstance(views, dict):
            votes.update(v for v in views.values() if v in palette())
    return min(votes, key=lambda c: (-votes[c], c)) if votes else None


def _self_administered(code: str, regions: gpd.GeoDataFrame) -> bool:
    notes = regions.loc[regions["administered_by"] == code, "note"]
    return bool(notes.fillna("").str.startswith("Self admin").any())


def _claimants(code: str, regions: gpd.GeoDataFrame) -> set[str]:
    return set(itertools.chain(*regions.loc[regions["administered_by"] == code, "claimed_by"]))


def _entity_colour(code: str, avoid: set[str | None]) -> str:
    """The palette colour farthest from its claimants' colours (ties by the name's hash): fixed per name."""
    colours = sorted(set(palette().values()))
    start = int(hashlib.sha256(code.encode()).hexdigest(), 16) % len(colours)
    ring = colours[start:] + colours[:start]
    others = [_rgb(c) for c in avoid if c]
    if not others:
        return ring[0]
    return max(ring, key=lambda c: min(float(np.linalg.norm(_rgb(c) - o)) for o in others))


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], float)


def _exceptions(worldviews: object, de_facto: object) -> dict[str, str]:
    """The viewers whose map gives the place to someone other than its de facto owner."""
    if not isinstance(worldviews, dict):
        return {}
    return {viewer: owner for viewer, owner in sorted(worldviews.items()) if owner and owner != de_facto}


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


@functools.cache
def palette() -> dict[str, str]:
    """ISO3 -> colour, fixed in ``palette.json`` (written by tools/palette.py) so India is always India."""
    return json.loads(resources.files("layers").joinpath("palette.json").read_text("utf-8"))


def _simplified(geometries: np.ndarray) -> np.ndarray:
    return shapely.set_precision(shapely.simplify(geometries, REGION_TOLERANCE), 0.001)


def _label_point(geometry: shapely.Geometry) -> list[float]:
    """[lat, lon] of the pole of inaccessibility of the largest part: inside, and away from edges."""
    parts = getattr(geometry, "geoms", [geometry])
    largest = max(parts, key=lambda p: p.area)
    point = polylabel(largest, tolerance=0.01)
    return [round(point.y, 3), round(point.x, 3)]


def _encode(geometry: shapely.Geometry, scale: int) -> list[list[int]]:
    """Rings or lines as integer deltas on a 1/scale-degree grid: [lon0, lat0, dlon1, dlat1, ...].

    A third the size of GeoJSON coordinates; ``map.js`` decodes it.
    """
    parts = []
    for part in getattr(geometry, "geoms", [geometry]):
        lines = [part.exterior, *part.interiors] if isinstance(part, shapely.Polygon) else [part]
        for line in lines:
            xy = np.rint(np.asarray(line.coords)[:, :2] * scale).astype(np.int64)
            xy = xy[np.r_[True, np.any(np.diff(xy, axis=0) != 0, axis=1)]]  # drop repeats on the grid
            if len(xy) >= 2:
                parts.append(np.diff(xy, axis=0, prepend=[[0, 0]]).ravel().tolist())
    return parts


def _basemap() -> dict:
    """The offline basemap, cached on disk by its source files (building it takes about a second)."""
    paths = [fetch(k) for k in ("land", "lakes", "boundary_lines", "rivers", "countries")]
    stamp = json.dumps([BASEMAP_FORMAT, BASEMAP_LEVELS, [str(p) for p in paths], [p.stat().st_size for p in paths]])
    return _cached_basemap(hashlib.sha256(stamp.encode()).hexdigest()[:16])


@functools.cache
def _cached_basemap(stamp: str) -> dict:
    path = cache_dir() / "basemap" / f"basemap-{stamp}.json"
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        pass
    basemap = _build_basemap()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path) as f:
            json.dump(basemap, f, separators=(",", ":"), sort_keys=True)
    except OSError:
        pass  # a read-only cache only costs time
    return basemap


def _build_basemap() -> dict:
    """Land, lakes, land borders and rivers at two levels of detail, and country labels.

    Land borders come as lines (1:10m), not country polygons, so that coasts are drawn once, from the
    land layer, and disputed borders can be dashed.
    """
    land = gpd.read_file(fetch("land"), columns=[])
    lakes = gpd.read_file(fetch("lakes"), columns=["scalerank"])
    borders = gpd.read_file(fetch("boundary_lines"), columns=["FEATURECLA", "MIN_ZOOM"])
    rivers = gpd.read_file(fetch("rivers"), columns=["scalerank", "featurecla"])
    rivers = rivers[rivers["featurecla"].str.startswith("River")]
    dashed = ~borders["FEATURECLA"].str.startswith("International boundary")
    levels = {}
    for name, tolerance, scale in BASEMAP_LEVELS:
        coarse = name == "world"

        def encoded(frame: gpd.GeoDataFrame, keep=None) -> list:
            frame = frame if keep is None else frame[keep]
            simple = shapely.simplify(frame.geometry.values, tolerance)
            simple = simple[~(shapely.is_missing(simple) | shapely.is_empty(simple))]
            return [_encode(g, scale) for g in simple]

        levels[name] = {
            "scale": scale,
            "land": encoded(land),
            "lakes": encoded(lakes, lakes["scalerank"] <= (2 if coarse else 9)),
            "borders": encoded(borders, ~dashed),
            "disputedBorders": encoded(borders, dashed),
            "rivers": encoded(rivers, rivers["scalerank"] <= (4 if coarse else 9)),
        }
    countries = gpd.read_file(fetch("countries"), columns=["NAME", "LABEL_X", "LABEL_Y", "MIN_LABEL"])
    countries = countries.sort_values(["MIN_LABEL", "NAME"]).reset_index(drop=True)
    spare = _spare_label_points(countries.geometry.values)
    levels["countries"] = [
        [row.NAME, round(row.LABEL_Y, 2), round(row.LABEL_X, 2), float(row.MIN_LABEL), spare.get(i, [])]
        for i, row in enumerate(countries.itertuples())
    ]
    return levels


def _spare_label_points(geometries: np.ndarray) -> dict[int, list[list[float]]]:
    """[lat, lon] inside each country, one per grid cell it fills a third of or more.

    Zoomed in on Kashmir, Natural Earth's one label point for Pakistan is off screen; the map then
    names Pakistan at the spare point nearest the middle of the view.
    """
    x, y = np.meshgrid(np.arange(-180, 180, LABEL_CELL), np.arange(-90, 90, LABEL_CELL))
    cells = shapely.box(x.ravel(), y.ravel(), x.ravel() + LABEL_CELL, y.ravel() + LABEL_CELL)
    country, cell = shapely.STRtree(cells).query(geometries, predicate="intersects")
    parts = shapely.intersection(geometries[country], cells[cell])
    full = shapely.area(parts) >= LABEL_CELL * LABEL_CELL / 3
    points = {}
    for i, point in zip(country[full], shapely.point_on_surface(parts[full]), strict=True):
        points.setdefault(int(i), []).append([round(point.y, 2), round(point.x, 2)])
    return points


def _script_json(data: dict) -> str:
    """Compact JSON that cannot end the <script> element holding it (``<`` only occurs in strings)."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False, sort_keys=True)
    return text.replace("<", "\\u003c")


def _assets(cdn: bool) -> list[str]:
    """<head> elements: Leaflet (inlined, or from its CDN), then our own stylesheet and script."""
    own = resources.files("layers")
    css, js = own.joinpath("map.css").read_text("utf-8"), own.joinpath("map.js").read_text("utf-8")
    if cdn:
        leaflet = [f'<link rel="stylesheet" href="{LEAFLET_CDN}/leaflet.css"/>',
                   f'<script src="{LEAFLET_CDN}/leaflet.js"></script>']
    else:
        leaflet_css, leaflet_js = _xstatic_leaflet()
        leaflet = [f"<style>{leaflet_css}</style>", f"<script>{_inline_js(leaflet_js)}</script>"]
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
