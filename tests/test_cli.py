"""The command as a user runs it: outputs GIS tools open, and one-line errors that leave nothing behind."""

import json
import shutil
import subprocess
import sys

import geopandas as gpd
import pytest

from geo.cli import main

OGRINFO = shutil.which("ogrinfo")
needs_gdal = pytest.mark.skipif(OGRINFO is None, reason="GDAL's ogrinfo is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """The founding case, run once through the installed console script."""
    folder = tmp_path_factory.mktemp("out")
    run = subprocess.run(
        ["claimmap", "check", "Rattu", "Cherat", "-o", str(folder)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    folder.joinpath("stdout.txt").write_text(run.stdout)
    folder.joinpath("stderr.txt").write_text(run.stderr)  # the attribution: stdout stays the report
    return folder


def test_founding_case_report(out):
    report = out.joinpath("stdout.txt").read_text()
    assert "inside Gilgit-Baltistan: administered by Pakistan (PAK); claimed by India (IND), Pakistan (PAK)" in report
    assert "not in any disputed area: Pakistan (PAK); nearest disputed area Azad Kashmir" in report
    credit = out.joinpath("stderr.txt").read_text()
    assert "GeoNames" in credit and "Natural Earth" in credit


def test_sites_geojson_properties(out):
    collection = json.loads(out.joinpath("sites.geojson").read_text())
    assert collection["type"] == "FeatureCollection" and "GeoNames" in collection["attribution"]
    rattu, cherat = collection["features"]
    assert rattu["geometry"]["type"] == "Point"
    lon, lat = rattu["geometry"]["coordinates"]
    assert (lat, lon) == (rattu["properties"]["lat"], rattu["properties"]["lon"])
    required = ["name", "resolved_name", "source", "score", "ambiguous", "lat", "lon", "radius_km", "disputed",
                "regions", "administered_by", "claimed_by", "country", "worldviews", "nearest_disputed",
                "nearest_disputed_km"]
    assert set(required) <= set(rattu["properties"])
    assert rattu["properties"]["claimed_by"] == ["IND", "PAK"]
    assert rattu["properties"]["worldviews"]["IND"] == "IND"
    assert cherat["properties"]["disputed"] is False


def test_regions_and_csv(out):
    regions = gpd.read_file(out / "regions.geojson")
    assert regions["region"].tolist() == ["Gilgit-Baltistan"]
    csv = out.joinpath("sites.csv").read_text().splitlines()
    assert csv[0].startswith("name,resolved_name,source")
    assert "IND;PAK" in csv[1]


@needs_gdal
@pytest.mark.parametrize("layer", ["sites.geojson", "regions.geojson", "sites.csv"])
def test_ogrinfo_reads_outputs_without_warnings(out, layer):
    run = subprocess.run([OGRINFO, "-ro", "-al", "-so", str(out / layer)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert "Warning" not in run.stdout
    expected = "Feature Count: 1" if layer == "regions.geojson" else "Feature Count: 2"
    assert expected in run.stdout


@needs_gdal
def test_ogrinfo_sees_list_and_json_fields(out):
    run = subprocess.run([OGRINFO, "-ro", "-al", "-so", str(out / "sites.geojson")], capture_output=True, text=True)
    assert "claimed_by: StringList" in run.stdout
    assert "worldviews: String (0.0)(JSON)" in run.stdout or "worldviews: String" in run.stdout
    assert "EPSG" in run.stdout or "WGS 84" in run.stdout


def test_input_csv_mixes_names_and_coordinates(tmp_path, capsys):
    sites = tmp_path / "sites.csv"
    sites.write_text("name,lat,lon,country,radius_km\nRattu,,,,\nAksai point,35.2,79.3,,5\nCherat,,,Pakistan,\n")
    assert main(["check", "--input", str(sites), "-o", str(tmp_path / "o"), "--no-map"]) == 0
    layer = gpd.read_file(tmp_path / "o" / "sites.geojson")
    assert layer["name"].tolist() == ["Rattu", "Aksai point", "Cherat"]
    assert layer["radius_km"].tolist()[1] == 5
    assert "Aksai Chin" in capsys.readouterr().out


def test_data_command_lists_sources(capsys):
    assert main(["data"]) == 0
    shown = capsys.readouterr().out
    assert "disputed_areas" in shown and "5c44088c" in shown and "CC BY 4.0" in shown  # the pinned .shp read


def bad_geojson(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": ')
    return ["check", "--input", str(path)]


def lines_geojson(tmp_path):
    path = tmp_path / "lines.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                    "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}]}))
    return ["check", "--input", str(path)]


def bad_csv(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name,lat,lon\nSomewhere,north,12\n")
    return ["check", "--input", str(path)]


BAD_INPUTS = {
    "unknown place": (lambda tmp: ["check", "Xyzzyville"], "unknown place 'Xyzzyville'"),
    "ambiguous place": (lambda tmp: ["check", "Springfield"], "ambiguous place 'Springfield'"),
    "latitude 91": (lambda tmp: ["check", "Pole@91,10"], "latitude 91.0 is outside -90..90"),
    "longitude 181": (lambda tmp: ["check", "45.5,181"], "longitude 181.0 is outside -180..180"),
    "broken geojson": (bad_geojson, "cannot read"),
    "not points": (lines_geojson, "must be a Point"),
    "bad csv number": (bad_csv, "row 1, column lat: 'north' is not a number"),
    "missing file": (lambda tmp: ["check", "--input", str(tmp / "nope.csv")], "no such file"),
    "no data folder": (lambda tmp: ["--data-dir", str(tmp / "nowhere"), "check", "Rattu"], "does not exist"),
    "empty data folder": (lambda tmp: ["--data-dir", str(tmp), "check", "Rattu"], "not found in data folder"),
    "no sites": (lambda tmp: ["check"], "give at least one place name"),
}
NO_DATA = {"no data folder", "empty data folder"}  # exit 3: reference data, not the user's input


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_one_line_exit_2_and_no_output(case, tmp_path):
    make_args, message = BAD_INPUTS[case]
    out = tmp_path / "out"
    out.mkdir()
    (out / "sites.geojson").write_text("previous run")
    args = make_args(tmp_path) + ["-o", str(out)]
    run = subprocess.run([sys.executable, "-m", "geo.cli", *args], capture_output=True, text=True)
    assert run.returncode == (3 if case in NO_DATA else 2)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("claimmap: error: "), run.stderr
    assert message in lines[0]
    assert sorted(p.name for p in out.iterdir()) == ["sites.geojson"]
    assert (out / "sites.geojson").read_text() == "previous run"


def test_unwritable_output_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    run = subprocess.run([sys.executable, "-m", "geo.cli", "check", "Cherat", "-o", str(blocker / "out")],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1


def test_warnings_reach_the_user_as_one_line(monkeypatch, capsys):
    """An online geocoder that fails falls back offline; the user sees one warning line, not a trace."""
    import warnings as w

    import geo.check
    import geo.data

    def failing_check(*args, **kwargs):
        w.warn("Nominatim failed for 'Rattu' (timed out); using offline sources only", stacklevel=2)
        return real_check(*args, **kwargs)

    real_check = geo.check.check_chunks
    monkeypatch.setattr(geo.check, "check_chunks", failing_check)
    assert main(["check", "Cherat", "--online"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0] == "claimmap: warning: Nominatim failed for 'Rattu' (timed out); using offline sources only"
    assert err[1:] == [geo.data.ATTRIBUTION]
