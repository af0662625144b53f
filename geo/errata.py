"""Claims on a date: Natural Earth's early-2022 snapshot corrected by a dated errata table.

NE 5.1.1 shows one moment, so a report about 2016 or about today needs what changed around it:
Crimea was Ukraine's before 18 March 2014, Russia declared Donetsk and Luhansk annexed on 30
September 2022, Artsakh dissolved on 1 January 2024. ``claims_errata.csv`` holds one row per region
and interval (``valid_from`` inclusive, ``valid_to`` exclusive, blank = open), each with its source.
Rows that only confirm NE are there too, so that an earlier date can undo them.

A row in force on the date replaces the region's administrator, claimants and worldview cells. A row
with ``disputed=no`` takes the region out of the claims layer; its area then belongs to
``administered_by`` in the country outlines as well (Crimea lies in NE's Russia). Rows with
``polygon=missing`` name regions NE has no polygon for and no open polygon exists for: they are listed,
and change nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .analysis import annotate
from .claims import load_claims
from .codes import VIEWERS, iso2_from_iso3
from .countries import load_countries
from .errors import DataError, InputError

ERRATA_FILE = Path(__file__).with_name("claims_errata.csv")
EARLIEST = dt.date(1945, 1, 1)  # the post-war order of states; nothing before it is modelled
# Before this the table dates only the regions it names; every other region is as NE shows it.
TRACKED_SINCE = dt.date(2014, 1, 1)
ERRATA_ORIGIN = "errata"  # what ``sources`` names for a claimant the table adds

_SUFFIX = {iso3: suffix for suffix, iso3 in VIEWERS.items()}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Erratum:
    """One row of the table: what held for ``region`` from ``valid_from`` until ``valid_to``."""

    region: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    disputed: bool
    administered_by: str | None  # ISO3, or an entity's own name; None keeps NE's
    claimed_by: tuple[str, ...] | None  # None keeps NE's
    worldviews: tuple[tuple[str, str], ...]  # (viewer ISO3, owner ISO3) cells that replace NE's
    polygon: str  # "natural-earth" or "missing"
    source: str
    note: str

    def in_force(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on < self.valid_to)

    @property
    def interval(self) -> str:
        return f"{self.valid_from or '…'} to {self.valid_to or '…'}"


def parse_as_of(text: str) -> dt.date:
    """A date as the user wrote it (``YYYY-MM-DD``), between 1945 and today; else ``InputError``."""
    text = text.strip()
    if not _DATE.fullmatch(text):
        raise InputError(f"bad date {text!r}: give it as YYYY-MM-DD, e.g. 2016-10-07")
    try:
        on = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"bad date {text!r}: {exc}") from exc
    return check_as_of(on)


def check_as_of(on: dt.date) -> dt.date:
    """``on`` if claims can be given for it: not before 1945 and not in the future."""
    if on < EARLIEST:
        raise InputError(f"date {on} is before {EARLIEST}: claimmap models claims since the Second World War")
    today = dt.date.today()
    if on > today:
        raise InputError(f"date {on} is in the future (today is {today}): claims are known only up to today")
    return on


def as_of_date(as_of: dt.date | str | None) -> dt.date:
    """The date an API call means: today when None, else a checked date or ``YYYY-MM-DD`` text."""
    if as_of is None:
        return dt.date.today()
    if isinstance(as_of, str):
        return parse_as_of(as_of)
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    return check_as_of(as_of)


def load_errata(path: Path = ERRATA_FILE) -> tuple[Erratum, ...]:
    """The table's rows, checked: known codes, a source each, no two rows of a region overlapping."""
    return _load_errata(Path(path))


@functools.cache
def _load_errata(path: Path) -> tuple[Erratum, ...]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = [_erratum(row, path, line) for line, row in enumerate(csv.DictReader(f), start=2)]
    by_region: dict[str, list[Erratum]] = {}
    for row in rows:
        by_region.setdefault(row.region, []).append(row)
    for region, spans in by_region.items():
        spans.sort(key=lambda e: e.valid_from or dt.date.min)
        for before, after in zip(spans, spans[1:]):
            if before.valid_to is None or after.valid_from is None or after.valid_from < before.valid_to:
                raise DataError(f"{path}: rows for {region!r} overlap ({before.interval} and {after.interval})")
    return tuple(rows)


