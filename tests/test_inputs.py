"""Sites files as users have them: any format, chosen by content, and bad rows named by file, row and column."""

import json
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pytest

from geo.errors import InputError
from geo.sites import read_sites, resolve


def run_cli(*args, stdin=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "geo.cli", *args], capture_output=True, text=True, input=stdin,
                          cwd=cwd)


@pytest.mark.parametrize("header", ["name,latitude,longitude", "name,Lat,Lng", "name,y,x", "NAME,LAT,LONG"])
def test_csv_coordinate_columns_are_used_not_geocoded(tmp_path, header):
    path = tmp_path / "s.csv"
    path.write_text(f"{header}\nParis,35.2,74.9\n")  # a 'Paris' in Kashmir: the coordinates win
    site = read_sites(path).iloc[0]
    assert (site["lat"], site["lon"], site["source"]) == (35.2, 74.9, "input")


def test_wkt_geometry_column(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text('name,geometry\nA,POINT (74.9 35.2)\n')
    assert read_sites(path)[["lat", "lon"]].iloc[0].tolist() == [35.2, 74.9]


@pytest.mark.parametrize("driver,suffix", [("GPKG", ".bin"), ("FlatGeobuf", ".fgb"), ("GeoJSON", ".txt"),
                                           ("ESRI Shapefile", ".shp"), ("KML", ".kml")])
def test_vector_formats_chosen_by_content(tmp_path, driver, suffix):
    frame = gpd.GeoDataFrame({"name": ["A", "B"]}, geometry=gpd.points_from_xy([74.9, 71.9], [35.2, 33.8]),
                             crs="EPSG:4326")
    path = tmp_path / f"points{suffix}"
    frame.to_file(path, driver=driver)
    sites = read_sites(path)
    assert sites["name"].tolist() == ["A", "B"] and sites["lat"].round(6).tolist() == [35.2, 33.8]


def test_geoparquet_and_projected_crs(tmp_path):
    frame = gpd.GeoDataFrame({"name": ["A"]}, geometry=gpd.points_from_xy([74.9], [35.2]), crs="EPSG:4326")
    frame.to_crs("EPSG:3857").to_parquet(tmp_path / "p.parquet")
    assert read_sites(tmp_path / "p.parquet")[["lat", "lon"]].round(9).iloc[0].tolist() == [35.2, 74.9]


def test_stdin_is_read(tmp_path):
    run = run_cli("check", "-i", "-", "--no-map", "-o", str(tmp_path / "o"), stdin="name,lat,lon\nA,35.2,74.9\n")
    assert run.returncode == 0, run.stderr
    assert "inside Gilgit-Baltistan" in run.stdout


def test_claimmap_csv_reads_back_with_entity_countries(tmp_path):
    """An output 'country' such as Northern Cyprus is not a hint to refuse (it was 'unknown country')."""
    assert run_cli("check", "Nicosia-north@35.2,33.36", "-o", str(tmp_path / "o"), "--no-map").returncode == 0
    run = run_cli("map", str(tmp_path / "o" / "sites.csv"), "-o", str(tmp_path / "m.html"))
    assert run.returncode == 0, run.stderr


def geojson(tmp_path, feature, crs=None):
    collection = {"type": "FeatureCollection", "features": [feature]}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    path = tmp_path / "in.geojson"
    path.write_text(json.dumps(collection).replace('"NAN"', "NaN"))
    return path


def point(name, x, y, **props):
    return {"type": "Feature", "properties": {"name": name, **props},
            "geometry": {"type": "Point", "coordinates": [x, y]}}


BAD = {
    "extra fields": (lambda t: t.joinpath("a.csv").write_text("name,lat,lon\nA,1,2,3,4\n") and t / "a.csv",
                     "row 1 (line 2) has 5 fields but the header has 3"),
    "extra fields later": (lambda t: t.joinpath("b.csv").write_text("name,lat,lon\nB,1,2\nA,1,2,3\n") and t / "b.csv",
                           "row 2 (line 3) has 4 fields"),
    "NaN point": (lambda t: geojson(t, point("N", "NAN", "NAN")), "row 1, column geometry: a point with no coordinates"),
    "3857 far away": (lambda t: geojson(t, point("M", 1e9, 1e9), "urn:ogc:def:crs:EPSG::3857"),
                      "row 1, column geometry: the point is outside the area of use of EPSG:3857"),
    "non-numeric score": (lambda t: geojson(t, point("S", 74.9, 35.2, score="high")),
                          "row 1, column score: 'high' is not a number"),
    "NUL kept out": (lambda t: geojson(t, point("a\x00b", 74.9, 35.2)), "row 1, column name: a NUL character"),
    "mixed geometry": (lambda t: t.joinpath("m.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        point("P", 1, 2), {"type": "Feature", "properties": {"name": "L"},
                           "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}]})) and t / "m.geojson",
        "row 2, column geometry: every feature must be a Point, not a LineString"),
    "corrupt geopackage": (lambda t: t.joinpath("c.gpkg").write_bytes(b"SQLite format 3\x00" + b"\x13" * 500) and t / "c.gpkg",
                           "cannot read"),
    "unknown format": (lambda t: t.joinpath("u.xyz").write_bytes(b"\x00\x01\x02garbage") and t / "u.xyz",
                       "an unknown binary format"),
    "NaN column": (lambda t: t.joinpath("n.csv").write_text("name,lat,lon\nA,nan,3\n") and t / "n.csv",
                   "row 1, column lat: NaN is not a number"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_files_are_one_line_naming_file_and_row(tmp_path, case):
    make, message = BAD[case]
    path = make(tmp_path)
    out = tmp_path / "out"
    run = run_cli("check", "-i", str(path), "-o", str(out))
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("claimmap: error: ") and message in lines[0], run.stderr
    assert str(path.name) in lines[0] or case == "unknown format"
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_empty_coordinate_parts_are_not_a_place_name():
    with pytest.raises(InputError, match="coordinates must be two numbers"):
        resolve(["A@,"])


def test_skip_writes_errors_csv(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("name,lat,lon\nGood,35.2,74.9\nBad,95,1\nXyzzyville,,\nAlso good,33.8,71.9\n")
    run = run_cli("check", "-i", str(path), "-o", str(tmp_path / "o"), "--on-error", "skip", "--no-map")
    assert run.returncode == 0, run.stderr
    errors = (tmp_path / "o" / "errors.csv").read_text().splitlines()
    assert errors[0] == "row,input,reason" and errors[1].startswith('2,"Bad@95.0,1.0",') and errors[2].startswith("3,Xyzzy")
    assert "skipped 2 bad rows" in run.stderr
    assert gpd.read_file(tmp_path / "o" / "sites.geojson")["name"].tolist() == ["Good", "Also good"]
    assert np.isfinite(gpd.read_file(tmp_path / "o" / "sites.geojson")["lat"]).all()
