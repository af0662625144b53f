"""Natural Earth codes -> ISO3, country names, and the countries layer built on them."""

import geopandas as gpd
import pytest

from geo.codes import VIEWERS, country_name, iso3_from_name, owner_iso3, to_iso3
from geo.countries import load_countries
from geo.data import fetch


def test_viewers_are_the_31_worldview_columns_of_the_data():
    columns = gpd.read_file(fetch("disputed_areas"), ignore_geometry=True, rows=1).columns
    suffixes = {c.removeprefix("ADM0_A3_") for c in columns if c.startswith("ADM0_A3_")}
    assert set(VIEWERS) == suffixes - {"UN", "WB"}
    assert len(set(VIEWERS.values())) == 31
    assert all(country_name(iso3) != iso3 for iso3 in VIEWERS.values())
    assert [VIEWERS[s] for s in ("KO", "PS", "TW", "IN")] == ["KOR", "PSE", "TWN", "IND"]


@pytest.mark.parametrize(
    "ne, iso3",
    [
        ("SAH", "ESH"), ("SDS", "SSD"), ("PSX", "PSE"),
        ("KOS", "XKX"),  # no ISO code; XKX as the EU, IMF and GeoNames use
        ("CH1", "CHN"), ("GB1", "GBR"), ("FR1", "FRA"), ("US1", "USA"), ("IS1", "ISR"),
        ("DN1", "DNK"), ("CU1", "CUB"), ("AU1", "AUS"), ("FI1", "FIN"), ("NL1", "NLD"),
        ("NZ1", "NZL"), ("KA1", "KAZ"),
        ("FRA", "FRA"), ("NOR", "NOR"),  # ISO_A3 is -99 in the countries layer, ISO_A3_EH is not
        ("GRL", "GRL"), ("PRI", "PRI"), ("IND", "IND"),
        ("GIB", "GIB"), ("UMI", "UMI"),  # too small for the 1:50m layer
        ("DEN", "DNK"),  # Hans Island's worldview columns misspell Denmark
    ],
)
def test_ne_codes_map_to_iso3(ne, iso3):
    assert to_iso3(ne) == iso3


@pytest.mark.parametrize(
    "ne",
    ["B16", "B28", "B35", "B37", "C02", "C03", "UUU", "KOD", "PFA", "PGA", "SOL", "CYN", "KAS",
     "BRT", "BJN", "SER", "SCR", "SPI", "CNM", "USG", "-99"],
)
def test_placeholders_and_entities_have_no_iso3(ne):
    assert to_iso3(ne) is None


@pytest.mark.parametrize(
    "ne, sovereign",
    [
        ("GIB", "GBR"), ("FLK", "GBR"), ("IOT", "GBR"), ("SGS", "GBR"), ("ATF", "FRA"),
        ("NCL", "FRA"), ("UMI", "USA"), ("ASM", "USA"), ("GRL", "DNK"), ("HKG", "CHN"),
        ("CH1", "CHN"), ("DEN", "DNK"),
        # units that hold themselves although NE files them under another sovereign
        ("PSX", "PSE"), ("SAH", "ESH"), ("KOS", "XKX"), ("TWN", "TWN"),
        # leases count for the lessor, whose sovereignty they are under
        ("USG", "CUB"), ("KAB", "KAZ"),
    ],
)
def test_owner_is_the_sovereign_state(ne, sovereign):
    assert owner_iso3(ne) == sovereign


@pytest.mark.parametrize("ne", ["SOL", "CYN", "KAS", "B35", "C02", "PGA", "PFA", "KOD", "UUU"])
def test_owner_of_placeholders_and_entities_is_none(ne):
    assert owner_iso3(ne) is None


@pytest.mark.parametrize(
    "code, name",
    [("IND", "India"), ("XKX", "Kosovo"), ("PSE", "Palestine"), ("TWN", "Taiwan"),
     ("NLD", "Netherlands"), ("ESH", "Western Sahara"), ("Somaliland", "Somaliland")],
)
def test_country_name(code, name):
    assert country_name(code) == name