def _erratum(row: dict[str, str], path: Path, line: int) -> Erratum:
    where = f"{path}:{line}"
    try:
        valid_from, valid_to = (dt.date.fromisoformat(row[k]) if row[k] else None for k in ("valid_from", "valid_to"))
    except ValueError as exc:
        raise DataError(f"{where}: {exc}") from exc
    if valid_from and valid_to and valid_from >= valid_to:
        raise DataError(f"{where}: valid_from {valid_from} is not before valid_to {valid_to}")
    if not row["source"].strip():
        raise DataError(f"{where}: row for {row['region']!r} has no source")
    if row["disputed"] not in ("yes", "no") or row["polygon"] not in ("natural-earth", "missing"):
        raise DataError(f"{where}: disputed must be yes/no and polygon natural-earth/missing")
    claimed = tuple(row["claimed_by"].split(";")) if row["claimed_by"] else None
    views = tuple(tuple(cell.split(":")) for cell in row["worldviews"].split(";") if cell)
    codes = [*(claimed or ()), *(c for cell in views for c in cell)]
    unknown = [c for c in codes if iso2_from_iso3(c) is None] + [v for v, _ in views if v not in _SUFFIX]
    if unknown:
        raise DataError(f"{where}: unknown country code or viewer {unknown[0]!r}")
    return Erratum(
        region=row["region"], valid_from=valid_from, valid_to=valid_to, disputed=row["disputed"] == "yes",
        administered_by=row["administered_by"] or None, claimed_by=claimed, worldviews=views,
        polygon=row["polygon"], source=row["source"], note=row["note"],
    )


def in_force(on: dt.date) -> tuple[Erratum, ...]:
    """The rows that hold on ``on`` for regions NE has a polygon for."""
    return tuple(e for e in load_errata() if e.polygon == "natural-earth" and e.in_force(on))


def apply(claims: gpd.GeoDataFrame, as_of: dt.date | str | None) -> gpd.GeoDataFrame:
    """The claims layer as it stood on ``as_of``: NE's rows corrected, rows no longer disputed dropped.

    Adds ``as_of`` (ISO date) and ``errata`` (the sources of the rows in force for each region).
    """
    on = as_of_date(as_of)
    rows = {e.region: e for e in in_force(on)}
    dated = claims.copy()
    dated["as_of"] = on.isoformat()
    dated["errata"] = [[rows[r].source] if r in rows else [] for r in dated["region"]]
    for i in np.flatnonzero(dated["region"].isin(rows)):
        erratum = rows[dated["region"].iat[i]]
        sources = {k: list(v) for k, v in dated["sources"].iat[i].items()}
        views = dict(dated["worldviews"].iat[i])
        for viewer, owner in erratum.worldviews:
            column = f"ADM0_A3_{_SUFFIX[viewer]}"
            sources = {k: [o for o in v if o != column] for k, v in sources.items()}
            sources.setdefault(owner, []).append(column)
            views[viewer] = owner
        if erratum.claimed_by is not None:
            sources = {c: sorted({*sources.get(c, ()), ERRATA_ORIGIN}) for c in erratum.claimed_by}
        sources = {c: sorted(o) for c, o in sorted(sources.items()) if o}
        dated.iat[i, dated.columns.get_loc("sources")] = sources
        dated.iat[i, dated.columns.get_loc("worldviews")] = views
        dated.iat[i, dated.columns.get_loc("claimed_by")] = sorted(sources)
        if erratum.administered_by:
            dated.iat[i, dated.columns.get_loc("administered_by")] = erratum.administered_by
    undisputed = dated["region"].map(lambda r: r in rows and not rows[r].disputed).astype(bool)
    return dated[~undisputed.to_numpy()]


