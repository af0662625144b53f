"""Reference data: offline folder layouts, pinned hashes, damaged files as one-line errors."""

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo import data
from geo.cli import EXIT_NO_DATA, main
from geo.errors import DataError

DISPUTED = "naturalearth/ne_10m_admin_0_disputed_areas"
DISPUTED_SHP = f"{DISPUTED}/ne_10m_admin_0_disputed_areas.shp"
DISPUTED_ZIP = f"{DISPUTED}.zip"
COUNTRY_INFO = "geonames/countryInfo.txt"
CITIES = "geonames/cities500.txt"
ADMIN1 = "geonames/admin1CodesASCII.txt"


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """An empty offline data folder in force for one test, with a cache of its own."""
    monkeypatch.setenv(data.ENV_DATA_DIR, str(tmp_path / "data"))
    monkeypatch.setenv(data.ENV_CACHE_DIR, str(tmp_path / "cache"))
    (tmp_path / "data").mkdir()
    return tmp_path / "data"


@pytest.fixture
def linked(folder, data_dir) -> Path:
    """A data folder of links to every shared file; :func:`damage` turns one into a copy to break."""
    for path in data_dir.rglob("*"):
        if path.is_file():
            link = folder / path.relative_to(data_dir)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(path)
    return folder


def damage(folder: Path, name: str) -> Path:
    """Replace the link ``name`` with a real copy of the shared file (never the shared file itself)."""
    path = folder / name
    target = path.resolve()
    path.unlink()
    shutil.copy(target, path)
    return path


def run(args, capsys) -> tuple[int, list[str]]:
    status = main(args)
    return status, capsys.readouterr().err.strip().splitlines()


def assert_one_line_data_error(args, capsys, *fragments) -> str:
    status, err = run(args, capsys)
    assert status == EXIT_NO_DATA, err
    assert len(err) == 1 and err[0].startswith("claimmap: error: "), err
    for fragment in fragments:
        assert fragment in err[0]
    return err[0]


# --- the shared folder and its layouts ----------------------------------------------------------------


def test_shared_folder_serves_every_source_and_matches_the_manifest(data_dir):
    for key in data.SOURCES:
        assert data.fetch(key).is_file()
        assert all(r.status == "pinned" for r in data._used[key])


def test_manifest_pins_the_files_other_parts_read():
    names = set(data.manifest())
    for stem in ["ne_10m_admin_0_countries", "ne_50m_land", "ne_50m_lakes", "ne_10m_admin_0_boundary_lines_land",
                 "ne_10m_admin_0_disputed_areas", "ne_50m_admin_0_countries"]:
        assert {f"{stem}{suffix}" for suffix in data.SHAPEFILE_PARTS} <= names
    assert {"ne_50m_rivers_lake_centerlines.zip", "ne_10m_admin_0_disputed_areas.zip",
            "ne_50m_admin_0_countries.zip", "cities500.txt", "countryInfo.txt", "admin1CodesASCII.txt",
            "cities15000.zip", "cities15000.txt", "admin2Codes.txt"} <= names


def test_every_pinned_file_in_the_shared_folder_matches(data_dir):
    """The manifest against the files themselves (an independent sha256 of each)."""
    import hashlib

    found = {p.name: p for p in data_dir.rglob("*") if p.is_file()}
    for name, versions in data.manifest().items():
        assert name in found, name
        blob = found[name].read_bytes()
        assert (hashlib.sha256(blob).hexdigest(), len(blob)) in {(v.sha256, v.size) for v in versions}


def test_zip_in_offline_folder_is_verified_and_read(folder, data_dir):
    (folder / "naturalearth").mkdir()
    shutil.copy(data_dir / DISPUTED_ZIP, folder / DISPUTED_ZIP)
    path = data.fetch("disputed_areas")
    assert path.name.endswith(".zip")
    assert len(gpd.read_file(path)) == 99


def test_check_is_remembered_by_mtime_and_size(linked, monkeypatch):
    data.fetch("country_info")
    data._seen.clear()  # a new process: only the record in the cache folder is left

    def no_hashing(path):
        raise AssertionError(f"{path} hashed again")

    monkeypatch.setattr(data, "sha256_of", no_hashing)
    data.fetch("country_info")
    record = json.loads((data.cache_dir() / "verified.json").read_text())
    assert str(linked / COUNTRY_INFO) in record