@pytest.mark.parametrize(
    "name, iso3",
    [
        ("U.K.", "GBR"), ("U.S.A.", "USA"), ("U.S.A", "USA"), ("Azer.", "AZE"), ("UAE", "ARE"),
        ("the Philippines", "PHL"), ("the Seychelles", "SYC"), ("Seychelles", "SYC"),
        ("the United States", "USA"), ("Taiwan", "TWN"), ("Palestine", "PSE"),
        ("Western Sahara", "ESH"), ("Somalia", "SOM"), ("South Korea", "KOR"),
        ("Tokelau", "TKL"), ("Kosovo", "XKX"),
    ],
)
def test_names_in_notes(name, iso3):
    assert iso3_from_name(name) == iso3


def test_unknown_name_is_none():
    assert iso3_from_name("Atlantis") is None


@pytest.fixture(scope="module")
def countries():
    return load_countries()


def _unit(countries, iso3):
    """A state's own unit: the first with its code (1:10m adds Clipperton under FRA)."""
    rows = countries[countries["iso3"] == iso3]
    assert len(rows) >= 1, iso3
    return rows.iloc[0]


def test_countries_columns(countries):
    assert list(countries.columns) == ["iso3", "name", "sovereign", "worldviews", "geometry"]
    assert countries.crs.to_epsg() == 4326
    assert len(countries) == 258


@pytest.mark.parametrize(
    "iso3, sovereign, name",
    [
        ("GRL", "DNK", "Greenland"), ("PRI", "USA", "Puerto Rico"), ("FRA", "FRA", "France"),
        ("NOR", "NOR", "Norway"), ("XKX", "XKX", "Kosovo"), ("PSE", "PSE", "Palestine"),
        ("ESH", "ESH", "Western Sahara"), ("SSD", "SSD", "South Sudan"),
        ("Somaliland", "Somaliland", "Somaliland"),  # ISO_A3 -99
        ("Northern Cyprus", "Northern Cyprus", "Northern Cyprus"),
        ("Siachen Glacier", "Siachen Glacier", "Siachen Glacier"),
    ],
)
def test_units_keep_their_own_code(countries, iso3, sovereign, name):
    unit = _unit(countries, iso3)
    assert (unit["sovereign"], unit["name"]) == (sovereign, name)


def test_every_iso3_is_known_or_an_entity_name(countries):
    entities = {
        "Somaliland", "Northern Cyprus", "Siachen Glacier",
        # units of the 1:10m layer only
        "Akrotiri Sovereign Base Area", "Dhekelia Sovereign Base Area", "Cyprus No Mans Area",
        "Bajo Nuevo Bank (Petrel Is.)", "Serranilla Bank", "Scarborough Reef", "Spratly Islands",
        "Bir Tawil", "Southern Patagonian Ice Field", "US Naval Base Guantanamo Bay",
    }
    unknown = {c for c in countries["iso3"] if country_name(c) == c}
    assert unknown == entities


def test_unit_worldviews(countries):
    assert _unit(countries, "TWN")["worldviews"]["CHN"] == "CHN"
    assert _unit(countries, "FLK")["worldviews"]["ARG"] == "ARG"
    assert _unit(countries, "FLK")["worldviews"]["GBR"] == "GBR"
    assert _unit(countries, "XKX")["worldviews"]["RUS"] == "SRB"
    # Turkey's map shows N. Cyprus as its own unit, which names no ISO country: left out.
    assert "TUR" not in _unit(countries, "Northern Cyprus")["worldviews"]


def test_barbados_erratum(countries):
    # NE 5.1.1 gives Barbados to Uruguay in Argentina's worldview; corrected in code.
    assert _unit(countries, "BRB")["worldviews"]["ARG"] == "BRB"


def test_load_countries_returns_a_copy():
    frame = load_countries()
    frame.loc[0, "iso3"] = "changed"
    assert load_countries().loc[0, "iso3"] != "changed"
