"""The gazetteer on the real data: curated sites, disputed regions, GeoNames, and Nominatim behind a fake."""

import json
import re
import time
import zipfile
from importlib import resources

import geopandas as gpd
import pandas as pd
import pytest
from geopy.exc import GeocoderUnavailable
from geopy.location import Location as GeopyLocation

from geo import data
from geo.errors import AmbiguousPlace, InputError, UnknownPlace
from geo.geocoders import Chain, Curated, GeoNames, Location, Nominatim, Regions, default_geocoder
from geo.codes import country_code
from geo.geocoders.names import fold, fold_all, parse_query
from geo.geocoders.nominatim import USER_AGENT

LABEL = re.compile(r"^.+ \(-?\d+\.\d\d, -?\d+\.\d\d\)$")  # "Name, Country (lat, lon)"


@pytest.fixture(scope="module")
def geocoder():
    return default_geocoder()


# --- the founding case ---------------------------------------------------------------------------------


def test_rattu_is_a_curated_site(geocoder):
    loc = geocoder.geocode("Rattu")
    assert (loc.source, loc.country, loc.score, loc.ambiguous) == ("curated", "PAK", 100, False)
    assert loc.lat == pytest.approx(35.15, abs=0.01) and loc.lon == pytest.approx(74.80, abs=0.01)
    assert loc.name == "Army High Altitude School, Rattu" and loc.reference.startswith("https://")


@pytest.mark.parametrize("query, country", [
    ("Cherat", None), ("Cherat, Pakistan", None), ("Cherat, PAK", None), ("cherat", "PK"),
    ("Cherat", "Pakistan"),
])
def test_cherat_is_geonames_cherat_cantonement(geocoder, query, country):
    loc = geocoder.geocode(query, country=country)
    assert (loc.name, loc.source, loc.reference, loc.country) == (
        "Cherat Cantonement", "geonames", "geonames:1181327", "PAK")
    assert loc.lat == pytest.approx(33.82, abs=0.01) and loc.lon == pytest.approx(71.89, abs=0.01)
    assert loc.radius_km == 2 and loc.kind == "PPL" and loc.score == 100  # "Cherat" is an alternate name


def test_cherat_military_names_are_curated(geocoder):
    loc = geocoder.geocode("Special Services Group training centre Cherat")
    assert (loc.source, loc.country) == ("curated", "PAK")
    assert loc.lat == pytest.approx(33.82, abs=0.01) and loc.lon == pytest.approx(71.89, abs=0.01)


def test_friendship_2016_sites(geocoder, data_dir):
    """The places the founding article names resolve in Pakistan, and the region India objected to."""
    article = data_dir.parent / "fixtures" / "friendship-2016-article.txt"
    if not article.is_file():
        pytest.skip(f"{article} is not there")
    text = article.read_text(encoding="utf-8")
    for name in ["Army High Altitude School", "Rattu", "Cherat", "Gilgit-Baltistan"]:
        assert name in text
    assert geocoder.geocode("Army High Altitude School") == geocoder.geocode("Rattu")
    assert geocoder.geocode("Cherat").country == "PAK"
    assert geocoder.geocode("Gilgit-Baltistan").kind == "disputed region"


# --- GeoNames ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query, iso3", [("Srinagar", "IND"), ("Tiraspol", "MDA"), ("Madrid", "ESP")])
def test_cities_and_their_iso3_country(geocoder, query, iso3):
    loc = geocoder.geocode(query)
    assert (loc.source, loc.country, loc.score, loc.ambiguous) == ("geonames", iso3, 100, False)


def test_simferopol_coordinates(geocoder):
    loc = geocoder.geocode("Simferopol")  # GeoNames files Crimea under UA; the claims model decides the rest
    assert loc.lat == pytest.approx(44.957, abs=0.01) and loc.lon == pytest.approx(34.111, abs=0.01)


@pytest.mark.parametrize("hint", ["CO", "COL", "Colombia", "colombia"])
def test_madrid_with_country_hint_is_in_colombia(geocoder, hint):
    loc = geocoder.geocode("Madrid", country=hint)
    assert loc.country == "COL" and loc.reference == "geonames:3675707"
    assert geocoder.geocode("Madrid, Colombia") == loc