def test_a_file_changed_after_its_check_is_checked_again(linked, capsys):
    data.fetch("country_info")
    path = damage(linked, COUNTRY_INFO)
    path.write_text(path.read_text()[:-200])
    assert_one_line_data_error(["check", "1,1"], capsys, str(path), "is not the pinned")


# --- damaged files: one line naming the file and how to fetch it again, exit 3 ------------------------


def truncate(path: Path, keep: float = 0.5) -> None:
    blob = path.read_bytes()
    path.write_bytes(blob[: int(len(blob) * keep)])


def test_truncated_shp(linked, capsys):
    shp = damage(linked, DISPUTED_SHP)
    truncate(shp)
    assert_one_line_data_error(["check", "Rattu"], capsys, str(shp), "is not the pinned", "extract it again from https://")


def test_truncated_shp_accepted_as_unknown_still_fails_its_structure(linked, capsys):
    """The issue's case: a half .shp silently nulled 60 of 99 regions; now it is refused even with the flag."""
    truncate(damage(linked, DISPUTED_SHP))
    assert_one_line_data_error(["check", "Rattu", "--accept-unknown-data"], capsys, DISPUTED_SHP,
                               "121578 bytes, its header says 243156 (a truncated file)")


@pytest.mark.parametrize("suffix", [".shx", ".dbf"])
def test_truncated_part_accepted_as_unknown_still_fails_its_structure(linked, capsys, suffix):
    truncate(damage(linked, DISPUTED_SHP.replace(".shp", suffix)), 0.9)
    assert_one_line_data_error(["--accept-unknown-data", "check", "1,1"], capsys, suffix, "(a truncated file)")


def test_other_edition_accepted_as_unknown_is_read(linked, capsys, tmp_path):
    """A whole shapefile of another edition passes the structural check and is named in the outputs."""
    areas = gpd.read_file(linked / DISPUTED_SHP)
    for suffix in data.SHAPEFILE_PARTS:
        (linked / DISPUTED_SHP).with_suffix(suffix).unlink()
    areas.to_file(linked / DISPUTED_SHP, encoding="utf-8")
    status, err = run(["check", "Rattu@35.15,74.8", "--accept-unknown-data", "-o", str(tmp_path / "o"), "--no-map"],
                      capsys)
    assert status == 0 and err[0].startswith("claimmap: warning: using unverified data"), err
    shown = json.loads((tmp_path / "o" / "sites.geojson").read_text())["claimmap"]["data"]["disputed_areas"]
    assert "UNVERIFIED ne_10m_admin_0_disputed_areas.dbf" in shown  # geopandas rewrote the table


def test_moved_polygon(linked, capsys, tmp_path):
    """Gilgit-Baltistan shifted 10° east, written with the same schema: Rattu would fall outside it."""
    areas = gpd.read_file(linked / DISPUTED_SHP)
    gb = areas["BRK_NAME"] == "Gilgit-Baltistan"
    areas.loc[gb, "geometry"] = shapely.affinity.translate(areas.loc[gb, "geometry"].iat[0], xoff=10)
    for suffix in data.SHAPEFILE_PARTS:
        (linked / DISPUTED_SHP).with_suffix(suffix).unlink()
    areas.to_file(linked / DISPUTED_SHP, encoding="utf-8")
    assert_one_line_data_error(["check", "Rattu", "-o", str(tmp_path / "o")], capsys, "is not the pinned")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("suffix", [".dbf", ".shx"])
def test_truncated_shapefile_part(linked, capsys, suffix):
    part = damage(linked, DISPUTED_SHP.replace(".shp", suffix))
    truncate(part)
    assert_one_line_data_error(["check", "1,1"], capsys, part.name, "is not the pinned")


def test_missing_shx(linked, capsys):
    (linked / DISPUTED_SHP).with_suffix(".shx").unlink()
    assert_one_line_data_error(["check", "1,1"], capsys, "ne_10m_admin_0_disputed_areas.shx is missing")


