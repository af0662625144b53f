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
