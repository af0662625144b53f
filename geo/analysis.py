"""Whose claims each site touches, for whole arrays of sites at once.

Spatial questions go to :mod:`geo.engine` (grid-indexed containment, geodesic distances from a k-d
tree of boundary points); this module turns its (site, polygon) pairs into the per-site claims
columns. Sites go through in chunks, so working memory is bounded by the chunk, not by their number.
"""

from __future__ import annotations

import gc
import re

import geopandas as gpd
import numpy as np
import pandas as pd

from . import engine
from .claims import load_claims
from .codes import country_name
from .countries import load_countries

# The country outlines are generalised (1:10m, up to a few hundred metres); a site on a small
# island or a coast that falls in the sea still belongs to the nearest country within this distance.
COAST_TOLERANCE_KM = 25.0

# Farther out, a site is most likely on an island too small for the outlines: it takes the nearest
# country within 200 nautical miles, the reach of a state's waters (its exclusive economic zone).
ISLAND_REACH_KM = 370.4

CELL_DEG = 0.1  # containment grid; about 2.5 % of the world's cells hold a 1:10m border or coast
# Edges are densified for distances to this step (degrees): finer for the small disputed-areas
# layer, so that nearly every site's nearest vertex settles its distance; coarser for the 1:10m
# outlines, whose 550,000 vertices are dense already.
REGION_STEP_DEG, COUNTRY_STEP_DEG = 0.01, 0.05

CHUNK = 100_000  # sites per pass: bounds the working arrays to a few hundred MB

ANNOTATIONS = [
    "status", "disputed", "regions", "administered_by", "administered_by_name", "claimed_by",
    "claimed_by_names", "country", "country_name", "worldviews", "nearest_disputed",
    "nearest_disputed_km",
]

_STATE = re.compile(r"[A-Z]{3}")  # an ISO3 code; entity names (Northern Cyprus) never match