@pytest.mark.parametrize("suffix, text", [(".prj", "GEOGCS[garbage"), (".cpg", "LATIN1")])
def test_altered_projection_or_codepage(linked, capsys, suffix, text):
    damage(linked, DISPUTED_SHP.replace(".shp", suffix)).write_text(text)
    assert_one_line_data_error(["check", "1,1"], capsys, suffix, "is not the pinned")


def test_tampered_zip_names_file_and_both_hashes(folder, data_dir):
    (folder / "naturalearth").mkdir()
    tampered = folder / DISPUTED_ZIP
    tampered.write_bytes((data_dir / DISPUTED_ZIP).read_bytes() + b"x")
    with pytest.raises(DataError) as err:
        data.fetch("disputed_areas")
    message = str(err.value)
    assert "ne_10m_admin_0_disputed_areas.zip" in message and "\n" not in message
    assert data.manifest()["ne_10m_admin_0_disputed_areas.zip"][0].sha256 in message
    assert data.sha256_of(tampered) in message
    assert "fetch it again from https://naciscdn.org/" in message


def test_truncated_zip_accepted_as_unknown(linked, capsys):
    shutil.rmtree(linked / DISPUTED)
    truncate(damage(linked, DISPUTED_ZIP))
    assert_one_line_data_error(["--accept-unknown-data", "check", "1,1"], capsys, DISPUTED_ZIP, "cannot be read")


def test_truncated_country_info(linked, capsys):
    """Was "unknown country name 'India'" deep inside the claims reader."""
    truncate(damage(linked, COUNTRY_INFO))
    assert_one_line_data_error(["check", "Rattu"], capsys, COUNTRY_INFO, "is not the pinned",
                               "--accept-unknown-data")
    assert_one_line_data_error(["check", "Rattu", "--accept-unknown-data"], capsys, COUNTRY_INFO,
                               "last line is cut short")


