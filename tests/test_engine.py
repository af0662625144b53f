"""The spatial engine against independent references: shapely's exact predicate for containment,
and a brute-force WGS84 search over densified boundaries for distances."""

import numpy as np
import pytest
import shapely

from geo import engine
from geo.analysis import CELL_DEG, REGION_STEP_DEG
from geo.claims import load_claims
from geo.countries import load_countries
from geo.geodesy import GEOD, LAMBERT_CHORD_KM, LAMBERT_ERROR_KM, ecef_km, geodesic_km, lambert_km


@pytest.fixture(scope="module")
def claims():
    return load_claims()


@pytest.fixture(scope="module")
def regions(claims):
    return engine.layer(claims.geometry.values, CELL_DEG, REGION_STEP_DEG)


def tolerance(km):
    return 0.3 + 0.002 * km


def exact_pairs(geoms, x, y):
    """(point, polygon) pairs by the exact predicate (edges count as inside)."""
    geoms = np.asarray(geoms, object)
    shapely.prepare(geoms)
    site, poly = shapely.STRtree(geoms).query(shapely.points(x, y))
    hit = shapely.intersects_xy(geoms[poly], x[site], y[site])
    order = np.lexsort((poly[hit], site[hit]))
    return site[hit][order], poly[hit][order]


def border_points(geoms, n, rng):
    """Points on, and jittered a few metres to a few km around, the polygons' edges and vertices."""
    xy = shapely.get_coordinates(shapely.segmentize(shapely.boundary(np.asarray(geoms, object)), 0.05))
    pick = xy[rng.integers(0, len(xy), n)]
    scale = rng.choice([0.0, 1e-7, 1e-5, 1e-3, 3e-2], size=(n, 1))
    return pick + rng.normal(size=(n, 2)) * scale


@pytest.mark.parametrize("layer_name", ["claims", "countries"])
def test_containment_equals_the_exact_predicate_on_a_million_points(layer_name, claims):
    geoms = claims.geometry.values if layer_name == "claims" else load_countries().geometry.values
    rng = np.random.default_rng(11)
    world = np.column_stack([rng.uniform(-180, 180, 500_000), rng.uniform(-90, 90, 500_000)])
    xy = np.r_[world, border_points(geoms, 500_000, rng)]
    x, y = np.clip(xy[:, 0], -180, 180), np.clip(xy[:, 1], -90, 90)
    site, poly = engine.layer(geoms, 0.1).containing(x, y)
    ref_site, ref_poly = exact_pairs(geoms, x, y)
    assert len(site) > 100_000
    np.testing.assert_array_equal(site, ref_site)
    np.testing.assert_array_equal(poly, ref_poly)


def brute_nearest(geoms, lon, lat):
    """Reference: WGS84 geodesic to every vertex of the boundaries densified to 0.002°.

    A spherical pre-pass over a 0.05° densification skips vertices that are, with a wide margin
    (1 % + 10 km), farther than the best; everything else is measured on the ellipsoid.
    """
    lines = shapely.boundary(np.asarray(geoms, object))
    coarse, c_owner = shapely.get_coordinates(shapely.segmentize(lines, 0.05), return_index=True)
    fine, f_owner = shapely.get_coordinates(shapely.segmentize(lines, 0.002), return_index=True)
    index, km = [], []
    for x, y in zip(lon, lat, strict=True):
        sphere = _haversine_km(x, y, coarse[:, 0], coarse[:, 1])
        reach = sphere.min() * 1.01 + 10
        owners = np.unique(c_owner[sphere <= reach])
        cand = fine[np.isin(f_owner, owners)]
        cand_owner = f_owner[np.isin(f_owner, owners)]
        close = _haversine_km(x, y, cand[:, 0], cand[:, 1]) <= reach
        _, _, metres = GEOD.inv(np.full(close.sum(), x), np.full(close.sum(), y), cand[close, 0], cand[close, 1])
        best = np.argmin(metres)
        index.append(cand_owner[close][best])
        km.append(metres[best] / 1000)
    return np.array(index), np.array(km)


def _haversine_km(x, y, xs, ys):
    lam, phi, lams, phis = map(np.radians, (x, y, xs, ys))
    h = np.sin((phis - phi) / 2) ** 2 + np.cos(phi) * np.cos(phis) * np.sin((lams - lam) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.minimum(h, 1)))


