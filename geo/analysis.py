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

from .claims import load_claims
from .codes import country_name
from .countries import load_countries
from .geodesy import geodesic_km

KM_PER_DEG = 110.574  # shortest degree (of latitude); turns km into a safe degree search radius

# The 1:50m country outlines are generalised by up to several km; a site on a small island or a coast
# that falls in the sea still belongs to the nearest country within this distance.
COAST_TOLERANCE_KM = 25.0

BAND_DEG = 2.0  # latitude bands for the nearest-region search: within one, cos(lat) varies < 2 % to 60°

CHUNK = 50_000  # sites per pass: bounds the (site, polygon) pair arrays to a few hundred MB

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
    """Add the claims columns (``ANNOTATIONS``) to a sites frame; see docs/CONTRACTS.md.

    Sites go through in chunks of ``CHUNK`` so that memory stays bounded however many there are.
    """
    claims = load_claims() if claims is None else claims
    countries = load_countries() if countries is None else countries
    layers = Polygons(claims.geometry.values), Polygons(countries.geometry.values)
    if len(sites) <= CHUNK:
        return _annotate(sites, claims, countries, *layers)
    parts = [_annotate(sites.iloc[i:i + CHUNK], claims, countries, *layers) for i in range(0, len(sites), CHUNK)]
    return gpd.GeoDataFrame(pd.concat(parts), crs=sites.crs)


def _annotate(
    sites: gpd.GeoDataFrame, claims: gpd.GeoDataFrame, countries: gpd.GeoDataFrame,
    regions_layer: Polygons, outlines: Polygons,
) -> gpd.GeoDataFrame:
    points = np.asarray(sites.geometry.values)
    lat = shapely.get_y(points)
    radius = sites["radius_km"].to_numpy(float)
    n = len(points)

    # Disputed regions the site is in, or whose edge lies within its radius.
    site_i, region_i, km = regions_layer.within(points, lat, radius)
    touched = pd.DataFrame({"site": site_i, "region": region_i, "km": km}).sort_values(["site", "km"])
    hit, first_region, first_km = _closest(site_i, region_i, km)
    inside_region = np.full(n, -1)
    inside_region[hit] = np.where(first_km == 0, first_region, -1)

    country = site_countries(points, lat, radius, countries, outlines, sites.get("hint_country"))
    # Off a small island, far from any country outline: the nearest touched region's administrator.
    offshore = pd.isna(country).astype(bool)
    region_admin = np.full(n, None, dtype=object)
    region_admin[hit] = claims["administered_by"].to_numpy(object)[first_region]
    country = np.where(offshore, region_admin, country)
    near_index, near_km = regions_layer.nearest(points, lat)

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

    near_region = np.zeros(n, bool)
    near_region[hit] = True
    status = np.where(in_region, "inside", np.where(near_region, "near", "undisputed"))
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
    out["nearest_disputed"] = np.where(near_index >= 0, names[near_index] if len(names) else None, None)
    out["nearest_disputed_km"] = np.round(near_km, 3)
    return out


