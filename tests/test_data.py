"""Reference data: offline folder layouts, pinned hashes, clear errors."""

import shutil
from pathlib import Path

import pytest

from geo import data
from geo.errors import DataError

DISPUTED_ZIP = "naturalearth/ne_10m_admin_0_disputed_areas.zip"


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """An empty offline data folder in force for one test."""
    monkeypatch.setenv(data.ENV_DATA_DIR, str(tmp_path))
    return tmp_path


def test_shared_folder_serves_every_source(data_dir):
    for key in data.SOURCES:
        assert data.fetch(key).is_file()


def test_zip_in_offline_folder_is_verified_and_read(folder, data_dir):
    import geopandas as gpd

    (folder / "naturalearth").mkdir()
    shutil.copy(data_dir / DISPUTED_ZIP, folder / DISPUTED_ZIP)
    path = data.fetch("disputed_areas")
    assert path.name.endswith(".zip")
    assert len(gpd.read_file(path)) == 99


def test_tampered_zip_names_file_and_both_hashes(folder, data_dir):
    (folder / "naturalearth").mkdir()
    tampered = folder / DISPUTED_ZIP
    tampered.write_bytes((data_dir / DISPUTED_ZIP).read_bytes() + b"x")
    with pytest.raises(DataError) as err:
        data.fetch("disputed_areas")
    message = str(err.value)
    assert "ne_10m_admin_0_disputed_areas.zip" in message
    assert data.SOURCES["disputed_areas"].sha256 in message
    assert data.sha256_of(tampered) in message


def test_wrong_natural_earth_version_is_refused(folder, data_dir):
    src = data_dir / "naturalearth" / "ne_10m_admin_0_disputed_areas"
    dst = folder / "naturalearth" / "ne_10m_admin_0_disputed_areas"
    shutil.copytree(src, dst)
    (dst / "ne_10m_admin_0_disputed_areas.VERSION.txt").write_text("4.1.0\n")
    with pytest.raises(DataError, match="version 4.1.0"):
        data.fetch("disputed_areas")


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


def test_cache_download_records_provenance(monkeypatch, tmp_path, data_dir):
    """The download path, with pooch's fetch replaced by a local copy (no network here)."""
    import pooch

    def fake_retrieve(url, known_hash, fname, path, progressbar):
        shutil.copy(data_dir / "geonames" / "countryInfo.txt", Path(path) / fname)
        return str(Path(path) / fname)

    monkeypatch.delenv(data.ENV_DATA_DIR)
    monkeypatch.setenv(data.ENV_CACHE_DIR, str(tmp_path))
    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    path = data.fetch("country_info")
    assert path == tmp_path / "geonames" / "countryInfo.txt"
    rows = {r["key"]: r for r in data.describe()}
    assert rows["country_info"]["sha256"] == data.sha256_of(path)
    assert rows["country_info"]["downloaded"].startswith("20")
    assert rows["cities500"]["path"] == "not downloaded yet"


def test_failed_download_is_one_line(monkeypatch, tmp_path):
    import pooch

    def offline(*args, **kwargs):
        raise OSError("Temporary failure in name resolution\nsecond line")

    monkeypatch.delenv(data.ENV_DATA_DIR)
    monkeypatch.setenv(data.ENV_CACHE_DIR, str(tmp_path))
    monkeypatch.setattr(pooch, "retrieve", offline)
    with pytest.raises(DataError) as err:
        data.fetch("admin1")
    assert "\n" not in str(err.value)
    assert not list(tmp_path.rglob("admin1CodesASCII.txt"))