def test_nearest_distance_matches_a_brute_force_geodesic_reference(claims, regions):
    """1,200 points outside every region: a third within 5° of ±180°, a sixth above 80° latitude."""
    rng = np.random.default_rng(5)
    lon = np.r_[rng.uniform(-180, 180, 600), rng.uniform(175, 180, 200), rng.uniform(-180, -175, 200),
                rng.uniform(-180, 180, 200)]
    lat = np.r_[rng.uniform(-60, 80, 600), rng.uniform(-60, 70, 400), rng.uniform(80, 90, 200) * rng.choice([-1, 1], 200)]
    outside = np.setdiff1d(np.arange(len(lon)), regions.containing(lon, lat)[0])
    lon, lat = lon[outside], lat[outside]
    index, km = regions.nearest(lon, lat)
    ref_index, ref_km = brute_nearest(claims.geometry.values, lon, lat)
    assert len(lon) >= 1000 and (np.abs(lon) > 175).sum() >= len(lon) // 3 - 20
    # the reference measures to vertices 0.002° apart, so it may exceed the true distance by 0.12 km
    assert np.all(km >= ref_km - 0.12)
    assert np.all(np.abs(km - ref_km) <= tolerance(ref_km))
    # the nearest region is the reference's, unless another lies within the tolerance
    wrong = index != ref_index
    assert np.all(ref_km[wrong] - km[wrong] <= tolerance(ref_km[wrong]))


def test_distance_floor_is_a_lower_bound(claims, regions):
    """The per-cell floor that lets far points skip searches never exceeds the true distance."""
    rng = np.random.default_rng(8)
    lon = np.r_[rng.uniform(-180, 180, 200), rng.uniform(70, 82, 100)]
    lat = np.r_[rng.uniform(-90, 90, 200), rng.uniform(30, 38, 100)]
    outside = np.setdiff1d(np.arange(len(lon)), regions.containing(lon, lat)[0])
    _, ref_km = brute_nearest(claims.geometry.values, lon[outside], lat[outside])
    floor = regions.boundary.floor_km(lon[outside], lat[outside])
    assert np.all(floor <= ref_km) and (floor > 0).mean() > 0.5  # the reference is never short


def test_lambert_distances_are_within_their_error_of_the_exact_geodesic():
    """The far points' shortcut against pyproj's exact solution, short hops to near-antipodes."""
    rng = np.random.default_rng(9)
    lon1, lat1 = rng.uniform(-180, 180, 200_000), np.degrees(np.arcsin(rng.uniform(-1, 1, 200_000)))
    lon2, lat2 = rng.uniform(-180, 180, 200_000), np.degrees(np.arcsin(rng.uniform(-1, 1, 200_000)))
    lon2[:100_000] = lon1[:100_000] + rng.normal(0, 2, 100_000)
    lat2[:100_000] = np.clip(lat1[:100_000] + rng.normal(0, 2, 100_000), -90, 90)
    chord = np.linalg.norm(ecef_km(lon1, lat1) - ecef_km(lon2, lat2), axis=1)
    use = chord <= LAMBERT_CHORD_KM
    error = np.abs(lambert_km(lon1, lat1, lon2, lat2) - geodesic_km(lon1, lat1, lon2, lat2))[use]
    assert use.mean() > 0.7 and error.max() <= LAMBERT_ERROR_KM


@pytest.mark.parametrize(
    "lon, lat, region",
    [
        (-154.2877, 22.4711, None),  # 4,135.9 km with the old band search
        (-174.9, 25.7, None),  # 4,086 km with the old band search
        (-179.99, -22.0, "Matthew and Hunter Is."),  # was Swains Island 1,537.8 km: no wrap at ±180°
        (179.99, -22.0, "Matthew and Hunter Is."),
        (75.9557, 38.9574, "Gilgit-Baltistan"),
        (180.0, 65.0, "Kuril Is."),
        (-180.0, 65.0, "Kuril Is."),
        (123.0, -89.99, None),  # near the South Pole
    ],
)
def test_issue_points_match_the_reference(lon, lat, region, claims, regions):
    index, km = regions.nearest(np.array([lon]), np.array([lat]))
    ref_index, ref_km = brute_nearest(claims.geometry.values, [lon], [lat])
    assert km[0] == pytest.approx(ref_km[0], abs=tolerance(ref_km[0]))
    assert index[0] == ref_index[0]
    if region:
        assert claims["region"].iloc[index[0]] == region


