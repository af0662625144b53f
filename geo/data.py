"""Reference data: where each file comes from, where this machine finds it, and whether it is the file
claimmap was built against.

Two ways to get a file, tried in this order:

1. an offline data folder (``CLAIMMAP_DATA_DIR`` or :func:`set_data_dir`), laid out as
   ``naturalearth/<name>.zip`` or its extracted ``naturalearth/<name>/<name>.shp``, and
   ``geonames/<file>.txt`` or ``geonames/<file>.zip``; nothing is downloaded then;
2. otherwise a per-user cache (``CLAIMMAP_CACHE_DIR`` or the platform's cache folder), filled
   from the official source on first use, with progress on stderr.

Every file is checked when first used against the sha256 pinned in ``data_manifest.json`` (a shapefile
with all its parts), because claims must be reproducible and a damaged file must not quietly change an
answer. The check is remembered by (path, mtime, size) in the cache folder, so it costs nothing later.
GeoNames publishes a new dump every day, so a file claimmap downloaded itself is trusted by the sha256
recorded at download time, unless its source is ``strict`` (the disputed areas), which must match its
pin; any other file that matches no pinned version is refused unless unknown data is accepted
explicitly (``--accept-unknown-data``, ``CLAIMMAP_ACCEPT_UNKNOWN_DATA=1``). Such a file must
still pass a structural check and is named as unverified in the outputs' provenance.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from .errors import DataError

ENV_DATA_DIR = "CLAIMMAP_DATA_DIR"
ENV_CACHE_DIR = "CLAIMMAP_CACHE_DIR"
ENV_ACCEPT_UNKNOWN = "CLAIMMAP_ACCEPT_UNKNOWN_DATA"
OFFLINE_HINT = (f"to work offline, pass --data-dir DIR or set {ENV_DATA_DIR} to a folder holding the files "
                "(`claimmap data` lists them)")

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
    # A download must match a pinned version (the disputed areas: answers must be reproducible). Other
    # downloads (GeoNames' daily dumps, the basemap) are trusted by the hash recorded then.
    strict: bool = False

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
            "ne_10m_admin_0_disputed_areas.shp", NATURAL_EARTH, "5.1.1", strict=True,
        ),
        Source(
            # Its extracted parts are pinned, but no copy of the official zip was at hand to pin: a
            # download is trusted by the hash recorded then, like the basemap's.
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
_accept_unknown: bool | None = None


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


def set_accept_unknown(accept: bool | None) -> None:
    """Use data files that match no pinned version (None: back to the environment setting)."""
    global _accept_unknown
    _accept_unknown = accept


def accept_unknown() -> bool:
    if _accept_unknown is not None:
        return _accept_unknown
    return os.environ.get(ENV_ACCEPT_UNKNOWN, "").strip().lower() in {"1", "true", "yes"}


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
    """Path of the verified file to read for ``key`` (a shapefile, text file, or a zip readers open as is).

    Uses the offline folder when one is set, else the cache, downloading into it if needed.
    """
    src = source(key)
    folder = data_dir()
    path = _offline(src, folder) if folder is not None else _cached(src)
    _used[src.key] = verify(src, path)
    return path


def locate(src: Source) -> Path | None:
    """Where ``src`` is on this machine now, without downloading; None if it is not there."""
    folder = data_dir()
    if folder is None:
        return src.cache_path() if src.cache_path().is_file() else None
    return next((p for p in src.offline_candidates(folder) if p.is_file()), None)


def _offline(src: Source, folder: Path) -> Path:
    path = locate(src)
    if path is not None:
        if not os.access(path, os.R_OK):
            raise DataError(f"{path} is not readable")
        return path
    wanted = " or ".join(str(p.relative_to(folder)) for p in src.offline_candidates(folder))
    raise DataError(f"{wanted} not found in data folder {folder}; download it from {src.url}")


def _cached(src: Source) -> Path:
    target = src.cache_path()
    if not target.is_file():
        _download(src, target)
    return target


def _download(src: Source, target: Path) -> None:
    import pooch

    new_folders = [p for p in [target.parent, *target.parent.parents] if not p.exists()]
    target.parent.mkdir(parents=True, exist_ok=True)
    print(f"claimmap: downloading {src.url} -> {target}", file=sys.stderr)
    try:
        # pooch writes to a temporary file and renames it, so a failed download leaves nothing.
        pooch.retrieve(
            src.url, known_hash=None, fname=target.name, path=target.parent,
            progressbar=True,
        )
    except Exception as exc:  # network errors come in many types; all mean the same here
        for folder in new_folders:  # deepest first; a folder something else wrote into stays
            try:
                folder.rmdir()
            except OSError:
                break
        raise DataError(f"could not download {src.url} ({_one_line(exc)}); {OFFLINE_HINT}") from exc
    provenance = {
        "url": src.url,
        "downloaded": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "sha256": sha256_of(target),
        "licence": src.licence,
    }
    provenance_path(target).write_text(json.dumps(provenance, indent=2), encoding="utf-8")


def provenance_path(path: Path) -> Path:
    return path.with_name(path.name + ".provenance.json")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- verification -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Known:
    """One pinned version of a file."""

    sha256: str
    size: int
    version: str


@dataclass(frozen=True)
class Verified:
    """How one file on disk was found to be trustworthy."""

    path: Path
    sha256: str
    status: str  # "pinned", "downloaded" (by claimmap, hash recorded then) or "unverified" (accepted)
    version: str  # the pinned version, the download date, or "unknown"

    def describe(self) -> str:
        if self.status == "pinned":
            return self.version
        if self.status == "downloaded":
            return f"downloaded {self.version}, sha256 {self.sha256}"
        return f"UNVERIFIED {self.path.name}, sha256 {self.sha256}"


SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_REQUIRED_PARTS = (".shp", ".shx", ".dbf")
_VERIFIED_FILE = "verified.json"

_seen: dict[tuple[tuple[str, int, int], ...], list[Verified]] = {}  # parts' (path, mtime_ns, size) -> results
_used: dict[str, list[Verified]] = {}  # source key -> the files it was last read from


@functools.cache
def manifest() -> dict[str, list[Known]]:
    """The pinned versions of every file claimmap knows, by file name (``geo/data_manifest.json``)."""
    text = files("geo").joinpath("data_manifest.json").read_text(encoding="utf-8")
    return {name: [Known(**v) for v in versions] for name, versions in json.loads(text)["files"].items()}


def verify(src: Source, path: Path) -> list[Verified]:
    """Check the file(s) ``src`` is read from at ``path`` (a shapefile with all its parts); a file that
    is damaged or matches no pinned version raises DataError, unless unknown data is accepted.

    Called on every :func:`fetch`, so a file already checked in this process costs one stat per part."""
    stats = _parts(src, path)
    done = _seen.get(stats)
    if done is not None and (all(r.status != "unverified" for r in done) or accept_unknown()):
        return done
    remembered = _remembered()
    fresh = [remembered.get(name, {}) if _same(remembered.get(name, {}), key) else {}
             for name, key in ((str(Path(k[0]).absolute()), k) for k in stats)]
    results = [_verify_file(src, Path(key[0]), key[2], entry.get("sha256")) for key, entry in zip(stats, fresh)]
    if any(r.status != "pinned" and not entry for r, entry in zip(results, fresh)):
        _check_structure(src, path)  # a file not seen before that is not pinned must at least be well formed
    unverified = [r for r in results if r.status == "unverified"]
    if unverified:
        warnings.warn(
            f"using unverified data {', '.join(str(r.path) for r in unverified)} "
            "(it matches no pinned version; accepted by --accept-unknown-data)", stacklevel=3,
        )
    _seen[stats] = results
    if all(fresh):
        return results  # already on record
    _remember({str(r.path.absolute()): {"mtime_ns": k[1], "size": k[2], "sha256": r.sha256}
               for k, r in zip(stats, results)})
    return results


def _same(entry: dict, key: tuple[str, int, int]) -> bool:
    return entry.get("mtime_ns") == key[1] and entry.get("size") == key[2]


@functools.cache
def _pinned_parts(stem: str) -> frozenset[str]:
    """The shapefile parts (".dbf" ...) the manifest pins for a layer."""
    return frozenset(Path(name).suffix for name in manifest() if Path(name).stem == stem)


def _parts(src: Source, path: Path) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime_ns, size) of each file read for ``path``: an extracted shapefile is all its parts."""
    if path.suffix != ".shp":
        st = path.stat()
        return ((str(path), st.st_mtime_ns, st.st_size),)
    parts = []
    base = str(path)[:-4]
    for suffix in SHAPEFILE_PARTS:
        try:
            st = os.stat(base + suffix)
        except FileNotFoundError:
            if suffix in _REQUIRED_PARTS or suffix in _pinned_parts(path.stem):
                raise DataError(f"{base + suffix} is missing beside {path.name}; {_refetch(src, path)}") from None
            continue
        parts.append((base + suffix, st.st_mtime_ns, st.st_size))
    return tuple(parts)