def apply_countries(
    countries: gpd.GeoDataFrame, claims: gpd.GeoDataFrame, as_of: dt.date | str | None
) -> gpd.GeoDataFrame:
    """Country outlines on ``as_of``: each region no longer disputed belongs to its administrator.

    ``claims`` is NE's claims layer (:func:`geo.claims.load_claims`), which has the regions' polygons.
    """
    on = as_of_date(as_of)
    units = set(countries["iso3"])
    handed = [e for e in in_force(on) if not e.disputed and e.administered_by in units]
    if not handed:
        return countries
    dated = countries.copy()
    geometry = dated.geometry.to_numpy().copy()
    for erratum in handed:
        area = _region_area(claims, erratum.region)
        target = (dated["iso3"] == erratum.administered_by).to_numpy()
        others = ~target & shapely.intersects(geometry, area)
        geometry[others] = shapely.difference(geometry[others], area)
        owner = np.flatnonzero(target)[0]
        if not shapely.covers(geometry[owner], area):
            geometry[owner] = shapely.union(geometry[owner], area)
    dated.geometry = gpd.GeoSeries(geometry, index=dated.index, crs=dated.crs)
    return dated


def _region_area(claims: gpd.GeoDataFrame, region: str) -> shapely.Geometry:
    """The union of a region's polygons in NE's claims layer."""
    return shapely.union_all(claims.geometry[claims["region"] == region].to_numpy())


def annotate_on(sites: gpd.GeoDataFrame, as_of: dt.date | str | None = None) -> gpd.GeoDataFrame:
    """:func:`geo.analysis.annotate` with the claims and outlines of ``as_of`` (default today).

    Adds ``as_of`` and ``errata``: the sources of the rows in force for every region the site touches,
    or whose (no longer disputed) area it lies in.
    """
    on = as_of_date(as_of)
    if on < TRACKED_SINCE:
        warnings.warn(f"claims on {on} are Natural Earth's 2022 picture except for the regions the errata "
                      "table dates (see `claimmap data`)", stacklevel=2)
    claims = load_claims()
    dated = apply(claims, on)
    annotated = annotate(sites, claims=dated, countries=apply_countries(load_countries(), claims, on))
    annotated["as_of"] = on.isoformat()
    annotated["errata"] = _site_errata(annotated, dated, claims, on)
    return annotated


def _site_errata(annotated: gpd.GeoDataFrame, dated: gpd.GeoDataFrame, claims: gpd.GeoDataFrame,
                 on: dt.date) -> list[list[str]]:
    """Per site, the sorted sources of the errata behind its answer, from (site, source) pairs."""
    touched = annotated["regions"].reset_index(drop=True).explode().dropna()
    by_region = dated.drop_duplicates("region").set_index("region")["errata"]
    pairs = [touched.map(by_region).explode().dropna()]
    points = np.asarray(annotated.geometry.values)
    for erratum in (e for e in in_force(on) if not e.disputed):
        area = _region_area(claims, erratum.region)
        inside = np.flatnonzero(shapely.intersects(area, points))
        pairs.append(pd.Series(erratum.source, index=inside, dtype=object))
    found = pd.concat(pairs)
    lists = found.groupby(level=0).agg(lambda s: sorted(set(s))) if len(found) else pd.Series(dtype=object)
    return [lists.get(i, []) for i in range(len(annotated))]


def describe() -> list[str]:
    """The table as ``claimmap data`` lists it: one line per row, then its source."""
    lines = [f"errata: {ERRATA_FILE} ({len(load_errata())} dated corrections to Natural Earth 5.1.1)"]
    for e in load_errata():
        if not e.disputed:
            state = f"not disputed{', ' + e.administered_by if e.administered_by else ''}"
        else:
            parts = [f"administered by {e.administered_by}" if e.administered_by else "",
                     f"claimed by {', '.join(e.claimed_by)}" if e.claimed_by else "",
                     "worldviews " + ", ".join(f"{v}:{o}" for v, o in e.worldviews) if e.worldviews else ""]
            state = "; ".join(p for p in parts if p)
        gap = " [no polygon]" if e.polygon == "missing" else ""
        lines.append(f"  {e.region}, {e.interval}: {state}{gap}")
        lines.append(f"      source: {e.source}")
    return lines