def annotate(
    sites: gpd.GeoDataFrame,
    claims: gpd.GeoDataFrame | None = None,
    countries: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Add the claims columns (``ANNOTATIONS``) to a sites frame; see docs/CONTRACTS.md."""
    claims = load_claims() if claims is None else claims
    countries = load_countries() if countries is None else countries
    context = _Context(claims, countries)
    lon = sites.geometry.x.to_numpy(float)
    lat = sites.geometry.y.to_numpy(float)
    radius = sites["radius_km"].to_numpy(float)
    hint = sites["hint_country"].to_numpy(object) if "hint_country" in sites else np.full(len(sites), None)
    # Millions of small lists make no reference cycles, but they set off the cycle collector again
    # and again, each time over the whole heap: it is paused while they are made.
    paused = gc.isenabled()
    gc.disable()
    try:
        parts = [
            context.annotate(lon[i:i + CHUNK], lat[i:i + CHUNK], radius[i:i + CHUNK], hint[i:i + CHUNK])
            for i in range(0, len(sites), CHUNK)
        ] or [context.annotate(lon, lat, radius, hint)]
    finally:
        if paused:
            gc.enable()
    out = sites.copy()
    for column in ANNOTATIONS:
        columns = [part[column] for part in parts]
        out[column] = np.concatenate(columns) if isinstance(columns[0], np.ndarray) else columns[0]._concat_same_type(columns)
    return out


def touched_regions(annotated: gpd.GeoDataFrame, claims: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """The disputed regions any site touches, with their claims, in the claims layer's order."""
    claims = load_claims() if claims is None else claims
    named = set(annotated["regions"].explode().dropna())
    return claims[claims["region"].isin(named)]


class _Context:
    """The two indexed layers and the lookup tables every chunk uses."""

    def __init__(self, claims: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> None:
        self.regions = engine.layer(claims.geometry.values, CELL_DEG, REGION_STEP_DEG)
        self.outlines = engine.layer(countries.geometry.values, CELL_DEG, COUNTRY_STEP_DEG)
        self.region_name = claims["region"].to_numpy(object)
        self.region_admin = claims["administered_by"].to_numpy(object)
        self.region_claims = claims["claimed_by"].to_numpy(object)
        self.region_views = _dicts(claims["worldviews"].to_numpy(object).copy())
        self.iso3 = countries["iso3"].to_numpy(object)
        # By code, a state's own unit (first in NE's order), not a small one under the same code
        # (Clipperton under FRA, Brazilian Island under BRA).
        main = countries.drop_duplicates("iso3")
        sovereign = main["sovereign"] if "sovereign" in main else main["iso3"]
        self.sovereign = dict(zip(main["iso3"], sovereign, strict=True))
        self.views = dict(zip(main["iso3"], main["worldviews"], strict=True))

    def _views(self, country: str | None) -> dict:
        views = self.views.get(country)
        return views if isinstance(views, dict) else {}

    def _state(self, country: str) -> str | None:
        """The sovereign state (ISO3) a country code or entity counts as for claims, if any."""
        state = self.sovereign.get(country, country)
        return state if isinstance(state, str) and _STATE.fullmatch(state) else None

    def annotate(self, lon: np.ndarray, lat: np.ndarray, radius: np.ndarray, hint: np.ndarray) -> dict[str, np.ndarray]:
        n = len(lon)
        # Disputed regions the site is in (0 km) or whose edge lies within its radius, nearest first.
        site_i, region_i, km = self.regions.within(lon, lat, radius)
        first = np.r_[True, site_i[1:] != site_i[:-1]] if len(site_i) else np.zeros(0, bool)
        near_index, near_km = np.full(n, -1, np.intp), np.full(n, np.nan)
        near_index[site_i[first]], near_km[site_i[first]] = region_i[first], km[first]
        touched = near_index >= 0
        inside = np.where(touched & (near_km == 0), near_index, -1)
        rest = np.flatnonzero(~touched)  # outside every region: the nearest may be anywhere
        near_index[rest], near_km[rest] = self.regions.boundary.nearest(lon[rest], lat[rest])

        country = _Codes(self._countries(lon, lat, radius, hint, near_index, near_km))
        in_region = inside >= 0
        admin = _Codes(np.where(in_region, self.region_admin[inside], country.values))
        # A region administered by a state is that state de facto, whatever the outline says.
        de_facto = _Codes(np.where(in_region & admin.map(lambda c: c in self.views, False).astype(bool), admin.values, country.values))
        views = np.where(in_region, self.region_views[inside], country.map(self._views, missing={}))

        # Claimants: every touched region's, and the site's own state unless it is inside a region.
        own = country.map(self._state)
        own[in_region] = None
        claimed, claimed_names = _singletons(own), _singletons(_names(own))
        sites = np.unique(site_i)  # the few that touch a region: their lists are built from pairs
        pairs = pd.DataFrame({"site": site_i, "code": self.region_claims[region_i]}).explode("code")
        mine = sites[pd.notna(own[sites])]
        codes = pd.concat([pairs, pd.DataFrame({"site": mine, "code": own[mine]})]).dropna()
        codes = codes.drop_duplicates().sort_values(["site", "code"])
        keys = codes["site"].to_numpy(int)
        claimed[sites] = _per_site(sites, keys, codes["code"].to_numpy(object))
        claimed_names[sites] = _per_site(sites, keys, _names(codes["code"].to_numpy(object)))
        regions = _singletons(np.full(n, None))
        regions[sites] = _per_site(sites, site_i, self.region_name[region_i])

        status = np.where(in_region, 0, np.where(touched, 1, 2))
        return {
            "status": _text(["inside", "near", "undisputed"], status),
            "disputed": status != 2,
            "regions": regions,
            "administered_by": admin.text(),
            "administered_by_name": admin.text(country_name),
            "claimed_by": claimed,
            "claimed_by_names": claimed_names,
            "country": de_facto.text(),
            "country_name": de_facto.text(country_name),
            "worldviews": views,
            "nearest_disputed": _text(self.region_name, near_index),
            "nearest_disputed_km": np.round(near_km, 3),
        }

    def _countries(
        self, lon: np.ndarray, lat: np.ndarray, radius: np.ndarray, hint: np.ndarray,
        near_index: np.ndarray, near_km: np.ndarray,
    ) -> np.ndarray:
        """De facto country per site: the outline it is in (or the gazetteer's country if that
        one's outline is within the site's radius); else the gazetteer's country; else,
        within the site's radius or the coast tolerance, the nearer of the nearest outline and the
        nearest disputed region (its administrator); else the outline of the nearest boundary
        vertex within ``ISLAND_REACH_KM`` (an island too small for the outlines)."""
        result = np.full(len(lon), None, dtype=object)
        site_i, poly_i = self.outlines.containing(lon, lat)
        result[site_i[::-1]] = self.iso3[poly_i[::-1]]  # the first covering outline wins
        # 1:10m borders are generalised by up to a km or so: the gazetteer's country wins where its
        # outline lies within the site's radius (El Paso, Point Roberts).
        other = np.flatnonzero(pd.notna(result) & pd.notna(hint) & (hint != result))
        site_o, poly_o, _ = self.outlines.within(lon[other], lat[other], radius[other])
        agree = self.iso3[poly_o] == hint[other[site_o]]
        result[other[site_o[agree]]] = hint[other[site_o[agree]]]
        outside = np.flatnonzero(pd.isna(result))
        known = _lookup(hint[outside], lambda c: c in self.views).astype(bool)
        result[outside[known]] = hint[outside[known]]
        outside = outside[~known]
        reach = np.maximum(radius[outside], COAST_TOLERANCE_KM)
        index, km = self.outlines.boundary.nearest(lon[outside], lat[outside], reach.max(initial=0))
        index = np.where(km <= reach, index, -1)
        has_region = (near_index[outside] >= 0) & (near_km[outside] <= reach)
        region_first = has_region & ~(km <= near_km[outside])
        result[outside] = np.where(
            region_first,
            self.region_admin[np.where(region_first, near_index[outside], 0)] if len(self.region_admin) else None,
            np.where(index >= 0, self.iso3[np.maximum(index, 0)], None),
        )
        island = outside[pd.isna(result[outside])]
        index = self.outlines.boundary.nearest_vertex(lon[island], lat[island], ISLAND_REACH_KM)
        result[island] = np.where(index >= 0, self.iso3[np.maximum(index, 0)], None)
        return result


def _per_site(sites: np.ndarray, keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Lists for the given (sorted) sites from (site, value) pairs sorted by site; ``[]`` without
    pairs. Split points are found vectorised; only the lists, which the output needs, are per site."""
    bounds = np.searchsorted(keys, sites, side="left"), np.searchsorted(keys, sites, side="right")
    values = values.tolist()
    return _object([values[a:b] for a, b in zip(*bounds)])


def _object(items: list) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


class _Codes:
    """Values as codes into their distinct values (-1 for None): per-value work is done once per
    distinct value, and text columns are taken from the distinct strings, not built per site."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values
        self.index, distinct = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
        self.distinct = list(distinct)

    def map(self, func, missing: object = None) -> np.ndarray:
        """``func`` of each site's value (None gives ``missing``)."""
        return _object([func(v) for v in self.distinct] + [missing])[self.index]

    def text(self, func=None) -> pd.api.extensions.ExtensionArray:
        """The values (or ``func`` of them) as a text column; None stays missing."""
        return _text(self.distinct if func is None else [func(v) for v in self.distinct], self.index)


def _text(distinct, index: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A text column of ``distinct[index]``, missing where the index is -1."""
    return pd.array(list(distinct), dtype="str").take(index, allow_fill=True)


def _lookup(values: np.ndarray, func, missing: object = None) -> np.ndarray:
    """``func`` of each value, computed once per distinct value (None gives ``missing``)."""
    index, distinct = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    results = _object([func(v) for v in distinct] + [missing])
    return results[index]


def _singletons(values: np.ndarray) -> np.ndarray:
    """``[value]`` per site, ``[]`` for None. Like the worldview dicts, one list object per distinct
    value is shared by its rows (cells are read-only): millions of sites need no million lists."""
    return _lookup(values, lambda v: [v], missing=[])


def _dicts(values: np.ndarray) -> np.ndarray:
    """Worldview dicts as they are (shared with the layer), a fresh ``{}`` where there is none."""
    missing = np.flatnonzero([not isinstance(v, dict) for v in values])
    values[missing] = _object([{} for _ in missing])
    return values


def _names(codes: np.ndarray) -> np.ndarray:
    return _lookup(codes, country_name)
