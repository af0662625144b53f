"""Whose claims each site touches, for whole arrays of sites at once.

Every spatial step is an STRtree query over all sites, giving (site, polygon) pairs; distances are
geodesic (WGS84, pyproj) between each site and the nearest boundary point of its candidate polygons.
Per-site results are then grouped from the pairs, so the cost grows with the number of pairs, not with
a Python loop over sites.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

from .claims import load_claims
from .codes import country_name
from .countries import load_countries

GEOD = Geod(ellps="WGS84")
KM_PER_DEG = 110.574  # shortest degree (of latitude); turns km into a safe degree search radius

# The 1:50m country outlines are generalised by up to several km; a site on a small island or a coast
# that falls in the sea still belongs to the nearest country within this distance.
COAST_TOLERANCE_KM = 25.0

ANNOTATIONS = [
    "status", "disputed", "regions", "administered_by", "administered_by_name", "claimed_by",
    "claimed_by_names", "country", "country_name", "worldviews", "nearest_disputed",
    "nearest_disputed_km",
]


def annotate(
    sites: gpd.GeoDataFrame,
    claims: gpd.GeoDataFrame | None = None,
    countries: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Add the claims columns (``ANNOTATIONS``) to a sites frame; see docs/CONTRACTS.md."""
    claims = load_claims() if claims is None else claims
    countries = load_countries() if countries is None else countries
    points = np.asarray(sites.geometry.values)
    lat = shapely.get_y(points)
    radius = sites["radius_km"].to_numpy(float)
    n = len(points)

    # Disputed regions the site is in, or whose edge lies within its radius.
    site_i, region_i, km = pairs_within(points, lat, radius, claims.geometry.values)
    touched = pd.DataFrame({"site": site_i, "region": region_i, "km": km}).sort_values(["site", "km"])
    first_region = touched.drop_duplicates("site").set_index("site")
    inside_region = np.full(n, -1)
    hit = first_region.index.to_numpy()
    inside_region[hit] = np.where(first_region["km"].to_numpy() == 0, first_region["region"].to_numpy(), -1)

    country = site_countries(points, lat, radius, countries, sites.get("hint_country"))
    # Off a small island, far from any country outline: the nearest touched region's administrator.
    offshore = pd.isna(country).astype(bool)
    region_admin = np.full(n, None, dtype=object)
    region_admin[hit] = claims["administered_by"].to_numpy(object)[first_region["region"].to_numpy()]
    country = np.where(offshore, region_admin, country)
    near_name, near_km = nearest(points, lat, claims.geometry.values)

    names = claims["region"].to_numpy(object)
    sites_touched = touched["site"].to_numpy()
    regions = _per_site(n, sites_touched, names[touched["region"].to_numpy()], default=None)

    # Claimants: every touched region's, plus the site's own country unless it sits in a region.
    pairs = pd.DataFrame({"site": sites_touched, "code": claims["claimed_by"].to_numpy(object)[touched["region"]]})
    own = np.flatnonzero((inside_region < 0) & pd.notna(country))
    own = own[np.isin(own, sites_touched)]
    codes = pd.concat([pairs.explode("code"), pd.DataFrame({"site": own, "code": country[own]})])
    codes = codes.dropna().drop_duplicates().sort_values(["site", "code"])
    claimed = _per_site(n, codes["site"].to_numpy(), codes["code"].to_numpy(object), default=country)

    in_region = inside_region >= 0
    administered = np.where(
        in_region, claims["administered_by"].to_numpy(object)[inside_region], country
    )
    country_worldviews = dict(zip(countries["iso3"], countries["worldviews"], strict=False))
    worldviews = np.where(
        in_region,
        claims["worldviews"].to_numpy(object)[inside_region],
        pd.Series(country).map(country_worldviews).to_numpy(object),
    )
    # A region administered by a state is that state de facto, whatever the 1:50m outline says.
    admin_is_state = pd.Series(administered).isin(country_worldviews).to_numpy()
    de_facto = np.where(in_region & admin_is_state, administered, country)

    status = np.where(in_region, "inside", np.where(_lengths(regions) > 0, "near", "undisputed"))
    out = sites.copy()
    out["status"] = status
    out["disputed"] = status != "undisputed"
    out["regions"] = regions
    out["administered_by"] = administered
    out["administered_by_name"] = _names(administered)
    out["claimed_by"] = claimed
    out["claimed_by_names"] = _name_lists(claimed)
    out["country"] = de_facto
    out["country_name"] = _names(de_facto)
    out["worldviews"] = [w if isinstance(w, dict) else {} for w in worldviews]
    out["nearest_disputed"] = near_name if len(claims) == 0 else names[near_name]
    out["nearest_disputed_km"] = np.round(near_km, 3)
    return out


