"""The claims model on Natural Earth 5.1.1's 99 disputed areas, and the note parser under it."""

import re

import geopandas as gpd
import pytest

from geo import claims as claims_module
from geo.claims import load_claims
from geo.codes import VIEWERS, country_name
from geo.data import fetch
from geo.errors import DataError
from geo.notes import Note, parse_note


# One case per shape of NOTE_BRK in the data, each with a note quoted from it.
NOTE_SHAPES = {
    "no note": (None, Note()),
    "admin, claimed": ("Admin. by India; Claimed by Pakistan", Note("IND", ("PAK",))),
    "Admin. By": ("Admin. By Israel; Claimed by Syria", Note("ISR", ("SYR",))),
    "Admin by": ("Admin by Gabon; Claimed by Equatorial Guinea", Note("GAB", ("GNQ",))),
    "U.K.": ("Admin. By U.K.; Claimed by Spain", Note("GBR", ("ESP",))),
    "admin for sovereign": (
        "Admin. by American Samoa for U.S.A.; Claimed by Tokelau", Note("USA", ("TKL",)),
    ),
    "admin for sovereign 2": (
        "Admin. by New Caledonia for France; Claimed by Vanuatu", Note("FRA", ("VUT",)),
    ),
    "A and B": ("Admin. by China; Claimed by Vietnam and Taiwan", Note("CHN", ("VNM", "TWN"))),
    "list, serial comma": (
        "Admin by U.K.; Claimed by Ireland, Denmark, and Iceland",
        Note("GBR", ("IRL", "DNK", "ISL")),
    ),
    "the Seychelles": (
        "Admin. by France; Claimed by Mauritius and the Seychelles", Note("FRA", ("MUS", "SYC")),
    ),
    "UAE": ("Admin. by Iran; Claimed by UAE", Note("IRN", ("ARE",))),
    "Palestine": ("Admin. By Israel; Claimed by Palestine", Note("ISR", ("PSE",))),
    "Western Sahara": ("Admin. by Morocco; Claimed by Western Sahara", Note("MAR", ("ESH",))),
    "claimed by multiple": ("Admin. by Venezuela; Claimed by multiple", Note("VEN")),
    "ceded": (
        "Admin. by China; Ceded to China by Pakistan; Claimed by India",
        Note("CHN", ("CHN", "IND")),
    ),
    "self admin": ("Self admin.; Claimed by Somalia", Note(None, ("SOM",), True)),
    "Azer.": ("Self admin.; Claimed by Azer.", Note(None, ("AZE",), True)),
    "claimed only": ("Claimed by Pakistan and India", Note(None, ("PAK", "IND"))),
    "five claimants": (
        "Claimed by China, Taiwan, Malaysia, the Philippines, and Brunei",
        Note(None, ("CHN", "TWN", "MYS", "PHL", "BRN")),
    ),
    "list, no serial comma": (
        "Claimed by Colombia, Jamaica, Nicaragua and the United States",
        Note(None, ("COL", "JAM", "NIC", "USA")),
    ),
    "under survey": ("Claimed by Chile and Argentina; under survey", Note(None, ("CHL", "ARG"))),
    "lease, claimed": ("Leased to U.S.A. by Cuba; Claimed by Cuba", Note("USA", ("CUB",))),
    "lease": ("Leased to Russia by Kazakhstan", Note("RUS", ("KAZ",))),
    "U.S.A without dot": (
        "Leased to U.S.A by U.K.; Claimed by Mauritius and Seychelles",
        Note("USA", ("GBR", "MUS", "SYC")),
    ),
    "UN zone": ("UN Patrolled Zone in Syria", Note(None, ("SYR",))),
    "patrolled buffer": (
        "Since 1953 a 2 km buffer south of the military demarcation line, patrolled by South Korea",
        Note("KOR"),
    ),
    "patrolled, including islands": (
        "Since 1953 islands south of maritime Northern Limit Line, patrolled by South Korea "
        "including Yeonpyeong, Baengnyeong, and Daecheong Is.",
        Note("KOR"),
    ),
    "between (terra nullius)": ("Between Egypt and Sudan", Note()),
}


@pytest.mark.parametrize("text, expected", NOTE_SHAPES.values(), ids=NOTE_SHAPES.keys())
def test_note_shapes(text, expected):
    assert parse_note(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("Admin. by India; Claimed by Atlantis", "unknown country name 'Atlantis'"),
        ("Claimed by China, Narnia, and Taiwan", "unknown country name 'Narnia'"),
        ("Between Egypt and Utopia", "unknown country name 'Utopia'"),
        ("Governed by India", "does not know the form 'Governed by India'"),
    ],
)
def test_unknown_names_and_forms_raise(text, message):
    with pytest.raises(DataError, match=re.escape(message)):
        parse_note(text)


def test_every_note_in_the_data_parses_and_every_name_resolves():
    notes = gpd.read_file(fetch("disputed_areas"), ignore_geometry=True)["NOTE_BRK"].dropna()
    assert len(notes) == 85
    for text in notes:
        parse_note(text)  # raises DataError on an unknown name or form


