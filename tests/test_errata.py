"""Claims on a date: the dated errata over Natural Earth 5.1.1, pinned by what happened when."""

import datetime as dt
import json

import pytest
import shapely

from geo import errata
from geo.analysis import annotate
from geo.check import check
from geo.claims import load_claims
from geo.cli import main
from geo.countries import load_countries
from geo.errata import apply_countries, load_errata, parse_as_of
from geo.errors import DataError, InputError
from geo.sites import resolve
from layers.publish import publish

STEPANAKERT = "Stepanakert@39.8177,46.7528"
DONETSK = "Donetsk@48.0159,37.8028"
SIMFEROPOL = "Simferopol@44.9521,34.1024"
RATTU = "Rattu@35.15,74.80"
FOUNDING_ARTICLE = "2016-10-07"
BEFORE_ANNEXATION = "2013-06-01"


def one(name: str, as_of: str | None) -> dict:
    return check([name], as_of=as_of).iloc[0].to_dict()


def claims_of(site: dict) -> tuple:
    return site["status"], site["administered_by"], site["claimed_by"], site["country"]


@pytest.mark.filterwarnings("ignore:claims on")
@pytest.mark.parametrize(("name", "as_of", "expected"), [
    (STEPANAKERT, None, ("undisputed", "AZE", ["AZE"], "AZE")),
    (STEPANAKERT, FOUNDING_ARTICLE, ("inside", "Artsakh", ["AZE"], "AZE")),
    (DONETSK, None, ("inside", "RUS", ["RUS", "UKR"], "RUS")),
    (DONETSK, FOUNDING_ARTICLE, ("inside", "Donetsk People's Republic", ["UKR"], "UKR")),
    (SIMFEROPOL, BEFORE_ANNEXATION, ("undisputed", "UKR", ["UKR"], "UKR")),
    (SIMFEROPOL, FOUNDING_ARTICLE, ("inside", "RUS", ["RUS", "UKR"], "RUS")),
])
def test_claims_as_they_stood(name, as_of, expected):
    site = one(name, as_of)
    assert claims_of(site) == expected
    assert site["as_of"] == (as_of or dt.date.today().isoformat())
    assert site["errata"], "a site whose answer an erratum decides names its source"


@pytest.mark.filterwarnings("ignore:claims on")
def test_regions_on_the_date():
    assert one(STEPANAKERT, FOUNDING_ARTICLE)["regions"] == ["Artsakh"]
    assert one(DONETSK, None)["regions"] == ["Donetsk People's Republic"]
    assert one(SIMFEROPOL, BEFORE_ANNEXATION)["regions"] == []


@pytest.mark.filterwarnings("ignore:claims on")
@pytest.mark.parametrize("as_of", ["1950-01-01", BEFORE_ANNEXATION, FOUNDING_ARTICLE, "2022-10-01", None])
def test_rattu_is_the_same_on_any_date(as_of):
    sites = resolve([RATTU])
    plain = annotate(sites).iloc[0]
    dated = check([RATTU], as_of=as_of).iloc[0]
    for column in ["status", "regions", "administered_by", "claimed_by", "country", "worldviews",
                   "nearest_disputed", "nearest_disputed_km"]:
        assert dated[column] == plain[column], column
    assert dated["errata"] == []


def test_every_row_has_a_source_and_a_real_region():
    rows = load_errata()
    natural_earth = set(load_claims()["region"])
    assert len(rows) >= 15
    for row in rows:
        assert len(row.source) > 30 and row.note, row
        assert ";" not in row.source  # the CSV layer joins lists with ';'
        assert (row.region in natural_earth) == (row.polygon == "natural-earth"), row.region


def test_each_region_has_one_row_in_force_at_a_time():
    for on in [dt.date(1990, 1, 1), dt.date(2014, 3, 17), dt.date(2014, 3, 18), dt.date(2022, 9, 30), dt.date.today()]:
        regions = [row.region for row in errata.in_force(on)]
        assert len(regions) == len(set(regions)), on


def test_the_start_rows_of_the_issue():
    assert "Crimea" not in set(load_claims(as_of="2014-03-17")["region"])
    republics = {"Donetsk People's Republic", "Luhansk People's Republic"}
    assert not republics & set(load_claims(as_of="2014-04-06")["region"])
    claims = load_claims(as_of="2014-05-01").set_index("region")
    assert claims.loc["Donetsk People's Republic", "claimed_by"] == ["UKR"]
    assert "Hans Island" in set(load_claims(as_of="2022-06-13")["region"])
    today = load_claims(as_of=dt.date.today()).set_index("region")
    assert "Hans Island" not in today.index and "Artsakh" not in today.index
    donetsk = today.loc["Donetsk People's Republic"]
    assert donetsk["administered_by"] == "RUS" and donetsk["claimed_by"] == ["RUS", "UKR"]
    assert donetsk["worldviews"]["RUS"] == "RUS" and "errata" in donetsk["sources"]["RUS"]
    assert today.loc["Crimea", "as_of"] == dt.date.today().isoformat()
    assert today.loc["Crimea", "errata"] and today.loc["Kuril Is.", "errata"] == []


