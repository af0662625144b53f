"""Claims analysis on real Natural Earth polygons, plus synthetic edge cases the data lacks."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.analysis import annotate, touched_regions
from geo.geodesy import GEOD
from geo.claims import load_claims
from geo.sites import resolve, sites_frame


def at(*sites: tuple[str, float, float], radius_km: float = 1.0) -> gpd.GeoDataFrame:
    """Annotated sites at given coordinates (nothing geocoded)."""
    return annotate(resolve([f"{name}@{lat},{lon}" for name, lat, lon in sites]).assign(radius_km=radius_km))


def one(frame: gpd.GeoDataFrame, name: str) -> pd.Series:
    return frame.set_index("name").loc[name]


@pytest.fixture(scope="module")
def founding() -> gpd.GeoDataFrame:
    return annotate(resolve(["Rattu", "Cherat"]))


def test_rattu_is_in_gilgit_baltistan(founding):
    rattu = one(founding, "Rattu")
    assert rattu["status"] == "inside" and rattu["disputed"]
    assert rattu["regions"] == ["Gilgit-Baltistan"]
    assert rattu["administered_by"] == "PAK"
    assert rattu["claimed_by"] == ["IND", "PAK"]
    assert rattu["claimed_by_names"] == ["India", "Pakistan"]
    assert rattu["country"] == "PAK"
    assert rattu["nearest_disputed"] == "Gilgit-Baltistan" and rattu["nearest_disputed_km"] == 0


def test_rattu_under_three_worldviews(founding):
    views = one(founding, "Rattu")["worldviews"]
    assert (views["IND"], views["PAK"], views["CHN"]) == ("IND", "PAK", "PAK")


def test_cherat_is_undisputed_pakistan_150_km_from_azad_kashmir(founding):
    cherat = one(founding, "Cherat")
    assert cherat["status"] == "undisputed" and not cherat["disputed"]
    assert cherat["regions"] == [] and cherat["claimed_by"] == ["PAK"]
    assert cherat["country"] == "PAK" and cherat["administered_by"] == "PAK"
    assert cherat["nearest_disputed"] == "Azad Kashmir"
    assert cherat["nearest_disputed_km"] == pytest.approx(150, rel=0.05)


@pytest.mark.parametrize(
    "name, region, admin, claimants",
    [
        ("Srinagar", "Jammu and Kashmir", "IND", ["IND", "PAK"]),
        ("Simferopol", "Crimea", "RUS", ["RUS", "UKR"]),
    ],
)
def test_named_cities_in_disputed_areas(name, region, admin, claimants):
    site = annotate(resolve([name])).iloc[0]
    assert site["status"] == "inside"
    assert site["regions"] == [region]
    assert site["administered_by"] == admin
    assert site["claimed_by"] == claimants


def test_tiraspol_is_claimed_by_moldova():
    site = annotate(resolve(["Tiraspol"])).iloc[0]
    assert site["regions"] == ["Transnistria"]
    assert "MDA" in site["claimed_by"]
    assert site["country"] == "MDA"


def test_point_in_aksai_chin():
    site = at(("Aksai Chin point", 35.2, 79.3)).iloc[0]
    assert site["regions"] == ["Aksai Chin"]
    assert site["administered_by"] == "CHN"
    assert site["claimed_by"] == ["CHN", "IND"]


@pytest.mark.parametrize("city", ["Pathankot", "Sialkot"])
def test_cities_near_the_kashmir_line_stay_undisputed(city):
    site = annotate(resolve([city])).iloc[0]
    assert site["status"] == "undisputed"
    assert site["regions"] == []
    assert site["nearest_disputed"] == "Jammu and Kashmir"
    assert 0 < site["nearest_disputed_km"] < 60


def test_radius_decides_touching():
    """Sialkot lies some km from Jammu and Kashmir: a wide enough radius touches it."""
    sialkot = annotate(resolve(["Sialkot"])).iloc[0]
    wide = at(("Sialkot", sialkot["lat"], sialkot["lon"]), radius_km=sialkot["nearest_disputed_km"] + 1).iloc[0]
    assert wide["status"] == "near"
    assert wide["regions"] == ["Jammu and Kashmir"]
    assert wide["claimed_by"] == ["IND", "PAK"]  # the region's claimants and the site's own country
    assert wide["administered_by"] == "PAK"


def test_offshore_point_still_touches_a_small_island():
    """Abu Musa is a speck at 1:10m; a position 500 m off its coast still touches it."""
    claims = load_claims()
    island = claims.loc[claims["region"] == "Abu Musa I."].geometry.iloc[0]
    lon, lat = island.centroid.x, island.centroid.y
    east = shapely.get_coordinates(island)[:, 0].max()
    lon_off, lat_off, _ = GEOD.fwd(east, lat, 90, 500)
    site = at(("off Abu Musa", lat_off, lon_off)).iloc[0]
    assert site["status"] == "near"
    assert site["regions"] == ["Abu Musa I."]
    assert site["administered_by"] == "IRN" and "ARE" in site["claimed_by"]


def test_point_off_a_generalised_coast_gets_its_country():
    """A harbour position that the 1:50m outline puts in the sea (Gwadar's port) still gets Pakistan."""
    site = at(("Gwadar port", 25.1116, 62.3350)).iloc[0]
    assert site["country"] == "PAK"
    assert site["claimed_by"] == ["PAK"]


def test_site_between_two_synthetic_regions_touches_both():
    claims = gpd.GeoDataFrame(
        {
            "region": ["West", "East"], "administered_by": ["AAA", "BBB"],
            "claimed_by": [["AAA", "CCC"], ["BBB", "CCC"]], "worldviews": [{"CCC": "CCC"}, {"CCC": "CCC"}],
        },
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(1.005, 0, 2, 1)], crs="EPSG:4326",
    )
    countries = gpd.GeoDataFrame(
        {"iso3": ["ZZZ"], "name": ["Zedland"], "worldviews": [{"CCC": "ZZZ"}]},
        geometry=[shapely.box(-5, -5, 5, 5)], crs="EPSG:4326",
    )
    sites = sites_frame(pd.DataFrame({
        "name": ["on the line", "in west", "far"], "resolved_name": "", "source": "input", "score": 100.0,
        "ambiguous": False, "alternatives": [[], [], []], "reference": "",
        "lat": [0.5, 0.5, -4.0], "lon": [1.0, 0.5, -4.0], "radius_km": [1.0, 0.1, 1.0], "hint_country": None,
    }))
    out = annotate(sites, claims=claims, countries=countries).set_index("name")
    assert out.loc["on the line", "regions"] == ["West", "East"]
    assert out.loc["on the line", "claimed_by"] == ["AAA", "BBB", "CCC"]
    assert out.loc["on the line", "administered_by"] == "AAA"
    assert out.loc["in west", "regions"] == ["West"]
    assert out.loc["far", "status"] == "undisputed"
    assert out.loc["far", "claimed_by"] == ["ZZZ"]
    assert out.loc["far", "worldviews"] == {"CCC": "ZZZ"}
    assert out.loc["far", "nearest_disputed"] == "West"