@pytest.fixture(scope="module")
def claims():
    return load_claims()


def _region(claims, name, admin=None):
    rows = claims[claims["region"] == name]
    if admin is not None:
        rows = rows[rows["administered_by"] == admin]
    assert len(rows) == 1, name
    return rows.iloc[0]


def test_columns_and_order(claims):
    assert list(claims.columns) == [
        "region", "region_alt", "group", "kind", "note",
        "administered_by", "claimed_by", "worldviews", "sources", "geometry",
    ]
    assert list(claims.index) == list(range(99))
    assert claims.crs.to_epsg() == 4326
    assert claims.loc[0, "region"] == "Jammu and Kashmir"
    assert claims.loc[24, "region"] == "Gilgit-Baltistan"
    assert claims.loc[24, "region_alt"] == "Northern Areas"
    assert claims.loc[2, "note"] is None and claims.loc[2, "group"] is None


def test_byte_order_marks_are_stripped(claims):
    # NE writes U+FEFF before these two names.
    assert {"Vukovar Island", "Šarengrad Island"} <= set(claims["region"])
    assert not claims["region"].str.contains("\ufeff").any()


@pytest.mark.parametrize(
    "region, administered_by, claimed_by",
    [
        ("Gilgit-Baltistan", "PAK", ["IND", "PAK"]),
        ("Azad Kashmir", "PAK", ["IND", "PAK"]),
        ("Jammu and Kashmir", "IND", ["IND", "PAK"]),
        ("Aksai Chin", "CHN", ["CHN", "IND"]),
        ("Shaksam Valley", "CHN", ["CHN", "IND"]),  # Pakistan ceded its claim
        ("Arunachal Pradesh", "IND", ["CHN", "IND", "TWN"]),
        ("Siachen Glacier", "Siachen Glacier", ["IND", "PAK"]),
        ("Crimea", "RUS", ["RUS", "UKR"]),
        ("Transnistria", "Transnistria", ["MDA"]),
        ("Abkhazia", "Abkhazia", ["GEO"]),
        ("Artsakh", "Artsakh", ["AZE"]),  # "Claimed by Azer."
        ("Somaliland", "Somaliland", ["SOM"]),
        ("N. Cyprus", "Northern Cyprus", ["CYP"]),
        ("Taiwan", "TWN", ["CHN", "TWN"]),
        ("Kuril Is.", "RUS", ["JPN", "RUS"]),
        ("Paracel Is.", "CHN", ["CHN", "TWN", "VNM"]),
        ("Spratly Is.", "Spratly Islands", ["BRN", "CHN", "MYS", "PHL", "TWN", "VNM"]),
        ("Golan Heights", "ISR", ["ISR", "SYR"]),  # "Admin. By"
        ("Rockall I.", "GBR", ["DNK", "GBR", "IRL", "ISL"]),  # "Admin by"
        ("Gibraltar", "GBR", ["ESP", "GBR"]),  # GIB counts as its sovereign
        ("Falkland Is.", "GBR", ["ARG", "GBR"]),
        ("Juan De Nova I.", "FRA", ["FRA", "MDG"]),  # ATF
        ("Wake Atoll", "USA", ["MHL", "USA"]),  # UMI
        ("Hans Island", "DNK", ["CAN", "DNK"]),  # GRL; worldviews spell Denmark DEN
        ("Matthew and Hunter Is.", "FRA", ["FRA", "VUT"]),  # NCL
        ("Swains Island", "USA", ["TKL", "USA"]),  # Tokelau's own claim, not New Zealand's
        ("Guantanamo Bay USNB", "USA", ["CUB"]),  # the lessee runs it but does not claim it
        ("Baykonur", "RUS", ["KAZ"]),
        ("Diego Garcia NSF", "USA", ["GBR", "MUS", "SYC"]),
        ("Bird Island", "VEN", ["VEN"]),  # "Claimed by multiple" names no one
        ("Brazilian Island", "BRA", ["BRA", "URY"]),  # 1:10m countries give NE's BRI the ISO code BRA
        ("Southern Patagonian Ice Field", "Southern Patagonian Ice Field", ["ARG", "CHL"]),
        # no NOTE_BRK: claimants come from the worldviews (and the unit NE files them under)
        ("Israel", "ISR", ["ISR", "PSE"]),
        ("Gaza", "PSE", ["PSE"]),
        ("West Bank", "PSE", ["PSE"]),
        ("Kosovo", "XKX", ["SRB", "XKX"]),
        ("Ceuta", "ESP", ["ESP", "MAR"]),
        ("Melilla", "ESP", ["ESP", "MAR"]),
        ("Dragonja River", "HRV", ["HRV"]),
        ("Ilemi Triange", "SSD", ["KEN", "SSD"]),  # sic, NE's spelling
        ("Vukovar Island", "SRB", ["HRV", "SRB"]),  # ADMIN Croatia, ADM0_A3 Serbia
        ("Cyprus U.N. Buffer Zone", "Cyprus No Mans Area", ["CYP"]),
        # Overlay rows: zones patrolled within one state
        ("UNDOF Zone", "SYR", ["SYR"]),
        ("Korean Demilitarized Zone (south)", "KOR", ["KOR"]),
        ("Korean Demilitarized Zone (north)", "PRK", ["PRK"]),
        ("Korean islands under UN jurisdiction", "KOR", ["KOR"]),
    ],
)
def test_regions(claims, region, administered_by, claimed_by):
    row = _region(claims, region)
    assert (row["administered_by"], row["claimed_by"]) == (administered_by, claimed_by)


