"""The prebuilt GeoNames index: built once into the user cache, reused, rebuilt when stale or broken.

A small data folder: real cities500 rows (Madrid, Simferopol, Cherat), the real country table and
Natural Earth layers, and a cache folder of its own.
"""

import os

import numpy as np
import pytest

from geo import data
from geo.geocoders import GeoNames, index

ROWS = {"3117735", "693805", "1181327"}  # Madrid, Simferopol, Cherat Cantonement


@pytest.fixture
def folder(tmp_path, monkeypatch):
    shared = data.data_dir().resolve()
    geonames = tmp_path / "data" / "geonames"
    geonames.mkdir(parents=True)
    (tmp_path / "data" / "naturalearth").symlink_to(shared / "naturalearth")
    (geonames / "countryInfo.txt").symlink_to(shared / "geonames" / "countryInfo.txt")
    with open(shared / "geonames" / "cities500.txt", encoding="utf-8") as f:
        rows = [line for line in f if line.split("\t", 1)[0] in ROWS]
    (geonames / "cities500.txt").write_text("".join(rows), encoding="utf-8")
    monkeypatch.setenv(data.ENV_CACHE_DIR, str(tmp_path / "cache"))
    data.set_data_dir(tmp_path / "data")
    data.set_accept_unknown(True)  # a made-up cities500 matches no pinned version
    index._load.cache_clear()
    yield tmp_path
    data.set_data_dir(None)
    data.set_accept_unknown(None)
    index._load.cache_clear()


def cached(folder):
    return list((folder / "cache" / "gazetteer").iterdir())


def test_built_once_into_the_cache_and_reused(folder):
    assert GeoNames().geocode("Madrid").reference == "geonames:3117735"
    (path,) = cached(folder)
    assert path.suffix == ".idx"
    stamp = path.stat().st_mtime_ns
    index._load.cache_clear()
    assert GeoNames().geocode("Cherat").reference == "geonames:1181327"
    assert cached(folder) == [path] and path.stat().st_mtime_ns == stamp  # read, not rewritten


def test_claimants_are_in_the_index(folder):
    """Simferopol (filed under UA) lies in NE's Crimea: administered by Russia, claimed by Ukraine."""
    ix = GeoNames().index
    place = int(np.flatnonzero(ix.geonameid == 693805)[0])
    assert {"RUS", "UKR"} <= ix.claimant_sets[ix.claimants[place]]
    assert GeoNames().geocode("Simferopol", country="RU").reference == "geonames:693805"


@pytest.mark.parametrize("damage", [
    lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),  # truncated
    lambda p: p.write_bytes(b"not an index at all"),
    lambda p: p.write_bytes(p.read_bytes()[:30] + b"{broken json\n" + p.read_bytes()[200:]),
])
def test_a_corrupt_index_is_rebuilt(folder, damage):
    GeoNames().geocode("Madrid")
    (path,) = cached(folder)
    damage(path)
    index._load.cache_clear()
    assert GeoNames().geocode("Madrid").reference == "geonames:3117735"
    assert cached(folder) == [path]


def test_a_changed_source_file_rebuilds_the_index(folder):
    GeoNames().geocode("Madrid")
    table = folder / "data" / "geonames" / "cities500.txt"
    synthetic = "\t".join([
        "99999998", "Testville", "Testville", "", "10.0", "20.0", "P", "PPL", "TD", "", "", "", "", "",
        "1200", "", "300", "Africa/Ndjamena", "2024-01-01",
    ])
    table.write_text(table.read_text(encoding="utf-8") + synthetic + "\n", encoding="utf-8")
    os.utime(table, ns=(1, 1))  # a different size and mtime
    index._load.cache_clear()
    loc = GeoNames().geocode("Testville")
    assert (loc.country, loc.population, loc.lat) == ("TCD", 1200, 10.0)
    assert len(cached(folder)) == 1  # replaced, not piled up


def test_no_temporary_files_are_left(folder):
    GeoNames().geocode("Madrid")
    assert not [p for p in cached(folder) if p.suffix == ".tmp"]


def test_an_unwritable_cache_warns_and_answers_from_memory(folder, monkeypatch):
    blocker = folder / "blocker"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv(data.ENV_CACHE_DIR, str(blocker))
    with pytest.warns(UserWarning, match="could not save the gazetteer index"):
        assert GeoNames().geocode("Madrid").reference == "geonames:3117735"
