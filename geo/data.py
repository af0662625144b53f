"""Reference data: where each file comes from, and where this machine finds it.

Two ways to get a file, tried in this order:

1. an offline data folder (``CLAIMMAP_DATA_DIR`` or :func:`set_data_dir`), laid out as
   ``naturalearth/<name>.zip`` or its extracted ``naturalearth/<name>/<name>.shp``, and
   ``geonames/<file>.txt`` or ``geonames/<file>.zip``; nothing is downloaded then;
2. otherwise a per-user cache (``CLAIMMAP_CACHE_DIR`` or the platform's cache folder), filled
   from the official source on first use, with progress on stderr.

Natural Earth zips are pinned by sha256 because claims must be reproducible. GeoNames dumps change
daily, so their download date and sha256 are recorded beside them instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import DataError

ENV_DATA_DIR = "CLAIMMAP_DATA_DIR"
ENV_CACHE_DIR = "CLAIMMAP_CACHE_DIR"

NATURAL_EARTH = "Natural Earth (public domain), https://www.naturalearthdata.com/"
GEONAMES = "GeoNames (CC BY 4.0), https://www.geonames.org/"
ATTRIBUTION = f"Borders and disputed areas: {NATURAL_EARTH}. Place names: {GEONAMES}."


@dataclass(frozen=True)
class Source:
    """One reference file: its official address and its place in a data folder."""

    key: str
    folder: str  # "naturalearth" or "geonames"
    stem: str  # file name without extension, e.g. "cities500"
    url: str
    member: str  # the file that is read, inside the zip or the extracted folder
    licence: str
    version: str
    sha256: str | None = None  # pinned zip hash; None for sources that change daily

    @property
    def is_zip(self) -> bool:
        return self.url.endswith(".zip")

    def cache_path(self) -> Path:
        return cache_dir() / self.folder / Path(self.url).name

    def offline_candidates(self, root: Path) -> list[Path]:
        """Paths that hold this source in a data folder, extracted forms first."""
        base = root / self.folder
        if not self.is_zip:
            return [base / self.member]
        extracted = [base / self.stem / self.member, base / self.member]
        return [*extracted, base / f"{self.stem}.zip"]


_NE = "https://naciscdn.org/naturalearth"
_GN = "https://download.geonames.org/export/dump"

SOURCES: dict[str, Source] = {
    s.key: s
    for s in [
        Source(
            "disputed_areas", "naturalearth", "ne_10m_admin_0_disputed_areas",
            f"{_NE}/10m/cultural/ne_10m_admin_0_disputed_areas.zip",
            "ne_10m_admin_0_disputed_areas.shp", NATURAL_EARTH, "5.1.1",
            "a250c1cf8ab68898399928a1fa1d5c242eb4de6335cb51a7f7a7f12a9f3c8438",
        ),
        Source(
            "countries", "naturalearth", "ne_10m_admin_0_countries",
            f"{_NE}/10m/cultural/ne_10m_admin_0_countries.zip",
            "ne_10m_admin_0_countries.shp", NATURAL_EARTH, "5.1.1",
        ),
        Source(
            "cities500", "geonames", "cities500", f"{_GN}/cities500.zip",
            "cities500.txt", GEONAMES, "daily dump",
        ),
        Source(
            "admin1", "geonames", "admin1CodesASCII", f"{_GN}/admin1CodesASCII.txt",
            "admin1CodesASCII.txt", GEONAMES, "daily dump",
        ),
        Source(
            "country_info", "geonames", "countryInfo", f"{_GN}/countryInfo.txt",
            "countryInfo.txt", GEONAMES, "daily dump",
        ),
        # The offline basemap of layers.htmlmap.
        Source(
            "land", "naturalearth", "ne_50m_land", f"{_NE}/50m/physical/ne_50m_land.zip",
            "ne_50m_land.shp", NATURAL_EARTH, "5.1.1",
        ),
        Source(
            "lakes", "naturalearth", "ne_50m_lakes", f"{_NE}/50m/physical/ne_50m_lakes.zip",
            "ne_50m_lakes.shp", NATURAL_EARTH, "5.1.1",
        ),
        Source(
            "rivers", "naturalearth", "ne_50m_rivers_lake_centerlines",
            f"{_NE}/50m/physical/ne_50m_rivers_lake_centerlines.zip",
            "ne_50m_rivers_lake_centerlines.shp", NATURAL_EARTH, "5.1.1",
        ),
        Source(
            "boundary_lines", "naturalearth", "ne_10m_admin_0_boundary_lines_land",
            f"{_NE}/10m/cultural/ne_10m_admin_0_boundary_lines_land.zip",
            "ne_10m_admin_0_boundary_lines_land.shp", NATURAL_EARTH, "5.1.1",
        ),
    ]
}


def geonames_country_source(iso2: str) -> Source:
    """The GeoNames dump of one country (e.g. ``PK``), for places cities500 leaves out."""
    code = iso2.upper()
    if len(code) != 2 or not code.isalpha():
        raise DataError(f"a GeoNames country dump is named by a two-letter ISO code, not {iso2!r}")
    return Source(
        f"geonames_{code}", "geonames", code, f"{_GN}/{code}.zip", f"{code}.txt", GEONAMES,
        "daily dump",
    )


def source(key: str) -> Source:
    if key.startswith("geonames_"):
        return geonames_country_source(key.removeprefix("geonames_"))
    try:
        return SOURCES[key]
    except KeyError:
        raise DataError(f"no reference data named {key!r}; known: {', '.join(SOURCES)}") from None


_data_dir: Path | None = None


def set_data_dir(path: str | os.PathLike | None) -> None:
    """Read reference data from this folder only (None: back to the environment setting)."""
    global _data_dir
    _data_dir = None if path is None else _checked_folder(Path(path))


def data_dir() -> Path | None:
    """The offline data folder in force, if any."""
    if _data_dir is not None:
        return _data_dir
    env = os.environ.get(ENV_DATA_DIR)
    return _checked_folder(Path(env)) if env else None


def cache_dir() -> Path:
    env = os.environ.get(ENV_CACHE_DIR)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("claimmap"))


def _checked_folder(path: Path) -> Path:
    path = path.expanduser().absolute()
    if not path.is_dir():
        raise DataError(f"data folder {path} does not exist or is not a folder")
    if not os.access(path, os.R_OK | os.X_OK):
        raise DataError(f"data folder {path} is not readable")
    return path


def fetch(key: str) -> Path:
    """Path of the file to read for ``key`` (a shapefile, text file, or a zip readers open as is).

    Uses the offline folder when one is set, else the cache, downloading into it if needed.
    """
    src = source(key)
    folder = data_dir()
    return _offline(src, folder) if folder is not None else _cached(src)


def _offline(src: Source, folder: Path) -> Path:
    for path in src.offline_candidates(folder):
        if path.is_file():
            if not os.access(path, os.R_OK):
                raise DataError(f"{path} is not readable")
            _verify(src, path)
            return path
    wanted = " or ".join(str(p.relative_to(folder)) for p in src.offline_candidates(folder))
    raise DataError(f"{wanted} not found in data folder {folder}; it is downloaded from {src.url}")


def _verify(src: Source, path: Path) -> None:
    """Check a pinned source: the zip's sha256, or an extracted folder's VERSION.txt."""
    if src.sha256 is None:
        return
    if path.suffix == ".zip":
        actual = sha256_of(path)
        if actual != src.sha256:
            raise DataError(
                f"{path.name}: sha256 mismatch (expected {src.sha256}, got {actual}); "
                f"re-download it from {src.url}"
            )
        return
    version_file = path.with_name(f"{src.stem}.VERSION.txt")
    if version_file.is_file():
        found = version_file.read_text(encoding="utf-8").strip()
        if found != src.version:
            raise DataError(f"{path.name}: Natural Earth version {found}, claimmap expects {src.version}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cached(src: Source) -> Path:
    target = src.cache_path()
    if not target.is_file():
        _download(src, target)
    _verify(src, target)
    return target


def _download(src: Source, target: Path) -> None:
    import pooch

    target.parent.mkdir(parents=True, exist_ok=True)
    print(f"claimmap: downloading {src.url} -> {target}", file=sys.stderr)
    try:
        # pooch writes to a temporary file and renames it, so a failed download leaves nothing.
        pooch.retrieve(
            src.url, known_hash=None, fname=target.name, path=target.parent,
            progressbar=True,
        )
    except Exception as exc:  # network errors come in many types; all mean the same here
        raise DataError(f"could not download {src.url}: {exc}".replace("\n", " ")) from exc
    if src.sha256 is None:
        provenance = {
            "url": src.url,
            "downloaded": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "sha256": sha256_of(target),
            "licence": src.licence,
        }
        provenance_path(target).write_text(json.dumps(provenance, indent=2), encoding="utf-8")


def provenance_path(path: Path) -> Path:
    return path.with_name(path.name + ".provenance.json")


def describe() -> list[dict[str, str]]:
    """One row per source: where it is read from, its version, licence and hash or date."""
    folder = data_dir()
    rows = []
    for src in SOURCES.values():
        row = {"key": src.key, "version": src.version, "licence": src.licence, "url": src.url}
        if folder is not None:
            found = [p for p in src.offline_candidates(folder) if p.is_file()]
            row["path"] = str(found[0]) if found else "missing"
            row["origin"] = "data folder"
        else:
            target = src.cache_path()
            row["path"] = str(target) if target.is_file() else "not downloaded yet"
            row["origin"] = "cache"
            meta = provenance_path(target)
            if meta.is_file():
                info = json.loads(meta.read_text(encoding="utf-8"))
                row["downloaded"] = info["downloaded"]
                row["sha256"] = info["sha256"]
        if src.sha256:
            row["sha256"] = src.sha256
        rows.append(row)
    return rows