@pytest.mark.parametrize(
    "region, viewer, owner",
    [
        ("Aksai Chin", "TWN", "TWN"),  # Taiwan's map shows all of China as the ROC
        ("Shaksam Valley", "TWN", "TWN"),
    ],
)
def test_a_claim_on_the_whole_state_is_not_a_claim_on_the_region(claims, region, viewer, owner):
    row = _region(claims, region)
    assert row["worldviews"][viewer] == owner  # the viewer's map is kept as it is
    assert owner not in row["claimed_by"]


def test_a_region_that_is_most_of_its_state_keeps_whole_state_claims(claims):
    assert "SRB" in _region(claims, "Kosovo")["claimed_by"]
    assert {"ADM0_A3_CN", "NOTE_BRK"} <= set(_region(claims, "Taiwan")["sources"]["CHN"])


def test_western_sahara_appears_twice_with_opposite_notes(claims):
    moroccan = _region(claims, "W. Sahara", "MAR")
    sahrawi = _region(claims, "W. Sahara", "ESH")
    assert moroccan["note"] == "Admin. by Morocco; Claimed by Western Sahara"
    assert sahrawi["note"] == "Self admin.; Claimed by Morocco"
    assert moroccan["claimed_by"] == sahrawi["claimed_by"] == ["ESH", "MAR"]


def test_gilgit_baltistan_worldviews(claims):
    views = _region(claims, "Gilgit-Baltistan")["worldviews"]
    assert (views["IND"], views["PAK"], views["CHN"]) == ("IND", "PAK", "PAK")


def test_worldviews_leave_out_maps_that_name_no_country(claims):
    # Most viewers show the Spratlys as NE's placeholder PGA; only three assign them.
    spratlys = _region(claims, "Spratly Is.")["worldviews"]
    assert spratlys == {"CHN": "CHN", "TWN": "TWN", "VNM": "VNM"}
    assert "RUS" not in _region(claims, "Abkhazia")["worldviews"]  # B35


def test_sources_say_where_each_claimant_came_from(claims):
    sources = _region(claims, "Gilgit-Baltistan")["sources"]
    assert sources["IND"] == ["ADM0_A3_IN", "ADM0_A3_NP", "ADM0_A3_RU", "NOTE_BRK"]
    assert {"ADM0_A3", "ADM0_A3_PK", "ADM0_A3_CN"} <= set(sources["PAK"])
    assert _region(claims, "Spratly Is.")["sources"]["VNM"] == ["ADM0_A3_VN"]
    assert _region(claims, "Vukovar Island")["sources"]["HRV"] == ["ADMIN"]


def test_claimants_and_sources_agree(claims):
    for row in claims.itertuples():
        assert row.claimed_by == sorted(row.sources), row.region
        assert all(origins == sorted(origins) and origins for origins in row.sources.values())


def test_every_claimant_and_owner_is_a_known_iso3(claims):
    codes = {c for cs in claims["claimed_by"] for c in cs}
    codes |= {code for views in claims["worldviews"] for code in [*views, *views.values()]}
    for code in codes:
        assert re.fullmatch(r"[A-Z]{3}", code) and country_name(code) != code, code


def test_administrator_is_iso3_or_an_entity_name(claims):
    for admin in claims["administered_by"]:
        is_iso3 = country_name(admin) != admin
        assert is_iso3 or not re.fullmatch(r"[A-Z0-9]{3}", admin), admin


def test_every_region_has_a_claimant_but_two(claims):
    # Bir Tawil: Egypt and Sudan both disclaim it. Scarborough Reef: NE names no party.
    empty = set(claims.loc[claims["claimed_by"].str.len() == 0, "region"])
    assert empty == {"Bir Tawil", "Scarborough Reef"}


def test_viewers_are_the_31_countries(claims):
    assert set(_region(claims, "Crimea")["worldviews"]) == set(VIEWERS.values())


def test_loading_is_cached_and_copied():
    claims_module._load.cache_clear()
    load_claims()
    assert claims_module._load.cache_info().misses == 1
    load_claims()
    assert claims_module._load.cache_info().hits >= 1
    frame = load_claims()
    frame.loc[0, "region"] = "changed"
    assert load_claims().loc[0, "region"] == "Jammu and Kashmir"