def test_country_info_cut_at_a_line_end(linked, capsys):
    path = damage(linked, COUNTRY_INFO)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[: len(lines) // 2]))
    assert_one_line_data_error(["--accept-unknown-data", "check", "1,1"], capsys, "rows, fewer than the 240")


def test_cities_with_a_bad_latitude(linked, capsys):
    path = damage(linked, CITIES)
    lines = path.read_text(encoding="utf-8").split("\n")
    fields = lines[10].split("\t")
    fields[4] = "north"
    lines[10] = "\t".join(fields)
    path.write_text("\n".join(lines), encoding="utf-8")
    assert_one_line_data_error(["check", "Cherat", "--accept-unknown-data"], capsys,
                               f"{CITIES}, line 11: column 5 'north' is not a number")


def test_admin1_with_a_missing_column(linked, capsys):
    path = damage(linked, ADMIN1)
    text = path.read_text(encoding="utf-8")
    first, rest = text.split("\n", 1)
    path.write_text(first.rsplit("\t", 1)[0] + "\n" + rest, encoding="utf-8")
    source = data.SOURCES["admin1"]
    with data.configured(accept=True), pytest.raises(DataError, match="line 1: 3 columns instead of 4"):
        data.verify(source, path)


def test_cities_that_are_not_utf8(linked, capsys):
    path = damage(linked, CITIES)
    with open(path, "r+b") as f:
        f.seek(1000)
        f.write(b"\xff\xfe")
    assert_one_line_data_error(["check", "Cherat", "--accept-unknown-data"], capsys, CITIES, "cannot be read")


def test_data_verify_reports_each_source(linked, capsys):
    truncate(damage(linked, COUNTRY_INFO))
    status = main(["data", "--verify"])
    shown = capsys.readouterr().out.splitlines()
    assert status == EXIT_NO_DATA
    assert {line.split(": ")[0]: line.split(": ")[1] for line in shown} == {
        key: "FAILED" if key == "country_info" else "ok" for key in data.SOURCES}


def test_unknown_data_is_named_in_outputs(linked, capsys, tmp_path):
    """A well-formed file of another version, accepted explicitly: a warning, and the outputs say so."""
    path = damage(linked, COUNTRY_INFO)
    path.write_text(path.read_text() + "# a later edition\n")
    out = tmp_path / "o"
    status, err = run(["check", "Rattu@35.15,74.8", "-o", str(out), "--no-map", "--accept-unknown-data"], capsys)
    assert status == 0
    err = [line for line in err if line != data.ATTRIBUTION]  # the attribution goes to stderr too
    assert err == [f"claimmap: warning: using unverified data {path} (it matches no pinned version; "
                   "accepted by --accept-unknown-data)"]
    shown = json.loads((out / "sites.geojson").read_text())["claimmap"]["data"]
    assert "UNVERIFIED countryInfo.txt" in shown["country_info"]
    assert "Natural Earth 5.1.1" in shown["disputed_areas"]


# --- the cache: downloads, their records, and no network ------------------------------------------------


def fake_download(source_file: Path):
    def retrieve(url, known_hash, fname, path, progressbar):
        shutil.copy(source_file, Path(path) / fname)
        return str(Path(path) / fname)

    return retrieve


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv(data.ENV_DATA_DIR)
    monkeypatch.setenv(data.ENV_CACHE_DIR, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_download_of_todays_dump_is_trusted_by_its_record(cache, monkeypatch, data_dir, tmp_path):
    """GeoNames changes daily: a fresh download matches no pin, and is trusted by the hash recorded then."""
    import pooch

    today = tmp_path / "countryInfo.txt"
    today.write_text((data_dir / COUNTRY_INFO).read_text() + "# published today\n")
    monkeypatch.setattr(pooch, "retrieve", fake_download(today))
    path = data.fetch("country_info")
    assert path == cache / COUNTRY_INFO
    (used,) = data._used["country_info"]
    assert used.status == "downloaded"
    rows = {r["key"]: r for r in data.describe()}
    assert rows["country_info"]["sha256"] == data.sha256_of(path)
    assert rows["country_info"]["downloaded"].startswith("20")
    assert rows["cities500"]["path"] == "not downloaded yet"
    assert "downloaded 20" in data.provenance()["country_info"]


def test_download_of_a_claims_layer_must_match_its_pin(cache, monkeypatch, data_dir, tmp_path):
    """The basemap may come in a newer edition; the disputed areas may not, or answers would change."""
    import pooch

    def newer(name):
        (tmp_path / name).write_bytes((data_dir / "naturalearth" / name).read_bytes() + b"\0")
        monkeypatch.setattr(pooch, "retrieve", fake_download(tmp_path / name))

    newer("ne_10m_admin_0_disputed_areas.zip")
    with pytest.raises(DataError, match="is not the pinned"):
        data.fetch("disputed_areas")
    newer("ne_50m_rivers_lake_centerlines.zip")
    rivers = data.fetch("rivers")  # not pinned by its official zip: trusted by the hash recorded now
    assert [r.status for r in data._used["rivers"]] == ["downloaded"] and rivers.suffix == ".zip"


def test_download_damaged_later_is_refused(cache, monkeypatch, data_dir):
    import pooch

    monkeypatch.setattr(pooch, "retrieve", fake_download(data_dir / ADMIN1))
    path = data.fetch("admin1")
    truncate(path, 0.9)
    data._seen.clear()
    with pytest.raises(DataError) as err:
        data.fetch("admin1")
    assert "recorded when it was downloaded" in str(err.value)
    assert f"delete {path} and claimmap downloads it again" in str(err.value)


def test_download_with_a_damaged_record_is_refused(cache, monkeypatch, data_dir, tmp_path):
    import pooch

    today = tmp_path / "countryInfo.txt"
    today.write_text((data_dir / COUNTRY_INFO).read_text() + "# published today\n")
    monkeypatch.setattr(pooch, "retrieve", fake_download(today))
    path = data.fetch("country_info")
    data.provenance_path(path).write_bytes(b"\xff{")
    data._seen.clear()
    with pytest.raises(DataError, match="countryInfo.txt.provenance.json is damaged; delete "):
        data.fetch("country_info")


def test_failed_download_is_one_line(cache, monkeypatch):
    import pooch

    def offline(*args, **kwargs):
        raise OSError("Temporary failure in name resolution\nsecond line")

    monkeypatch.setattr(pooch, "retrieve", offline)
    with pytest.raises(DataError) as err:
        data.fetch("admin1")
    assert "\n" not in str(err.value)
    assert not list(cache.parent.rglob("admin1CodesASCII.txt"))


def test_no_data_and_no_network(cache, monkeypatch, capsys):
    """The message says how to work offline, and no empty cache folder is left behind."""
    import pooch

    def offline(*args, **kwargs):
        raise OSError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(pooch, "retrieve", offline)
    status, err = run(["check", "Rattu"], capsys)
    assert status == EXIT_NO_DATA
    assert err[0].startswith("claimmap: downloading https://")  # progress, then one line of error
    assert len(err) == 2 and err[1].startswith("claimmap: error: could not download https://")
    assert "--data-dir" in err[1] and "CLAIMMAP_DATA_DIR" in err[1]
    assert not cache.exists()


@pytest.mark.parametrize("place", ["before", "after"])
def test_data_dir_before_or_after_the_subcommand(tmp_path, capsys, place):
    empty = tmp_path / "empty"
    empty.mkdir()
    option = ["--data-dir", str(empty)]
    args = option + ["check", "Rattu"] if place == "before" else ["check", "Rattu"] + option
    assert_one_line_data_error(args, capsys, f"not found in data folder {empty}")
    assert data.data_dir() != empty  # main() leaves the setting as it found it


def test_missing_file_says_which_and_where_from(folder):
    with pytest.raises(DataError) as err:
        data.fetch("cities500")
    assert "geonames/cities500.txt" in str(err.value)
    assert "https://download.geonames.org/export/dump/cities500.zip" in str(err.value)


def test_missing_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv(data.ENV_DATA_DIR, str(tmp_path / "nowhere"))
    with pytest.raises(DataError, match="does not exist"):
        data.fetch("countries")


def test_data_folder_that_is_a_file(tmp_path):
    not_a_folder = tmp_path / "data.zip"
    not_a_folder.write_bytes(b"")
    with pytest.raises(DataError, match="is not a folder"):
        data.set_data_dir(not_a_folder)


def test_country_dump_names_are_checked():
    assert data.geonames_country_source("pk").url.endswith("/PK.zip")
    with pytest.raises(DataError):
        data.geonames_country_source("PAK")


# --- Nominatim's answer cache: disposable, so damage means asking again -------------------------------


class OneAnswer:
    def __init__(self, raw):
        self.raw, self.calls = raw, 0

    def geocode(self, query, **kwargs):
        from geopy.location import Location as GeopyLocation

        self.calls += 1
        return [GeopyLocation(self.raw["display_name"], (float(self.raw["lat"]), float(self.raw["lon"])), self.raw)]


TARISHING = {
    "osm_type": "node", "osm_id": 123456, "lat": "35.0917", "lon": "74.6486", "class": "place",
    "type": "village", "display_name": "Tarishing, Astore District, Gilgit-Baltistan, Pakistan",
    "boundingbox": ["35.0717", "35.1117", "74.6286", "74.6686"], "address": {"country_code": "pk"},
}


@pytest.mark.parametrize("content", [
    b"\xff\xfe not utf-8",  # was UnicodeDecodeError
    json.dumps({"tarishing|": [{"lat": "35"}]}).encode(),  # was KeyError
    json.dumps({"tarishing|": [{**TARISHING, "lat": "north"}]}).encode(),
    json.dumps({"tarishing|": "not a list"}).encode(),
    b"[1, 2]",
])
def test_damaged_nominatim_cache_is_asked_again(tmp_path, content):
    from geo.geocoders import Nominatim

    cache = tmp_path / "nominatim.json"
    cache.write_bytes(content)
    service = OneAnswer(TARISHING)
    loc = Nominatim(geocoder=service, cache_path=cache).geocode("Tarishing")
    assert (loc.name, loc.country, service.calls) == ("Tarishing", "PAK", 1)
    assert json.loads(cache.read_text())["tarishing|"][0]["lat"] == "35.0917"