def _verify_file(src: Source, path: Path, size: int, sha: str | None) -> Verified:
    """Pinned, downloaded by claimmap (unless ``src.strict``) or accepted as unknown; else DataError."""
    sha = sha or sha256_of(path)
    known = manifest().get(path.name, [])
    match = next((k for k in known if k.sha256 == sha and k.size == size), None)
    if match is not None:
        return Verified(path, sha, "pinned", match.version)
    record = _download_record(path)
    if record is not None and record.get("sha256") == sha and not src.strict:
        return Verified(path, sha, "downloaded", str(record.get("downloaded", "")))
    if accept_unknown():
        return Verified(path, sha, "unverified", "unknown")
    if record == {}:
        why = f"its download record {provenance_path(path).name} is damaged"
    elif record is not None and record.get("sha256") != sha:
        why = f"sha256 {sha} differs from {record.get('sha256')} recorded when it was downloaded"
    elif known:
        why = f"sha256 {sha} is not the pinned {known[0].sha256} ({known[0].version})"
    else:
        why = f"sha256 {sha} matches no version claimmap knows"
    raise DataError(f"{path}: {why}; {_refetch(src, path)}, or pass --accept-unknown-data to use it anyway")


def _download_record(path: Path) -> dict | None:
    """What claimmap recorded when it downloaded ``path`` into the cache, if it did."""
    meta = provenance_path(path)
    if not meta.is_file():
        return None
    try:
        record = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}  # a damaged record vouches for nothing
    return record if isinstance(record, dict) else {}