def test_known_distances(regions, claims):
    lon, lat = np.array([-154.2877, -179.99, 75.9557]), np.array([22.4711, -22.0, 38.9574])
    _, km = regions.nearest(lon, lat)
    assert km == pytest.approx([4068.5, 820.9, 230.3], abs=0.3)


def test_a_point_on_an_edge_is_inside_at_0_km(regions, claims):
    index, km = regions.nearest(np.array([80.95449]), np.array([30.18661]))
    assert km[0] == 0 and claims["region"].iloc[index[0]] == "Near Om Parvat"


def test_within_reaches_across_the_antimeridian():
    """A site at 179.9° with a 50 km radius touches a region at -179.95° (15.7 km east)."""
    layer = engine.layer(np.array([shapely.box(-179.95, -20, -179.9, -19)]), 0.1)
    site, poly, km = layer.within(np.array([179.9, 179.9]), np.array([-19.5, -19.5]), np.array([50.0, 5.0]))
    assert site.tolist() == [0] and poly.tolist() == [0]
    expected = GEOD.inv(179.9, -19.5, -179.95, -19.5)[2] / 1000
    assert km[0] == pytest.approx(expected, abs=0.01)


def test_within_lists_every_region_in_reach_with_its_distance(regions, claims):
    """Near Jerusalem and in Kashmir: every region within 60 km, by brute force."""
    lon, lat = np.array([35.1, 73.9]), np.array([31.6, 34.9])
    site, poly, km = regions.within(lon, lat, np.array([60.0, 60.0]))
    every = brute_each(claims.geometry.values, lon, lat)
    for i in range(2):
        assert sorted(poly[site == i]) == np.flatnonzero(every[i] <= 60).tolist()
        assert len(poly[site == i]) >= 2
        np.testing.assert_allclose(km[site == i], every[i, poly[site == i]], atol=0.3)


def brute_each(geoms, lon, lat):
    """Reference km from each point to each polygon (0 inside)."""
    out = np.empty((len(lon), len(geoms)))
    for j, g in enumerate(geoms):
        _, out[:, j] = brute_nearest([g], lon, lat)
        out[shapely.intersects_xy(g, lon, lat), j] = 0
    return out


def test_index_is_reused_in_process_and_cached_on_disk(tmp_path, monkeypatch, claims):
    monkeypatch.setenv("CLAIMMAP_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(engine, "_MEMORY", engine.OrderedDict())
    geoms = claims.geometry.values[:20]
    first = engine.layer(geoms, 0.1)
    assert engine.layer(geoms, 0.1) is first
    files = list((tmp_path / "engine").glob("*.npz"))
    assert len(files) == 1 and not list((tmp_path / "engine").glob("*.tmp"))
    # another process: read from disk, same answers
    monkeypatch.setattr(engine, "_MEMORY", engine.OrderedDict())
    again = engine.layer(geoms, 0.1)
    assert again is not first
    np.testing.assert_array_equal(again.grid.codes, first.grid.codes)
    # different geometries (a claims row dropped by an erratum) get their own index
    engine.layer(geoms[1:], 0.1)
    assert len(list((tmp_path / "engine").glob("*.npz"))) == 2


@pytest.mark.parametrize("damage", [b"", b"not a zip at all", None])
def test_a_corrupt_cache_file_is_rebuilt(tmp_path, monkeypatch, claims, damage):
    monkeypatch.setenv("CLAIMMAP_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(engine, "_MEMORY", engine.OrderedDict())
    geoms = claims.geometry.values[:10]
    good = engine.layer(geoms, 0.1)
    (path,) = (tmp_path / "engine").glob("*.npz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if damage is None else damage)
    monkeypatch.setattr(engine, "_MEMORY", engine.OrderedDict())
    rebuilt = engine.layer(geoms, 0.1)
    np.testing.assert_array_equal(rebuilt.grid.codes, good.grid.codes)
    np.load(path)  # rewritten whole