def test_worldview_rows_move_the_viewers_column():
    golan_2018 = load_claims(as_of="2018-06-01").set_index("region").loc["Golan Heights"]
    golan_2020 = load_claims(as_of="2020-06-01").set_index("region").loc["Golan Heights"]
    assert (golan_2018["worldviews"]["USA"], golan_2020["worldviews"]["USA"]) == ("SYR", "ISR")
    assert "ADM0_A3_US" in golan_2018["sources"]["SYR"] and "ADM0_A3_US" not in golan_2018["sources"]["ISR"]


def test_undated_claims_are_natural_earths():
    claims = load_claims()
    assert "as_of" not in claims and "Artsakh" in set(claims["region"])


def test_a_region_no_longer_disputed_joins_its_administrator_in_the_outlines():
    crimea = load_claims().set_index("region").loc["Crimea", "geometry"]
    point = shapely.Point(34.1024, 44.9521)
    countries = apply_countries(load_countries(), load_claims(), BEFORE_ANNEXATION)
    owners = set(countries.loc[countries.intersects(point), "iso3"])
    assert owners == {"UKR"}
    russia = countries.set_index("iso3").loc["RUS", "geometry"]
    assert shapely.intersection(russia, crimea).area < 1e-6 * crimea.area
    assert apply_countries(load_countries(), load_claims(), FOUNDING_ARTICLE).equals(load_countries())


@pytest.mark.parametrize("text", ["2016-13-01", "tomorrow", "1944-12-31", "2016-10-7", "20161007", ""])
def test_bad_dates_are_input_errors(text):
    with pytest.raises(InputError):
        parse_as_of(text)


def test_a_future_date_is_an_input_error():
    with pytest.raises(InputError, match="future"):
        parse_as_of((dt.date.today() + dt.timedelta(days=1)).isoformat())


def test_parse_as_of():
    assert parse_as_of(" 2016-10-07 ") == dt.date(2016, 10, 7)
    assert parse_as_of("1945-01-01") == dt.date(1945, 1, 1)


@pytest.mark.parametrize("text", ["2016-13-01", "tomorrow", "1944-12-31", "2999-01-01"])
def test_bad_dates_on_the_command_line(text, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["check", RATTU, "--as-of", text, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("claimmap: error: ") and err.count("\n") == 1
    assert not out.exists()
    assert main(["map", str(tmp_path / "x.geojson"), "--as-of", text, "-o", str(tmp_path / "m.html")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_layers_record_the_date_and_sources(tmp_path):
    annotated = check([DONETSK, RATTU], as_of=FOUNDING_ARTICLE)
    publish(annotated, tmp_path, html_map=False)
    sites = json.loads((tmp_path / "sites.geojson").read_text())["features"]
    donetsk, rattu = (f["properties"] for f in sites)
    assert donetsk["as_of"] == rattu["as_of"] == FOUNDING_ARTICLE
    assert "Minsk" in donetsk["errata"][0] and rattu["errata"] == []
    regions = {f["properties"]["region"]: f["properties"]
               for f in json.loads((tmp_path / "regions.geojson").read_text())["features"]}
    assert regions["Donetsk People's Republic"]["claimed_by"] == ["UKR"]
    assert regions["Donetsk People's Republic"]["as_of"] == FOUNDING_ARTICLE
    assert "Minsk" in regions["Donetsk People's Republic"]["errata"][0]
    assert ",as_of,errata" in (tmp_path / "sites.csv").read_text().splitlines()[0]


def test_check_prints_the_date(capsys, tmp_path):
    assert main(["check", SIMFEROPOL, "--as-of", BEFORE_ANNEXATION, "--no-map", "-o", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "not in any disputed area: Ukraine (UKR)" in captured.out
    assert f"claims as of {BEFORE_ANNEXATION}" in captured.out
    assert "claimmap: warning: claims on 2013-06-01" in captured.err


def test_data_lists_the_errata_with_sources(capsys):
    assert main(["data"]) == 0
    out = capsys.readouterr().out
    for row in load_errata():
        assert row.source in out
    assert "Zaporizhzhia Oblast, 2022-09-30 to …: administered by RUS; claimed by RUS, UKR [no polygon]" in out


def test_a_broken_table_is_a_data_error(tmp_path):
    header = "region,valid_from,valid_to,disputed,administered_by,claimed_by,worldviews,polygon,source,note\n"
    overlap = tmp_path / "overlap.csv"
    overlap.write_text(header + "Crimea,,2015-01-01,no,UKR,UKR,,natural-earth,a source,a note\n"
                       "Crimea,2014-03-18,,yes,RUS,RUS;UKR,,natural-earth,a source,a note\n")
    with pytest.raises(DataError, match="overlap"):
        load_errata(overlap)
    unsourced = tmp_path / "unsourced.csv"
    unsourced.write_text(header + "Crimea,,2014-03-18,no,UKR,UKR,,natural-earth, ,a note\n")
    with pytest.raises(DataError, match="no source"):
        load_errata(unsourced)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(header + "Crimea,,2014-03-18,no,UKR,UKX,,natural-earth,a source,a note\n")
    with pytest.raises(DataError, match="UKX"):
        load_errata(unknown)