def _refetch(src: Source, path: Path) -> str:
    """How to get a good copy of ``path`` again, for error messages."""
    if path.absolute().is_relative_to(cache_dir().absolute()):
        return f"delete {path} and claimmap downloads it again from {src.url}"
    if path.suffix in SHAPEFILE_PARTS and src.is_zip:
        return f"extract it again from {src.url}"
    return f"fetch it again from {src.url}"


def _remembered() -> dict[str, dict]:
    """Files checked in earlier runs: path -> mtime_ns, size, sha256."""
    try:
        entries = json.loads((cache_dir() / _VERIFIED_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}  # no record yet, or a damaged one: check again
    return entries if isinstance(entries, dict) else {}


def _remember(entries: dict[str, dict]) -> None:
    """Add to the record of checked files (dropping files that are gone); a cache folder that cannot be
    written only costs a re-check next time."""
    path = cache_dir() / _VERIFIED_FILE
    old = {k: v for k, v in _remembered().items() if isinstance(v, dict) and os.path.exists(k)}
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".verified.", suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(old | entries, f)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


# The GeoNames tables claimmap reads, by file stem: (columns, integer columns, {float column: range},
# at least this many rows). The code tables cover the whole world, so a short one is a cut one; a place
# table (cities500, a country dump, a user's regional extract) may be any size. Place tables not named
# here (cities500, cities15000, country dumps) are the 19-column geoname table.
_GEONAME_TABLE = (19, (0, 14), {4: (-90.0, 90.0), 5: (-180.0, 180.0)})
_TABLES: dict[str, tuple[int, tuple[int, ...], dict[int, tuple[float, float]], int]] = {
    "countryInfo": (19, (7, 16), {6: (0.0, 2e7)}, 240),
    "admin1CodesASCII": (4, (3,), {}, 3_000),
    "admin2Codes": (4, (3,), {}, 30_000),
}


def _check_structure(src: Source, path: Path) -> None:
    """A file that is not pinned must still be readable and complete: a truncated table or shapefile
    fails here with its name, not later as a wrong answer or a traceback."""
    try:
        if src.folder == "geonames":
            _check_table(src, path)
        else:
            _check_layer(src, path)
    except DataError:
        raise
    except Exception as exc:  # zip, GDAL and decoding errors come in many types; all mean a damaged file
        raise DataError(f"{path}: cannot be read ({_one_line(exc)}); {_refetch(src, path)}") from exc


def _check_table(src: Source, path: Path) -> None:
    import zipfile

    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            text = archive.read(src.member).decode("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    stem = Path(src.member).stem
    columns, integers, floats, at_least = _TABLES.get(stem) or (*_GEONAME_TABLE, 1)
    where = f"{path}" if path.suffix != ".zip" else f"{path}:{src.member}"
    if text and not text.endswith("\n"):
        raise DataError(f"{where}: the last line is cut short (a truncated file?); {_refetch(src, path)}")
    rows = 0
    for number, line in enumerate(text.split("\n"), 1):
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        problem = None
        if len(fields) != columns:
            problem = f"{len(fields)} columns instead of {columns}"
        elif bad := next((c for c in integers if not re.fullmatch(r"-?\d+", fields[c])), None):
            problem = f"column {bad + 1} {fields[bad]!r} is not a whole number"
        elif bad := next((c for c, (lo, hi) in floats.items() if not _within(fields[c], lo, hi)), None):
            problem = f"column {bad + 1} {fields[bad]!r} is not a number in {floats[bad][0]:g}..{floats[bad][1]:g}"
        if problem:
            raise DataError(f"{where}, line {number}: {problem} (a damaged file?); {_refetch(src, path)}")
        rows += 1
    if rows < at_least:
        raise DataError(f"{where}: {rows} rows, fewer than the {at_least} a complete file has; {_refetch(src, path)}")


def _within(text: str, lo: float, hi: float) -> bool:
    try:
        return lo <= float(text) <= hi
    except ValueError:
        return False


def _check_layer(src: Source, path: Path) -> None:
    """A layer must be whole (a truncated shapefile reads as features without geometry, silently) and
    readable. NE itself has the odd feature without geometry, so their count proves nothing."""
    import zipfile

    import pyogrio

    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
        if bad is not None:
            raise DataError(f"{path}: member {bad} is damaged; {_refetch(src, path)}")
    elif path.suffix == ".shp":
        for part, expected in _shapefile_sizes(path).items():
            if part.stat().st_size < expected:
                raise DataError(f"{part}: {part.stat().st_size} bytes, its header says {expected} "
                                f"(a truncated file); {_refetch(src, path)}")
    layer = pyogrio.read_dataframe(path)
    if layer.empty:
        raise DataError(f"{path}: no features; {_refetch(src, path)}")


def _shapefile_sizes(shp: Path) -> dict[Path, int]:
    """The sizes the headers of a shapefile's .shp, .shx and .dbf give for themselves."""
    sizes = {}
    for suffix in (".shp", ".shx"):
        part = shp.with_suffix(suffix)
        with open(part, "rb") as f:
            header = f.read(28)
        sizes[part] = int.from_bytes(header[24:28], "big") * 2 if len(header) == 28 else 28
    dbf = shp.with_suffix(".dbf")
    with open(dbf, "rb") as f:
        header = f.read(12)
    if len(header) == 12:
        records, header_size, record_size = (int.from_bytes(header[i:j], "little") for i, j in ((4, 8), (8, 10), (10, 12)))
        sizes[dbf] = header_size + records * record_size
    else:
        sizes[dbf] = 12
    return sizes


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# --- what the data is, for people and for outputs ----------------------------------------------------


def provenance() -> dict[str, str]:
    """Each source's address and the version actually read (as far as this process has read it): the
    pinned version, a download date, or UNVERIFIED for files accepted by --accept-unknown-data."""
    rows = {}
    for key in {**dict.fromkeys(SOURCES), **dict.fromkeys(_used)}:
        src = source(key)
        used = _used.get(key)
        rows[key] = f"{src.url} ({'; '.join(dict.fromkeys(r.describe() for r in used)) if used else src.version})"
    return rows


def describe() -> list[dict[str, str]]:
    """One row per source: where it is read from, its version, licence, and pinned hashes or date."""
    folder = data_dir()
    rows = []
    for src in SOURCES.values():
        row = {"key": src.key, "version": src.version, "licence": src.licence, "url": src.url}
        path = locate(src)
        row["origin"] = "data folder" if folder is not None else "cache"
        row["path"] = str(path) if path else ("missing" if folder is not None else "not downloaded yet")
        record = _download_record(path) if path else None
        if record:
            row["downloaded"] = str(record.get("downloaded"))
            row["sha256"] = str(record.get("sha256"))
        pinned = manifest().get(path.name if path else Path(src.url).name)
        if pinned and "sha256" not in row:
            row["sha256"] = pinned[0].sha256
            row["version"] = pinned[0].version
        rows.append(row)
    return rows


def verify_all() -> list[tuple[str, str, bool]]:
    """Check every source present on this machine: (key, what was found, whether it can be used)."""
    report = []
    for src in SOURCES.values():
        try:
            path = locate(src)
            if path is None:
                folder = data_dir()
                if folder is None:
                    report.append((src.key, "not downloaded yet", True))
                else:
                    wanted = " or ".join(str(p.relative_to(folder)) for p in src.offline_candidates(folder))
                    report.append((src.key, f"missing: {wanted} (from {src.url})", False))
                continue
            results = verify(src, path)
        except DataError as exc:
            report.append((src.key, str(exc), False))
            continue
        kinds = "; ".join(dict.fromkeys(r.describe() for r in results))
        report.append((src.key, f"{path}: {len(results)} file(s) ok, {kinds}", True))
    return report


@contextlib.contextmanager
def configured(folder: str | os.PathLike | None = None, accept: bool | None = None) -> Iterator[None]:
    """Use this data folder and/or acceptance of unknown data inside the block (None: leave as is)."""
    global _data_dir, _accept_unknown
    saved = _data_dir, _accept_unknown
    try:
        if folder is not None:
            set_data_dir(folder)
        if accept is not None:
            set_accept_unknown(accept)
        yield
    finally:
        _data_dir, _accept_unknown = saved