def test_madrid_alone_is_spain_by_dominance(geocoder):
    loc = geocoder.geocode("Madrid")
    assert (loc.kind, loc.ambiguous, loc.alternatives) == ("PPLC", False, ())
    assert loc.radius_km > 10  # a city of three million is not a point
    ranked = GeoNames().candidates("Madrid", limit=3)
    assert len(ranked) == 3 and ranked[0] == loc


def test_springfield_is_ambiguous(geocoder):
    with pytest.raises(AmbiguousPlace) as error:
        geocoder.geocode("Springfield")
    assert len(error.value.candidates) >= 3
    assert all(LABEL.match(c) and "Springfield, United States" in c for c in error.value.candidates)


def test_springfield_first_is_flagged(geocoder):
    loc = geocoder.geocode("Springfield", first=True)
    assert loc.ambiguous and loc.country == "USA" and len(loc.alternatives) >= 2
    assert all(LABEL.match(a) for a in loc.alternatives)
    assert loc.label not in loc.alternatives


def test_hyderabad_india_dominates_by_size_and_rank(geocoder):
    """6.8 million and a state capital against 1.4 million and a district seat: more than tenfold by
    importance (log10 population plus administrative rank); Pakistan's is one hint away."""
    best = geocoder.geocode("Hyderabad")
    assert (best.country, best.ambiguous, best.score, best.feature_code) == ("IND", False, 100, "PPLA")
    assert best.population > 6_000_000 and best.importance > 7.5
    assert geocoder.geocode("Hyderabad", country="PK").country == "PAK"
    ranked = GeoNames().candidates("Hyderabad", limit=2)
    assert [c.country for c in ranked] == ["IND", "PAK"] and ranked[0].importance - ranked[1].importance > 1


@pytest.mark.parametrize("spelling", ["Sao Paulo", "São Paulo", "SÃO PAULO", "sao-paulo"])
def test_diacritics_case_and_punctuation_do_not_matter(geocoder, spelling):
    assert geocoder.geocode(spelling).reference == "geonames:3448439"


def test_near_miss_is_a_fuzzy_match(geocoder):
    loc = geocoder.geocode("Srinagr")
    assert loc.name == "Srinagar" and loc.country == "IND"
    assert 85 <= loc.score < 100


def test_airport_codes_are_not_names():
    """GeoNames lists Le Havre's airport code LEH among its alternate names; Leh is Leh."""
    assert [loc.name for loc in GeoNames().candidates("Leh")] == ["Leh"]


@pytest.mark.parametrize("old, new", [("Bombay", "Mumbai"), ("Peking", "Beijing"), ("Delhi", "Delhi")])
def test_former_names_find_the_city_by_dominance(geocoder, old, new):
    """Bombay, New Zealand (740 people) has the name itself, Mumbai has it as an alternate name; Dili
    (150,000) has "Delhi" as an alternate name, Delhi (11 million) as its own."""
    loc = geocoder.geocode(old)
    assert loc.name == new and not loc.ambiguous and loc.score == 100


def test_madras_oregon_is_a_real_rival(geocoder):
    """An alternate name counts a thousandfold less than an own name: Chennai (4.6 million) still comes
    first, but Madras, Oregon (6,700 people, its own name) is named as the alternative."""
    with pytest.raises(AmbiguousPlace) as error:
        geocoder.geocode("Madras")
    first, second = error.value.candidates[:2]
    assert first.startswith("Chennai, India") and second.startswith("Madras, United States")
    loc = geocoder.geocode("Madras", first=True)
    assert loc.name == "Chennai" and loc.ambiguous and loc.score < 100


def test_unknown_name_suggests_close_ones(geocoder):
    """Two edits from Madrid is too far to guess for an eight-letter name, but close enough to suggest."""
    with pytest.raises(UnknownPlace) as error:
        geocoder.geocode("Madridxx")
    assert error.value.suggestions[0] == "Madrid, Spain" and "closest:" in str(error.value)
    assert all(fold(s) != "madridxx" for s in error.value.suggestions)