def touched_regions(annotated: gpd.GeoDataFrame, claims: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """The disputed regions any site touches, with their claims, in the claims layer's order."""
    claims = load_claims() if claims is None else claims
    named = set(annotated["regions"].explode().dropna())
    return claims[claims["region"].isin(named)]


def pairs_within(
    points: np.ndarray, lat: np.ndarray, radius_km: np.ndarray, polygons: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(site, polygon, km) for every polygon that contains a site or lies within its radius."""
    tree = shapely.STRtree(polygons)
    site_i, poly_i = tree.query(points, predicate="dwithin", distance=_degrees(radius_km, lat))
    km = geodesic_km(points[site_i], polygons[poly_i])
    keep = km <= radius_km[site_i]
    return site_i[keep], poly_i[keep], km[keep]


def nearest(points: np.ndarray, lat: np.ndarray, polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of, and geodesic km to, the nearest polygon for each site.

    The nearest polygon in degrees need not be the nearest on the ellipsoid (a degree of longitude
    shrinks towards the poles), so every polygon within a bound that covers that stretch is measured.
    """
    if len(polygons) == 0 or len(points) == 0:
        return np.full(len(points), None, dtype=object), np.full(len(points), np.nan)
    tree = shapely.STRtree(polygons)
    (site_i, poly_i), deg = tree.query_nearest(points, return_distance=True, all_matches=False)
    upper_km = geodesic_km(points[site_i], polygons[poly_i])
    order = np.argsort(site_i)
    bound = _degrees(upper_km[order], lat)
    cand_site, cand_poly = tree.query(points, predicate="dwithin", distance=bound)
    km = geodesic_km(points[cand_site], polygons[cand_poly])
    best = pd.DataFrame({"site": cand_site, "poly": cand_poly, "km": km}).sort_values("km")
    best = best.drop_duplicates("site").sort_values("site")
    return best["poly"].to_numpy(), best["km"].to_numpy()


def site_countries(
    points: np.ndarray,
    lat: np.ndarray,
    radius_km: np.ndarray,
    countries: gpd.GeoDataFrame,
    hint: pd.Series | None,
) -> np.ndarray:
    """De facto country per site: the outline it is in, else the gazetteer's country, else the
    nearest outline within the site's radius or the coastal tolerance."""
    polygons = countries.geometry.values
    iso3 = countries["iso3"].to_numpy(object)
    reach = np.maximum(radius_km, COAST_TOLERANCE_KM)
    site_i, poly_i, km = pairs_within(points, lat, reach, polygons)
    best = pd.DataFrame({"site": site_i, "code": iso3[poly_i], "km": km}).sort_values(["site", "km"])
    best = best.drop_duplicates("site")
    result = np.full(len(points), None, dtype=object)
    nearby = best["site"].to_numpy()
    result[nearby] = best["code"].to_numpy(object)
    inside = np.zeros(len(points), bool)
    inside[nearby] = best["km"].to_numpy() == 0
    if hint is not None:
        hints = hint.to_numpy(object)
        use_hint = ~inside & pd.Series(hints).isin(set(iso3)).to_numpy()
        result[use_hint] = hints[use_hint]
    return result


def geodesic_km(points: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """Geodesic km from each point to the nearest point of the paired polygon (0 inside)."""
    if len(points) == 0:
        return np.zeros(0)
    lines = shapely.shortest_line(points, polygons)
    ends = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    _, _, metres = GEOD.inv(ends[:, 0, 0], ends[:, 0, 1], ends[:, 1, 0], ends[:, 1, 1])
    return np.where(shapely.intersects(points, polygons), 0.0, metres / 1000.0)


def _degrees(km: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """A degree radius that covers ``km`` in every direction from latitude ``lat``."""
    cos = np.cos(np.radians(np.minimum(np.abs(lat) + km / KM_PER_DEG, 89.0)))
    return km / (KM_PER_DEG * cos) * 1.01 + 1e-9


def _per_site(n: int, keys: np.ndarray, values: np.ndarray, default: np.ndarray | None) -> list[list]:
    """Per-site lists from (site, value) pairs sorted by site; sites without pairs get
    ``[default[i]]`` (or ``[]``), built without a Python loop over them."""
    if default is None:
        out = pd.Series([()] * n, dtype=object)
    else:
        out = pd.Series(default, dtype=object).map(lambda code: () if pd.isna(code) else (code,), na_action=None)
    if len(keys):
        grouped = pd.Series(values, index=keys).groupby(level=0, sort=False).agg(tuple)
        out.iloc[grouped.index.to_numpy()] = grouped.to_numpy()
    return [list(t) for t in out]


def _lengths(lists: list[list]) -> np.ndarray:
    return np.fromiter(map(len, lists), dtype=int, count=len(lists))


def _name_lists(code_lists: list[list]) -> list[list]:
    lookup = {c: country_name(c) for c in {c for codes in code_lists for c in codes}}
    return [[lookup[c] for c in codes] for codes in code_lists]


def _names(codes: np.ndarray) -> np.ndarray:
    lookup = {c: country_name(c) for c in pd.unique(pd.Series(codes).dropna())}
    return pd.Series(codes).map(lookup).to_numpy(object)