def touched_regions(annotated: gpd.GeoDataFrame, claims: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """The disputed regions any site touches, with their claims, in the claims layer's order."""
    claims = load_claims() if claims is None else claims
    named = set(annotated["regions"].explode().dropna())
    return claims[claims["region"].isin(named)]


class Polygons:
    """A polygon layer prepared once, with its STRtree: every query below reuses both.

    Prepared polygons answer point-in-polygon and within-distance tests by index, so the tests cost
    little even for 1:50m outlines of Russia or Canada.
    """

    def __init__(self, geometries: np.ndarray) -> None:
        self.geoms = np.asarray(geometries, dtype=object)
        shapely.prepare(self.geoms)
        self.tree = shapely.STRtree(self.geoms)
        self._bands: dict[int, tuple[float, np.ndarray, shapely.STRtree]] = {}

    def __len__(self) -> int:
        return len(self.geoms)

    def containing(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(site, polygon) pairs where the polygon covers the site."""
        site_i, poly_i = self.tree.query(points)
        hit = shapely.intersects(self.geoms[poly_i], points[site_i])
        return site_i[hit], poly_i[hit]

    def within(self, points: np.ndarray, lat: np.ndarray, km: np.ndarray) -> tuple[np.ndarray, ...]:
        """(site, polygon, geodesic km) for every polygon within ``km`` of each site (0 inside)."""
        deg = _degrees(km, lat)
        x, y = shapely.get_x(points), shapely.get_y(points)
        site_i, poly_i = self.tree.query(shapely.box(x - deg, y - deg, x + deg, y + deg))
        near = shapely.dwithin(self.geoms[poly_i], points[site_i], deg[site_i])
        site_i, poly_i = site_i[near], poly_i[near]
        dist = self.km(site_i, poly_i, points)
        keep = dist <= km[site_i]
        return site_i[keep], poly_i[keep], dist[keep]

    def km(self, site_i: np.ndarray, poly_i: np.ndarray, points: np.ndarray) -> np.ndarray:
        """Geodesic km from each site to the nearest point of its paired polygon (0 inside)."""
        polygons, pts = self.geoms[poly_i], points[site_i]
        dist = np.zeros(len(site_i))
        out = ~shapely.intersects(polygons, pts)
        if out.any():
            ends = shapely.get_coordinates(shapely.shortest_line(pts[out], polygons[out])).reshape(-1, 2, 2)
            dist[out] = geodesic_km(ends[:, 0, 0], ends[:, 0, 1], ends[:, 1, 0], ends[:, 1, 1])
        return dist

    def nearest(self, points: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index of, and geodesic km to, the nearest polygon for each site.

        Searched band by band of latitude, in a copy of the layer whose longitudes are scaled by the
        band's cosine, where degrees are nearly isotropic. The polygon nearest there gives an upper bound
        U; a geodesic of length D <= U never goes poleward of |lat| + U/110.574 km, so along it
        D >= 110.574 km x min(1, cos(that latitude) / band cosine) x scaled distance, and only polygons
        that bound admits are measured on the ellipsoid.
        """
        index, dist = np.full(len(points), -1), np.full(len(points), np.nan)
        if len(self) == 0:
            return index, dist
        band = np.clip(((lat + 90) // BAND_DEG).astype(int), 0, int(180 // BAND_DEG) - 1)
        for b in np.unique(band):  # at most 90 bands, however many sites
            sites = np.flatnonzero(band == b)
            scale, geoms, tree = self._band(b)
            scaled = shapely.points(shapely.get_x(points[sites]) * scale, lat[sites])
            site_i, poly_i = tree.query_nearest(scaled, all_matches=False)
            upper = np.empty(len(sites))
            upper[site_i] = self.km(sites[site_i], poly_i, points)
            reach = np.radians(np.minimum(np.abs(lat[sites]) + upper / KM_PER_DEG, 89.9))
            bound = upper / (KM_PER_DEG * np.minimum(1.0, np.cos(reach) / scale)) * 1.000001 + 1e-9
            x, y = shapely.get_x(scaled), shapely.get_y(scaled)
            site_i, poly_i = tree.query(shapely.box(x - bound, y - bound, x + bound, y + bound))
            near = shapely.dwithin(geoms[poly_i], scaled[site_i], bound[site_i])
            site_i, poly_i = site_i[near], poly_i[near]
            found, closest, km = _closest(site_i, poly_i, self.km(sites[site_i], poly_i, points))
            index[sites[found]], dist[sites[found]] = closest, km
        return index, dist

    def _band(self, band: int) -> tuple[float, np.ndarray, shapely.STRtree]:
        """The layer with longitudes scaled by the cosine of this latitude band's middle."""
        if band not in self._bands:
            scale = float(np.cos(np.radians(-90 + (band + 0.5) * BAND_DEG)))
            geoms = shapely.transform(self.geoms, lambda xy: xy * [scale, 1.0])
            shapely.prepare(geoms)
            self._bands[band] = scale, geoms, shapely.STRtree(geoms)
        return self._bands[band]


def site_countries(
    points: np.ndarray, lat: np.ndarray, radius_km: np.ndarray, countries: gpd.GeoDataFrame,
    outlines: Polygons, hint: pd.Series | None,
) -> np.ndarray:
    """De facto country per site: the outline it is in, else the gazetteer's country, else the
    nearest outline within the site's radius or the coastal tolerance."""
    iso3 = countries["iso3"].to_numpy(object)
    result = np.full(len(points), None, dtype=object)
    site_i, poly_i = outlines.containing(points)
    result[site_i] = iso3[poly_i]
    outside = np.flatnonzero(pd.isna(result))
    if hint is not None:
        hints = hint.to_numpy(object)[outside]
        known = pd.Series(hints).isin(set(iso3)).to_numpy()
        result[outside[known]] = hints[known]
        outside = outside[~known]
    reach = np.maximum(radius_km[outside], COAST_TOLERANCE_KM)
    found, closest, _ = _closest(*outlines.within(points[outside], lat[outside], reach))
    result[outside[found]] = iso3[closest]
    return result


def _degrees(km: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """A degree radius that covers ``km`` in every direction from latitude ``lat``."""
    cos = np.cos(np.radians(np.minimum(np.abs(lat) + km / KM_PER_DEG, 89.0)))
    return km / (KM_PER_DEG * cos) * 1.01 + 1e-9


def _closest(site_i: np.ndarray, poly_i: np.ndarray, km: np.ndarray) -> tuple[np.ndarray, ...]:
    """Of (site, polygon, km) pairs, the closest polygon per site: (sites, polygons, km), by site."""
    order = np.lexsort((km, site_i))
    site_i, poly_i, km = site_i[order], poly_i[order], km[order]
    first = np.r_[True, site_i[1:] != site_i[:-1]] if len(site_i) else np.zeros(0, bool)
    return site_i[first], poly_i[first], km[first]


def _per_site(n: int, keys: np.ndarray, values: np.ndarray, default: np.ndarray | None) -> list[list]:
    """Per-site lists from (site, value) pairs sorted by site; sites without pairs get
    ``[default[i]]`` (or ``[]``). Grouping and defaults are vectorised; only the final lists, which
    the output needs as Python objects, are made one per site."""
    if default is None:
        out = pd.Series([()] * n, dtype=object)
    else:
        codes = pd.Series(default, dtype=object)
        out = codes.map({code: (code,) for code in codes.dropna().unique()}).astype(object)
        out[out.isna()] = [()] * int(out.isna().sum())
    if len(keys):
        grouped = pd.Series(values, index=keys).groupby(level=0, sort=False).agg(tuple)
        out.iloc[grouped.index.to_numpy()] = grouped.to_numpy()
    return [list(t) for t in out]


def _name_lists(code_lists: list[list]) -> list[list]:
    lookup = {c: country_name(c) for c in {c for codes in code_lists for c in codes}}
    return [[lookup[c] for c in codes] for codes in code_lists]


def _names(codes: np.ndarray) -> np.ndarray:
    lookup = {c: country_name(c) for c in pd.unique(pd.Series(codes).dropna())}
    return pd.Series(codes).map(lookup).to_numpy(object)