def test_unknown_name_never_suggests_itself(geocoder):
    """A name known elsewhere but not in the hinted country names the places it does denote."""
    with pytest.raises(UnknownPlace) as error:
        geocoder.geocode("Madrid", country="JP")
    assert "in Japan" in str(error.value)
    assert error.value.suggestions[0].startswith("Madrid, Spain (")
    assert all(LABEL.match(s) for s in error.value.suggestions)


def test_country_hint_keeps_claimants_and_filters_out_everything_else(geocoder):
    """Rattu lies in Gilgit-Baltistan, administered by Pakistan and claimed by India."""
    assert geocoder.geocode("Rattu", country="IN").source == "curated"
    assert geocoder.geocode("Rattu", country="PK").source == "curated"
    with pytest.raises(UnknownPlace):
        geocoder.geocode("Rattu", country="CN")


def test_country_dump_adds_places_and_repeats_are_merged(tmp_path, monkeypatch):
    """A country dump's zip holds the table and a readme; places already in cities500 stay one place.

    The data folder is a small one: two real cities500 rows, and a dump of one of them plus a synthetic site.
    """
    shared = data.data_dir().resolve() / "geonames"
    rows = {line.split("\t", 1)[0]: line for line in (shared / "cities500.txt").open(encoding="utf-8")}
    cherat, madrid = rows["1181327"], rows["3117735"]
    synthetic = "\t".join([
        "99999999", "Synthetic Test Post", "Synthetic Test Post", "", "35.2", "74.9", "S", "MILB", "PK", "",
        "07", "", "", "", "0", "", "2600", "Asia/Karachi", "2024-01-01",
    ]) + "\n"
    folder = tmp_path / "geonames"
    folder.mkdir()
    (tmp_path / "naturalearth").symlink_to(shared.parent / "naturalearth")
    (folder / "countryInfo.txt").symlink_to(shared / "countryInfo.txt")
    (folder / "cities500.txt").write_text(cherat + madrid, encoding="utf-8")
    with zipfile.ZipFile(folder / "PK.zip", "w") as archive:
        archive.writestr("readme.txt", "not a table\n")
        archive.writestr("PK.txt", cherat + synthetic)
    monkeypatch.setenv(data.ENV_CACHE_DIR, str(tmp_path / "cache"))
    data.set_data_dir(tmp_path)
    data.set_accept_unknown(True)  # a made-up folder matches no pinned version
    try:
        geonames = GeoNames(country_dumps=["pk"])
        post = geonames.geocode("Synthetic Test Post")
        assert (post.kind, post.country, post.radius_km) == ("MILB", "PAK", 2)
        assert [loc.reference for loc in geonames.candidates("Cherat")] == ["geonames:1181327"]
        assert geonames.geocode("Madrid").country == "ESP"
        with pytest.raises(UnknownPlace):
            GeoNames().geocode("Synthetic Test Post")
    finally:
        data.set_data_dir(None)
        data.set_accept_unknown(None)


# --- disputed regions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("query, region", [
    ("Gilgit-Baltistan", "Gilgit-Baltistan"), ("Northern Areas", "Gilgit-Baltistan"),
    ("Azad Kashmir", "Azad Kashmir"), ("Aksai Chin", "Aksai Chin"), ("Crimea", "Crimea"),
    ("South Tibet", "Arunachal Pradesh"), ("Senkaku Is.", "Pinnacle Is."),
    ("Diaoyu Islands", "Pinnacle Is."), ("Islas Malvinas", "Falkland Is."),
    ("Falkland Islands", "Falkland Is."), ("Vukovar Island", "Vukovar Island"),
])
def test_disputed_regions_by_name(geocoder, query, region):
    loc = geocoder.geocode(query)
    assert (loc.name, loc.source, loc.country, loc.radius_km, loc.kind, loc.score) == (
        region, "natural-earth", None, 0, "disputed region", 100)
    assert loc.reference.startswith("naturalearth:ne_10m_admin_0_disputed_areas:B")