def test_batch_equals_one_by_one():
    """Vectorised results do not depend on what else is in the batch."""
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(20, 45, 60), rng.uniform(60, 100, 60)
    names = [f"p{i}@{a:.4f},{o:.4f}" for i, (a, o) in enumerate(zip(lat, lon))]
    batch = annotate(resolve(names))
    for i in rng.choice(60, 8, replace=False):
        single = annotate(resolve([names[i]])).iloc[0]
        row = batch.iloc[i]
        for column in ("status", "regions", "claimed_by", "country", "nearest_disputed"):
            assert row[column] == single[column]
        assert row["nearest_disputed_km"] == pytest.approx(single["nearest_disputed_km"])


def test_touched_regions_are_the_claims_rows(founding):
    regions = touched_regions(founding)
    assert regions["region"].tolist() == ["Gilgit-Baltistan"]
    assert regions.iloc[0]["claimed_by"] == ["IND", "PAK"]


def test_chunks_give_the_same_answer(monkeypatch):
    import geo.analysis

    rng = np.random.default_rng(3)
    names = [f"p{i}@{a:.4f},{o:.4f}" for i, (a, o) in enumerate(zip(rng.uniform(25, 40, 30), rng.uniform(65, 85, 30)))]
    sites = resolve(names)
    whole = annotate(sites)
    monkeypatch.setattr(geo.analysis, "CHUNK", 7)
    chunked = annotate(sites)
    assert chunked.index.tolist() == whole.index.tolist()
    for column in ("status", "regions", "claimed_by", "country", "nearest_disputed", "nearest_disputed_km"):
        assert chunked[column].tolist() == whole[column].tolist()


# The claims contract: claimed_by is a sorted list of ISO3 codes of claimant states.

def checked(*points: str) -> gpd.GeoDataFrame:
    return annotate(resolve(list(points))).set_index("name")


def test_near_site_in_an_unrecognised_entity_adds_no_entity_name():
    """Kyrenia, in the Northern Cyprus outline near the N. Cyprus region: was [CYP, Northern Cyprus]."""
    site = checked("35.340,33.319").iloc[0]
    assert site["regions"] == ["N. Cyprus"]
    assert site["claimed_by"] == ["CYP"]


def test_scarborough_reef_has_no_claimant_names():
    """NE names no party for Scarborough Reef: was ['Scarborough Reef'], an entity name."""
    site = checked("15.15,117.76").iloc[0]
    assert site["regions"] == ["Scarborough Reef"]
    assert site["claimed_by"] == []


def test_bir_tawil_is_claimed_by_nobody():
    """Inside Bir Tawil, which Egypt and Sudan both disclaim: was [SDN], the outline's owner."""
    site = checked("21.87,33.75").iloc[0]
    assert site["status"] == "inside" and site["regions"] == ["Bir Tawil"]
    assert site["claimed_by"] == []


