"""GeoNames as a prebuilt on-disk index: read and folded once, then memory-mapped in milliseconds.

Parsing cities500 (200,000 places, 1.2 million spellings) takes seconds; the index is a handful of
numpy arrays in one file in the user cache (``geo.data.cache_dir()``), rebuilt when a source
file's size or modification time changes or when the file is unreadable. Names are found by a 64-bit
hash of their folded key (binary search in a sorted array), typos by a delete-neighbourhood: every key
with one letter removed is hashed too, so a query one edit away from a name meets it without scanning
200,000 names (the SymSpell idea).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import mmap
import os
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from ..data import cache_dir
from ..errors import DataError
from .names import fold_all
from .ranking import place_importance

FORMAT = 4  # bump when the arrays' layout or meaning changes
MAX_DEEP_LENGTH = 12  # two deletions of a longer key make too many variants to be cheap
MIN_FUZZY_LENGTH = 4  # shorter keys match only exactly: one edit turns "Leh" into a hundred names

# GeoNames' alternate names include airport codes and abbreviations ("LEH" is Le Havre's airport, not Leh):
# all-capital ASCII words of two to five letters are left out.
_CODE = r"[A-Z]{2,5}"
# The columns read from GeoNames' 19-column "geoname" table.
_COLUMNS = {
    0: "geonameid", 1: "name", 2: "asciiname", 3: "alternatenames", 4: "lat", 5: "lon", 7: "fcode",
    8: "cc", 14: "population",
}
_DTYPES = {0: "int64", 1: str, 2: str, 3: str, 4: "float64", 5: "float64", 7: str, 8: str, 14: "int64"}


def key_hash(key: str) -> int:
    """A stable 64-bit hash of a folded key (Python's own ``hash`` changes from run to run)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")


def deletes(key: str) -> set[str]:
    """The key with each one letter removed: two keys one edit apart share one of these (or a key)."""
    return {key[:i] + key[i + 1:] for i in range(len(key))}


class Index:
    """The arrays of one built index; places by position, keys by position in hash order."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.arrays = arrays
        self.key_hashes = arrays["key_hashes"]
        self.key_bounds = arrays["key_bounds"]
        self.entry_place = arrays["entry_place"]
        self.entry_alternate = arrays["entry_alternate"]
        self.delete_hashes = arrays["delete_hashes"]
        self.delete_keys = arrays["delete_keys"]
        self._key_blob, self.key_offsets = arrays["key_blob"], arrays["key_offsets"]
        self._name_blob, self.name_offsets = arrays["name_blob"], arrays["name_offsets"]
        # computed here, not stored, so that the ranking can change without rebuilding the index
        self.importance = place_importance(arrays["population"], arrays["fcode"], arrays["fcodes"])
        self.lat, self.lon = arrays["lat"], arrays["lon"]
        self.population = arrays["population"]
        self.geonameid = arrays["geonameid"]
        self.fcode = arrays["fcodes"][arrays["fcode"]]
        self.country = arrays["countries"][arrays["country"]]
        self.claimant_sets = [frozenset(s.split()) for s in arrays["claimant_sets"].tolist()]
        self.claimants = arrays["claimants"]

    def key_code(self, key: str) -> int | None:
        """Position of an exact folded key, or None."""
        h = np.uint64(key_hash(key))
        i = int(np.searchsorted(self.key_hashes, h))
        if i < len(self.key_hashes) and self.key_hashes[i] == h and self.key(i) == key:
            return i
        return None

    def near_keys(self, key: str, depth: int = 1) -> np.ndarray:
        """Positions of keys (own names, Latin alternate names) that share a variant with ``key`` when
        up to ``depth`` letters are removed from it and one from them: a superset of the keys one edit
        away (``depth`` 1), or of most keys two or three edits away (``depth`` 2, for suggestions)."""
        variants = {key}
        for _ in range(depth if len(key) <= MAX_DEEP_LENGTH else 1):
            variants |= {d for v in variants for d in deletes(v)}
        hashes = np.fromiter((key_hash(v) for v in variants), np.uint64, len(variants))
        lo = np.searchsorted(self.delete_hashes, hashes, "left")
        hi = np.searchsorted(self.delete_hashes, hashes, "right")
        hits = [self.delete_keys[a:b] for a, b in zip(lo.tolist(), hi.tolist()) if b > a]
        return np.unique(np.concatenate(hits)) if hits else np.empty(0, np.int64)

    def entries(self, code: int) -> slice:
        return slice(int(self.key_bounds[code]), int(self.key_bounds[code + 1]))

    def key(self, code: int) -> str:
        return self._key_blob[self.key_offsets[code]:self.key_offsets[code + 1]].tobytes().decode()

    def name(self, place: int) -> str:
        return self._name_blob[self.name_offsets[place]:self.name_offsets[place + 1]].tobytes().decode()


def load(files: tuple[tuple[Path, str], ...], regions: tuple[Path, ...]) -> Index:
    """The index of these GeoNames tables (path, member in a zip), from the cache or built now.

    ``regions`` are the files the disputed-region membership of each place comes from (the claims
    layer); they are part of the cache key too.
    """
    return _load(files, regions)


@functools.cache
def _load(files: tuple[tuple[Path, str], ...], regions: tuple[Path, ...]) -> Index:
    signature = _signature(files, regions)
    # One file per set of source paths: a new GeoNames dump replaces its old index instead of piling up.
    path = cache_dir() / "gazetteer" / f"geonames-{hashlib.sha256(repr(files).encode()).hexdigest()[:16]}.idx"
    arrays = _read(path, signature)
    if arrays is None:
        print(f"claimmap: indexing GeoNames place names into {path} (once; about a minute)", file=sys.stderr)
        built = build(files)
        try:
            _write(path, built, signature)
        except OSError as exc:  # a read-only or full cache: answer from memory, build again next run
            warnings.warn(f"could not save the gazetteer index ({exc}); it is rebuilt on each run", stacklevel=2)
            return Index(built)
        arrays = _read(path, signature)
        if arrays is None:
            raise DataError(f"the gazetteer index {path} could not be read back after writing it")
    return Index(arrays)


def _signature(files: tuple[tuple[Path, str], ...], regions: tuple[Path, ...]) -> str:
    stats = [(str(p), m, p.stat().st_size, p.stat().st_mtime_ns) for p, m in files]
    stats += [(str(p), "", p.stat().st_size, p.stat().st_mtime_ns) for p in regions]
    return json.dumps({"format": FORMAT, "files": stats})


# The file: a magic line, one line of JSON (signature; per array its dtype, shape and offset), then the
# arrays' bytes at 64-byte aligned offsets. Memory-mapped, so a lookup reads only the pages it touches.
_MAGIC = b"claimmap-gazetteer\n"
_ALIGN = 64


def _read(path: Path, signature: str) -> dict[str, np.ndarray] | None:
    """The cached arrays, memory-mapped, if the file is whole and built from the same files; else None."""
    try:
        with open(path, "rb") as f:
            if f.readline() != _MAGIC:
                return None
            header = json.loads(f.readline())
        if header["signature"] != signature or path.stat().st_size != header["size"]:
            return None  # other sources, or a truncated file
        with open(path, "rb") as f:
            # a plain array over the mapping: np.memmap's subclass makes every element access slower
            data = np.frombuffer(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ), np.uint8)
        return {
            name: data[offset:offset + np.dtype(dtype).itemsize * int(np.prod(shape))].view(dtype).reshape(shape)
            for name, (dtype, shape, offset) in header["arrays"].items()
        }
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or corrupt: rebuild


def _write(path: Path, arrays: dict[str, np.ndarray], signature: str) -> None:
    """Atomically (a temporary file renamed), so a crash or a concurrent run never leaves half an index."""
    layout, offset = {}, 0
    for name, array in arrays.items():
        layout[name] = (array.dtype.str, list(array.shape), offset)
        offset += -(-array.nbytes // _ALIGN) * _ALIGN
    start = 0  # where the arrays begin: after the header, whose length depends on it
    while True:
        header = {
            "signature": signature, "size": start + offset,
            "arrays": {name: (d, shape, start + o) for name, (d, shape, o) in layout.items()},
        }
        needed = -(-(len(_MAGIC) + len(json.dumps(header).encode()) + 1) // _ALIGN) * _ALIGN
        if needed <= start:
            break
        start = needed
    line = json.dumps(header).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC + line + b"\n")
            for name, array in arrays.items():
                f.seek(header["arrays"][name][2])
                f.write(np.ascontiguousarray(array).tobytes())
            f.truncate(header["size"])
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build(files: tuple[tuple[Path, str], ...]) -> dict[str, np.ndarray]:
    """Read the tables, fold every spelling and lay the index out as arrays (a few seconds)."""
    from ..codes import iso3_from_iso2

    places = pd.concat([_read_table(path, member) for path, member in files], ignore_index=True)
    places = places.drop_duplicates("geonameid", ignore_index=True)  # a country dump repeats cities500
    iso3 = places["cc"].map(lambda cc: iso3_from_iso2(cc) or "" if cc else "")
    country_codes, countries = pd.factorize(iso3)
    claimant_codes, claimant_sets = pd.factorize(_claimants(places))
    fcode_codes, fcodes = pd.factorize(places["fcode"])

    # Spellings: own name, ASCII name (both "main"), then alternate names; one entry per (key, place).
    alternates = places["alternatenames"].str.split(",").explode()
    alternates = alternates[alternates.ne("") & ~alternates.str.fullmatch(_CODE, na=False)]
    spellings = pd.DataFrame({
        "written": pd.concat([places["name"], places["asciiname"], alternates]),
        "alternate": np.r_[np.zeros(2 * len(places), bool), np.ones(len(alternates), bool)],
    })
    spellings["place"] = spellings.index.to_numpy()
    spellings["written"] = spellings["written"].str.replace(r"[\x00-\x1f\x7f]", "", regex=True).str.strip()
    spellings["key"] = fold_all(spellings["written"])
    spellings = spellings[spellings["key"] != ""]
    spellings = spellings.drop_duplicates(["key", "place"])  # keeps the main spelling: it comes first

    keys = pd.Series(spellings["key"].unique())
    hashes = np.fromiter((key_hash(k) for k in keys), np.uint64, len(keys))
    order = np.argsort(hashes, kind="stable")
    keys, hashes = keys.iloc[order].reset_index(drop=True), hashes[order]
    code_of = pd.Series(np.arange(len(keys)), index=keys.to_numpy())
    spellings["code"] = code_of.loc[spellings["key"].to_numpy()].to_numpy()
    spellings = spellings.sort_values(["code", "alternate"], kind="stable")
    bounds = np.searchsorted(spellings["code"].to_numpy(), np.arange(len(keys) + 1))

    # Typos are looked for among own names and Latin-script alternate names ("Cherat" for Cherat
    # Cantonement); other scripts are not typed by people who make Latin typos.
    fuzzy = spellings.loc[~spellings["alternate"], "code"].unique()
    latin = keys[keys.str.isascii()].index.to_numpy()
    fuzzy = np.union1d(fuzzy, latin)
    fuzzy = fuzzy[keys.iloc[fuzzy].str.len().to_numpy() >= MIN_FUZZY_LENGTH]
    pairs = [(key_hash(v), code) for code in fuzzy.tolist() for v in {keys.iat[code], *deletes(keys.iat[code])}]
    delete_hashes = np.fromiter((h for h, _ in pairs), np.uint64, len(pairs))
    delete_keys = np.fromiter((c for _, c in pairs), np.int32, len(pairs))
    order = np.argsort(delete_hashes, kind="stable")

    key_blob, key_offsets = _blob(keys)
    name_blob, name_offsets = _blob(places["name"])
    written_blob, written_offsets = _blob(spellings["written"])
    return {
        "key_hashes": hashes, "key_bounds": bounds.astype(np.int64),
        "key_blob": key_blob, "key_offsets": key_offsets,
        "entry_place": spellings["place"].to_numpy(np.int32),
        "entry_alternate": spellings["alternate"].to_numpy(bool),
        "written_blob": written_blob, "written_offsets": written_offsets,
        "delete_hashes": delete_hashes[order], "delete_keys": delete_keys[order],
        "name_blob": name_blob, "name_offsets": name_offsets,
        "geonameid": places["geonameid"].to_numpy(np.int64),
        "lat": places["lat"].to_numpy(float), "lon": places["lon"].to_numpy(float),
        "population": places["population"].to_numpy(np.int64),
        "fcode": fcode_codes.astype(np.int16), "fcodes": np.array(fcodes, dtype=str),
        "country": country_codes.astype(np.int16), "countries": np.array(countries, dtype=str),
        "claimants": claimant_codes.astype(np.int16), "claimant_sets": np.array(claimant_sets, dtype=str),
    }


def _claimants(places: pd.DataFrame) -> pd.Series:
    """Per place, the states administering or claiming the disputed regions it lies in ("RUS UKR"), so
    that a country hint can mean the de facto state or a claimant as well as GeoNames' country code."""
    import shapely

    from ..claims import load_claims

    claims = load_claims()
    states = [
        {s for s in [admin, *claimed] if isinstance(s, str) and len(s) == 3 and s.isupper()}
        for admin, claimed in zip(claims["administered_by"], claims["claimed_by"])
    ]
    points = shapely.points(places["lon"].to_numpy(), places["lat"].to_numpy())
    point_idx, region_idx = shapely.STRtree(claims.geometry.to_numpy()).query(points, predicate="within")
    found: dict[int, set[str]] = {}
    for p, r in zip(point_idx.tolist(), region_idx.tolist()):
        found.setdefault(p, set()).update(states[r])
    joined = pd.Series("", index=places.index)
    joined.iloc[list(found)] = [" ".join(sorted(s)) for s in found.values()]
    return joined


def _blob(strings: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Strings as one UTF-8 byte array and their offsets: compact, and loads without unpickling."""
    encoded = [s.encode() for s in strings.tolist()]
    offsets = np.zeros(len(encoded) + 1, np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), np.uint8), offsets


def _read_table(path: Path, member: str) -> pd.DataFrame:
    """One geoname table; a country dump's zip also holds a readme, so its table is opened by name."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive, archive.open(member) as f:
            return _parse(f)
    return _parse(path)


def _parse(f: Path | IO[bytes]) -> pd.DataFrame:
    table = pd.read_csv(
        f, sep="\t", header=None, usecols=list(_COLUMNS), dtype=_DTYPES, quoting=csv.QUOTE_NONE,
        na_filter=False, encoding="utf-8",  # no NA parsing: "NA" is Namibia
    )
    return table.rename(columns=_COLUMNS)