def test_region_point_lies_inside_the_region():
    layer = gpd.read_file(data.fetch("disputed_areas"))
    for query, code in [("Gilgit-Baltistan", "B08"), ("Crimea", "B89")]:
        loc = Regions().geocode(query)
        assert loc.reference.endswith(f":{code}")
        polygon = layer.loc[layer["BRK_A3"] == code, "geometry"].iat[0]
        assert polygon.contains(gpd.points_from_xy([loc.lon], [loc.lat])[0])


def test_region_split_by_administrator_is_one_region():
    loc = Regions().geocode("Western Sahara")
    assert loc.name == "W. Sahara" and loc.reference.endswith(":B19,B28")


def test_region_ignores_country_hint():
    assert Regions().geocode("Crimea", country="UA").name == "Crimea"


# --- curated table -------------------------------------------------------------------------------------


def test_curated_table_is_complete_and_cited():
    with resources.files("geo").joinpath("sites.csv").open(encoding="utf-8") as f:
        sites = pd.read_csv(f, keep_default_na=False)
    assert sites.columns.tolist() == [
        "name", "aliases", "lat", "lon", "country", "kind", "radius_km", "source", "note",
    ]
    assert sites["name"].is_unique
    assert sites["lat"].between(-90, 90).all() and sites["lon"].between(-180, 180).all()
    assert (sites["radius_km"] > 0).all() and sites["source"].str.startswith("https://").all()
    assert sites["country"].map(country_code).eq(sites["country"]).all()
    curated = Curated()
    for row in sites.itertuples():
        for name in [row.name, *row.aliases.split(";")]:
            assert curated.geocode(name).name == row.name


# --- names and country hints ---------------------------------------------------------------------------


@pytest.mark.parametrize("name, key", [
    ("Gilgit-Baltistan", "gilgit baltistan"), ("  São   Paulo ", "sao paulo"), ("Łódź", "lodz"),
    ("Straße", "strasse"), ("\ufeffVukovar Island", "vukovar island"), ("Hyderābād", "hyderabad"),
    ("Senkaku Is.", "senkaku is"), ("Ærøskøbing", "aeroskobing"),
])
def test_fold(name, key):
    assert fold(name) == key
    assert fold_all(pd.Series([name])).iat[0] == key


@pytest.mark.parametrize("hint", ["CO", "co", "COL", "Colombia"])
def test_country_code(hint):
    assert country_code(hint) == "COL"


def test_unknown_country_hint_is_an_input_error(geocoder):
    with pytest.raises(InputError, match="unknown country 'Narnia'"):
        geocoder.geocode("Madrid", country="Narnia")


def test_parse_query():
    assert parse_query("Cherat, Pakistan") == ("Cherat", "PAK")
    assert parse_query("Madrid, COL") == ("Madrid", "COL")
    assert parse_query("Springfield, IL") == ("Springfield, IL", None)  # a US state, not Israel
    assert parse_query("Army High Altitude School, Rattu") == ("Army High Altitude School, Rattu", None)
    assert parse_query("Cherat, Pakistan", "IN") == ("Cherat", "PAK")  # the name's own country wins
    assert parse_query("Smara, Western Sahara") == ("Smara", "ESH")


# --- Nominatim, behind a fake geopy geocoder -----------------------------------------------------------

TARISHING = {
    "place_id": 1, "osm_type": "node", "osm_id": 123456, "lat": "35.0917", "lon": "74.6486",
    "display_name": "Tarishing, Astore District, Gilgit-Baltistan, Pakistan",
    "class": "place", "type": "village",
    "importance": 0.3, "boundingbox": ["35.0717", "35.1117", "74.6286", "74.6686"],
    "address": {"village": "Tarishing", "country": "Pakistan", "country_code": "pk"},
}