def test_coast_fallback_takes_a_nearer_disputed_region():
    """Gibraltar town outside every outline, 0.40 km from Gibraltar's polygon and 0.47 km from Spain's
    (as the 1:50m outlines had it): it is on the British side, not Spain's."""
    claims = load_claims()
    from geo.countries import load_countries

    countries = load_countries()
    lat, lon = 36.14474, -5.35257
    around = shapely.Point(lon, lat).buffer(0.47 / 111.32 / np.cos(np.radians(lat)))  # ~0.47 km east-west
    spain = countries["iso3"] == "ESP"
    countries.loc[spain, "geometry"] = countries.loc[spain, "geometry"].difference(around)
    countries = countries[countries["iso3"] != "GIB"]
    site = annotate(resolve([f"Gibraltar town@{lat},{lon}"]), claims=claims, countries=countries).iloc[0]
    assert site["regions"] == ["Gibraltar"] and site["nearest_disputed_km"] == pytest.approx(0.40, abs=0.01)
    assert site["country"] == "GBR"
    assert site["claimed_by"] == ["ESP", "GBR"]


def test_claimed_by_is_always_sorted_iso3_states():
    rng = np.random.default_rng(17)
    lat, lon = rng.uniform(-60, 75, 3000), rng.uniform(-180, 180, 3000)
    lat, lon = np.r_[lat, rng.uniform(20, 45, 2000)], np.r_[lon, rng.uniform(25, 100, 2000)]
    sites = resolve([f"p{i}@{a:.4f},{o:.4f}" for i, (a, o) in enumerate(zip(lat, lon))]).assign(radius_km=100.0)
    out = annotate(sites)
    states = set(load_claims()["claimed_by"].explode().dropna()) | set(out["country"].dropna())
    for codes in out["claimed_by"]:
        assert codes == sorted(set(codes))
        assert all(len(c) == 3 and c.isupper() and c in states for c in codes)
    assert (out["status"] == "near").sum() > 100


def test_beyond_the_coast_tolerance_an_island_takes_the_nearest_country_within_200_nmi():
    """75 km east of Guam's outline, as on an islet too small for 1:10m; 600 km out, no country."""
    near, far = at(("off Guam", 13.45, 145.55), ("open sea", 13.45, 150.5)).set_index("name").loc[["off Guam", "open sea"]].iloc
    assert near["country"] == "GUM" and near["claimed_by"] == ["USA"]
    assert pd.isna(far["country"]) and far["claimed_by"] == []


def test_geonames_places_get_geonames_country(data_dir):
    """cities500 places outside disputed areas: the country agrees with GeoNames' (a dependent
    territory counted as its sovereign) for >= 99.75 % by geometry alone, and >= 99.8 % as geocoded
    sites (with GeoNames' country and radius, which outweigh a 1:10m border within that radius)."""
    import csv

    from geo.codes import iso3_from_iso2
    from geo.countries import load_countries

    places = pd.read_csv(
        data_dir / "geonames" / "cities500.txt", sep="\t", header=None, usecols=[4, 5, 8, 14],
        names=["lat", "lon", "cc", "population"], quoting=csv.QUOTE_NONE, keep_default_na=False,
        dtype={"cc": str},
    )
    places = places[places["cc"] != ""]
    iso3 = places["cc"].map(iso3_from_iso2).to_numpy(object)
    countries = load_countries()
    # Parts of a state that Natural Earth does not draw as units of their own.
    parts = {"GLP": "FRA", "MTQ": "FRA", "GUF": "FRA", "REU": "FRA", "MYT": "FRA", "BES": "NLD",
             "SJM": "NOR", "TKL": "NZL", "CCK": "AUS", "CXR": "AUS"}
    sovereign = dict(zip(countries["iso3"], countries["sovereign"])) | parts
    expected = np.array([sovereign.get(c, c) for c in iso3], object)
    n = len(places)
    base = pd.DataFrame({
        "name": "p", "resolved_name": "p", "source": "geonames", "score": 100.0, "ambiguous": False,
        "alternatives": [[]] * n, "reference": "", "lat": places["lat"].to_numpy(), "lon": places["lon"].to_numpy(),
    })
    geometric = sites_frame(base.assign(radius_km=0.0, hint_country=None))
    radius = np.maximum(2.0, np.sqrt(places["population"].to_numpy() / (np.pi * 5000)))
    geocoded = sites_frame(base.assign(radius_km=radius, hint_country=iso3))
    for sites, target in ((geometric, 0.9975), (geocoded, 0.998)):
        out = annotate(sites)
        outside = (out["status"] != "inside").to_numpy()
        ours = np.array([sovereign.get(c, c) for c in out["country"].to_numpy(object)], object)
        assert outside.sum() > 190_000
        assert (ours == expected)[outside].mean() >= target
