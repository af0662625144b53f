"""The package as a user installs it: a wheel in a fresh virtual environment, not this source tree."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geo", "layers")


def package_files() -> set[str]:
    """Every file of the packages in the source tree, as the wheel should hold it."""
    return {
        str(p.relative_to(ROOT))
        for package in PACKAGES
        for p in (ROOT / package).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in {".pyc", ".pyo"}
    }


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> dict:
    """Build a wheel from a copy of the sources and install it, alone, into a new virtual environment.

    Dependencies come from this machine (``--system-site-packages``), so nothing is downloaded; the build
    uses this machine's setuptools (``--no-build-isolation``) for the same reason.
    """
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"), str(src)],
                   check=True, cwd=tmp, env=env, capture_output=True)
    (wheel,) = (tmp / "dist").glob("claimmap-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(tmp / "venv")],
                   check=True, cwd=tmp, env=env)
    python = tmp / "venv" / "bin" / "python"
    subprocess.run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
                   check=True, cwd=tmp, env=env, capture_output=True)
    work = tmp / "cwd"  # neither the source tree nor /work/main: imports must come from the wheel
    work.mkdir()
    return {"wheel": wheel, "python": python, "bin": python.parent, "env": env, "cwd": work}


def run(venv: dict, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=venv["cwd"], env={**venv["env"], **env}, capture_output=True, text=True)


def test_wheel_holds_every_subpackage_and_data_file(venv):
    names = set(zipfile.ZipFile(venv["wheel"]).namelist())
    assert package_files() <= names
    assert {"geo/geocoders/__init__.py", "geo/data_manifest.json", "geo/sites.csv", "layers/map.js",
            "layers/map.css"} <= names


def test_installed_code_comes_from_the_wheel(venv):
    shown = run(venv, str(venv["python"]), "-c",
                "import geo, geo.geocoders, layers; print(geo.__file__); print(layers.__file__)")
    assert shown.returncode == 0, shown.stderr
    site = venv["python"].parent.parent.resolve()
    for line in shown.stdout.splitlines():
        assert Path(line).resolve().is_relative_to(site), line


def test_version(venv):
    from importlib.metadata import version

    shown = run(venv, str(venv["bin"] / "claimmap"), "--version")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == f"claimmap {version('claimmap')}"


def test_founding_case_from_the_wheel(venv, data_dir):
    shown = run(venv, str(venv["bin"] / "claimmap"), "check", "Rattu", "Cherat", "-o", "out",
                CLAIMMAP_DATA_DIR=str(data_dir))
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("Rattu  35.1500°N 74.8000°E")
    assert lines[1] == "  inside Gilgit-Baltistan: administered by Pakistan (PAK); claimed by India (IND), Pakistan (PAK)"
    assert lines[2].startswith("Cherat  33.82")
    assert lines[3].startswith("  not in any disputed area: Pakistan (PAK); nearest disputed area Azad Kashmir, 15")
    written = venv["cwd"] / "out"
    assert sorted(p.name for p in written.iterdir()) == ["map.html", "regions.geojson", "regions.qml", "sites.csv",
                                                        "sites.geojson", "sites.qml"]
    assert "leaflet" in (written / "map.html").read_text().lower()


def test_data_verify_from_the_wheel(venv, data_dir):
    """The manifest travels with the package."""
    shown = run(venv, str(venv["bin"] / "claimmap"), "data", "--verify", CLAIMMAP_DATA_DIR=str(data_dir))
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert shown.stdout.count(": ok: ") == shown.stdout.count("\n")