class FakeNominatim:
    """Stands in for geopy's Nominatim: records each request and answers from a table."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def geocode(self, query, **kwargs):
        self.calls.append((query, kwargs, time.monotonic()))
        raws = self.answers.get(query, [])
        places = [GeopyLocation(r["display_name"], (float(r["lat"]), float(r["lon"])), r) for r in raws]
        return places or None


class DownNominatim:
    calls = 0

    def geocode(self, query, **kwargs):
        self.calls += 1
        raise GeocoderUnavailable("Service not available\n(503)")


def online(service, cache_path):
    return Chain([Curated(), Regions(), GeoNames(), Nominatim(geocoder=service, cache_path=cache_path)])


def test_nominatim_answer_and_disk_cache(tmp_path):
    cache = tmp_path / "nominatim.json"
    fake = FakeNominatim({"Tarishing": [TARISHING]})
    loc = Nominatim(geocoder=fake, cache_path=cache).geocode("Tarishing", country="PK")
    assert (loc.name, loc.source, loc.country, loc.score, loc.kind, loc.reference) == (
        "Tarishing", "nominatim", "PAK", 100, "place:village", "osm:node/123456")
    assert (loc.lat, loc.lon) == (35.0917, 74.6486) and 2 < loc.radius_km < 4
    (query, kwargs, _), = fake.calls
    assert query == "Tarishing" and kwargs["exactly_one"] is False and kwargs["country_codes"] == "PK"
    assert list(json.loads(cache.read_text())) == ["tarishing|PK"]
    down = DownNominatim()
    assert Nominatim(geocoder=down, cache_path=cache).geocode("TARISHING", country="PAK") == loc
    assert down.calls == 0


def test_nominatim_caches_empty_answers(tmp_path):
    fake = FakeNominatim({})
    nominatim = Nominatim(geocoder=fake, cache_path=tmp_path / "nominatim.json")
    for _ in range(2):
        with pytest.raises(UnknownPlace):
            nominatim.geocode("Nowhere In Particular")
    assert len(fake.calls) == 1


def test_nominatim_default_cache_is_in_the_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_CACHE_DIR, str(tmp_path))
    Nominatim(geocoder=FakeNominatim({"Tarishing": [TARISHING]})).geocode("Tarishing")
    assert (tmp_path / "nominatim.json").is_file()


def test_nominatim_at_most_one_request_a_second(tmp_path):
    fake = FakeNominatim({"Tarishing": [TARISHING]})
    nominatim = Nominatim(geocoder=fake, cache_path=tmp_path / "nominatim.json")
    nominatim.candidates("Tarishing")
    nominatim.candidates("Somewhere Else")
    (_, _, first), (_, _, second) = fake.calls
    assert second - first >= 0.99


def test_chain_asks_nominatim_only_for_what_offline_sources_lack(tmp_path):
    fake = FakeNominatim({"Tarishing": [TARISHING]})
    chain = online(fake, tmp_path / "nominatim.json")
    assert chain.geocode("Madrid").source == "geonames"
    assert chain.geocode("Rattu").source == "curated"
    assert fake.calls == []
    assert chain.geocode("Tarishing").source == "nominatim"


def test_nominatim_failure_warns_and_falls_back(tmp_path):
    cache = tmp_path / "nominatim.json"
    chain = online(DownNominatim(), cache)
    with pytest.warns(UserWarning, match=r"Nominatim failed for 'Srinagr' \(Service not available \(503\)\)"):
        loc = chain.geocode("Srinagr")
    assert (loc.source, loc.name) == ("geonames", "Srinagar")
    with pytest.warns(UserWarning), pytest.raises(UnknownPlace) as error:
        chain.geocode("Madridxx")
    assert error.value.suggestions
    assert not cache.exists()  # a failure is not an answer


def test_default_geocoder_is_offline_unless_asked(tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_CACHE_DIR, str(tmp_path))
    assert not any(isinstance(s, Nominatim) for s in default_geocoder().sources)
    assert isinstance(default_geocoder(online=True).sources[-1], Nominatim)
    assert re.match(r"^claimmap/\d+\.\d+\.\d+ \(", USER_AGENT)


def test_location_is_frozen_with_defaults():
    loc = Location("X", 1.0, 2.0, None, "curated", 100.0, 1.0, "military site", "https://example.org")
    assert (loc.ambiguous, loc.alternatives, loc.label) == (False, (), "X (1.00, 2.00)")
    with pytest.raises(AttributeError):
        loc.name = "Y"
