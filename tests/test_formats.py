"""Every output format, opened by the tools a GIS user has (ogrinfo/ogr2ogr, geopandas) and by claimmap
itself: claimed_by intact, regions valid RFC 7946, CSV safe in a spreadsheet and read back unchanged."""

import json
import shutil
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely

from geo.cli import main
from geo.sites import read_sites
from layers.formats import FORMATS

OGRINFO, OGR2OGR = shutil.which("ogrinfo"), shutil.which("ogr2ogr")
needs_gdal = pytest.mark.skipif(OGRINFO is None, reason="GDAL's ogrinfo is not installed (.ci/run installs it)")
GDAL_FORMATS = ["geojson", "gpkg", "fgb", "shp"]
HOSTILE = ["=HYPERLINK(\"http://x\")", "+1", "-3.5", "@SUM(A1)", "\tTab", "'=already", "line\r\nbreak", "a;b,c\"d"]


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("formats")
    hostile = gpd.GeoDataFrame({"name": HOSTILE}, crs="EPSG:4326", geometry=gpd.points_from_xy(
        74 + np.arange(len(HOSTILE)) / 10, 35 + np.arange(len(HOSTILE)) / 10))
    hostile.to_file(folder / "hostile.geojson")
    assert main(["check", "Rattu", "Cherat", "Nicosia", "-i", str(folder / "hostile.geojson"), "-o", str(folder / "o"),
                 "--no-map", "-q", "--format", ",".join(FORMATS)]) == 0
    return folder / "o"


def original(out):
    return read_sites(out / "sites.geojson").drop(columns="geometry")


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_claimmap_reads_its_own_layers_back_unchanged(out, fmt):
    again = read_sites(out / f"sites{FORMATS[fmt].suffix}").drop(columns="geometry")
    pd.testing.assert_frame_equal(again, original(out))
    assert again["name"].iloc[:len(HOSTILE)].tolist() == HOSTILE


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_geopandas_sees_claimed_by_as_a_list(out, fmt):
    path = out / f"sites{FORMATS[fmt].suffix}"
    layer = pd.read_csv(path) if fmt == "csv" else gpd.read_parquet(path) if fmt == "parquet" else gpd.read_file(path)
    claimed = layer["claimed_by"].iloc[len(HOSTILE)]
    codes = claimed.split(";") if fmt == "csv" else json.loads(claimed) if isinstance(claimed, str) else list(claimed)
    assert codes == ["IND", "PAK"]
    assert len(layer) == 3 + len(HOSTILE)


@needs_gdal
@pytest.mark.parametrize("fmt", GDAL_FORMATS + ["csv"])
@pytest.mark.parametrize("layer", ["sites", "regions"])
def test_ogr2ogr_converts_every_layer_with_every_feature(out, tmp_path, fmt, layer):
    if fmt == "csv" and layer == "regions":
        pytest.skip("regions are polygons: no CSV layer")
    source = out / f"{layer}{FORMATS[fmt].suffix}"
    info = subprocess.run([OGRINFO, "-ro", "-al", "-so", str(source)], capture_output=True, text=True)
    assert info.returncode == 0 and "ERROR" not in info.stderr, info.stderr
    count = int(info.stdout.split("Feature Count: ")[1].split()[0])
    assert count == (3 + len(HOSTILE) if layer == "sites" else len(gpd.read_file(out / f"{layer}.geojson")))
    for target, driver in [("x.fgb", "FlatGeobuf"), ("x.gpkg", "GPKG"), ("x.geojson", "GeoJSON")]:
        # GDAL < 3.8 cannot put a StringList (GeoJSON's claimed_by) into FlatGeobuf unless told how
        csv_points = ["-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat"] if fmt == "csv" else []
        run = subprocess.run([OGR2OGR, "-f", driver, "-mapFieldType", "StringList=String", "-nlt", "PROMOTE_TO_MULTI",
                              *csv_points, str(tmp_path / target), str(source)], capture_output=True, text=True)
        assert run.returncode == 0 and "ERROR" not in run.stderr, run.stderr
        assert len(gpd.read_file(tmp_path / target)) == count


@needs_gdal
def test_geojson_claimed_by_is_a_string_list_for_gdal(out):
    run = subprocess.run([OGRINFO, "-ro", "-al", "-so", str(out / "sites.geojson")], capture_output=True, text=True)
    assert "claimed_by: StringList" in run.stdout and "worldviews: String(JSON)" in run.stdout


def test_attribution_travels_in_every_layer(out):
    for layer in ("sites", "regions"):
        collection = json.loads((out / f"{layer}.geojson").read_text())
        assert "GeoNames" in collection["attribution"] and "Natural Earth" in collection["attribution"]
        meta = json.loads(pq.read_schema(out / f"{layer}.parquet").metadata[b"claimmap"])
        assert "CC BY 4.0" in meta["attribution"]
        for suffix in (".gpkg", ".fgb"):
            assert "CC BY 4.0" in pyogrio.read_info(out / f"{layer}{suffix}")["layer_metadata"]["DESCRIPTION"]
    assert gpd.read_file(out / "sites.shp")["attributn"].str.contains("CC BY 4.0").all()
    assert pd.read_csv(out / "sites.csv")["attribution"].str.contains("CC BY 4.0").all()


def test_regions_are_rfc7946(out):
    collection = json.loads((out / "regions.geojson").read_text())
    assert collection["features"]
    for feature in collection["features"]:
        geometry = shapely.geometry.shape(feature["geometry"])
        polygons = geometry.geoms if geometry.geom_type == "MultiPolygon" else [geometry]
        for polygon in polygons:  # exterior counter-clockwise, holes clockwise (RFC 7946 3.1.6)
            assert polygon.exterior.is_ccw
            assert all(not ring.is_ccw for ring in polygon.interiors)
        coordinates = np.array(shapely.get_coordinates(geometry))
        assert np.allclose(coordinates, np.round(coordinates, 6), rtol=0, atol=1e-12)
    text = (out / "regions.geojson").read_text()
    assert "0000000001" not in text and "9999999" not in text  # no float noise


def test_csv_cannot_run_as_a_formula_and_numbers_stay_numbers(out):
    rows = pd.read_csv(out / "sites.csv", dtype=str, keep_default_na=False)
    cells = rows.drop(columns=["lat", "lon", "score", "radius_km", "nearest_disputed_km"]).to_numpy().ravel()
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert rows["name"].iloc[:3].tolist() == ["'=HYPERLINK(\"http://x\")", "'+1", "'-3.5"]
    assert rows["name"].iloc[5] == "''=already"
    negative = read_sites(out / "sites.csv")
    assert (negative["lat"] > 0).all()
    raw = (out / "sites.csv").read_bytes()
    assert b'"line\r\nbreak"' in raw  # quoted, so the row holds together


def test_stdout_streams_one_text_format(tmp_path):
    for fmt in ("geojson", "csv"):
        run = subprocess.run([sys.executable, "-m", "geo.cli", "check", "A@35.2,74.9", "Cherat", "-o", "-",
                              "--format", fmt], capture_output=True, text=True, cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        assert not list(tmp_path.iterdir())  # no folder named '-'
        if fmt == "geojson":
            assert json.loads(run.stdout)["features"][0]["properties"]["claimed_by"] == ["IND", "PAK"]
        else:
            assert run.stdout.splitlines()[0].startswith("name,resolved_name")
        assert "GeoNames" in run.stderr and "GeoNames" not in run.stdout.split("attribution")[0]
