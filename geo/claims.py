"""Disputed areas and who claims them, from Natural Earth's disputed-areas layer.

No single column tells the whole story, so a region's claimants are the union of:
- the worldview columns ``ADM0_A3_<XX>``: the state each viewer's official map gives the area to;
- the unit NE files the area under (``ADM0_A3``, ``ADMIN``), i.e. the de facto map;
- the free-text ``NOTE_BRK`` (see :mod:`geo.notes`).
``sources`` records which of these named each claimant. Claims are held by sovereign states, so a
dependency counts as its sovereign (Gibraltar -> GBR). The administering state is a claimant only
when one of these sources says so: the US runs Guantanamo Bay but does not claim it.

A viewer whose map gives the administering state's whole territory to someone else (Taiwan's map
shows all of China as the ROC) makes a claim on that state, not on the region: it is left out here,
as it is for any undisputed site in that state, unless the region is most of the state (Kosovo).

Two regions have no claimants: Bir Tawil, which Egypt and Sudan both disclaim, and Scarborough
Reef, for which NE names no party (no note; every worldview shows NE's own unit).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from .codes import VIEWERS, ne_code_of_admin, owner_iso3, worldviews
from .countries import load_countries
from .data import fetch
from .notes import Note, parse_note

COLUMNS = [
    "region", "region_alt", "group", "kind", "note",
    "administered_by", "claimed_by", "worldviews", "sources", "geometry",
]


def load_claims(as_of: dt.date | str | None = None) -> gpd.GeoDataFrame:
    """One row per disputed-area polygon, NE's order and index; a copy callers may change.

    With ``as_of`` (a date or ``YYYY-MM-DD``), the claims as they stood that day: NE corrected by the
    dated errata (:mod:`geo.errata`), with ``as_of`` and ``errata`` columns. Without it, NE as it is.
    """
    claims = _load(fetch("disputed_areas")).copy()
    if as_of is None:
        return claims
    from .errata import apply

    return apply(claims, as_of)


def claims_for(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The claims layer ``sites`` were annotated with: as of their ``as_of`` date, else NE's as is."""
    dates = sites["as_of"].dropna() if "as_of" in sites else ()
    return load_claims(as_of=dates.iloc[0] if len(dates) else None)


@functools.cache
def _load(path: Path) -> gpd.GeoDataFrame:
    areas = gpd.read_file(path)
    claims = gpd.GeoDataFrame(
        {
            # Two NE names start with a byte-order mark (U+FEFF), which would defeat lookups.
            "region": areas["BRK_NAME"].str.lstrip("\ufeff"),
            "region_alt": _or_none(areas["NAME_ALT"]),
            "group": _or_none(areas["BRK_GROUP"]),
            "kind": areas["TYPE"],
            "note": _or_none(areas["NOTE_BRK"]),
        },
        geometry=areas.geometry,
        crs=areas.crs,
    )
    claims["worldviews"] = worldviews(areas)
    records = areas.to_dict("records")
    notes = [parse_note(note) for note in claims["note"]]
    whole_state = _whole_state_views(claims, areas["ADM0_A3"].map(owner_iso3))
    claims["sources"] = [
        _sources(area, note, {v: o for v, o in views.items() if (v, o) not in skip})
        for area, note, views, skip in zip(records, notes, claims["worldviews"], whole_state)
    ]
    claims["claimed_by"] = [sorted(sources) for sources in claims["sources"]]
    claims["administered_by"] = [
        _administrator(area, region, note)
        for area, region, note in zip(records, claims["region"], notes)
    ]
    return claims[COLUMNS]


def _or_none(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), None)


def _whole_state_views(claims: gpd.GeoDataFrame, administrators: pd.Series) -> list[set[tuple[str, str]]]:
    """Per region, the (viewer, owner) pairs that only repeat the viewer's claim on the whole
    administering state; a region over half that state's area is itself what is claimed."""
    countries = load_countries()
    # A state's own unit comes first; 1:10m adds small ones under its code (Clipperton is FRA).
    main = countries.drop_duplicates("iso3")
    views = dict(zip(main["iso3"], main["worldviews"]))
    # units do not overlap, so a state's area is the sum of its units' (Indian Ocean Territories and
    # Ashmore share AUS); ratios only, so degrees do
    area = pd.Series(shapely.area(countries.geometry.values)).groupby(countries["iso3"].to_numpy()).sum()
    skips = []
    for admin, region_area in zip(administrators, shapely.area(claims.geometry.values)):
        state_views = views.get(admin, {})
        small = admin in area.index and region_area < 0.5 * area[admin]
        skips.append({(v, o) for v, o in state_views.items() if small and o != admin})
    return skips


def _sources(area: dict, note: Note, views: dict[str, str]) -> dict[str, list[str]]:
    origins: dict[str, set[str]] = defaultdict(set)
    for suffix, viewer in VIEWERS.items():
        if viewer in views:
            origins[views[viewer]].add(f"ADM0_A3_{suffix}")
    # Vukovar and Sarengrad islands: ADMIN is Croatia, ADM0_A3 is Serbia; both are parties.
    for column, owner in (("ADM0_A3", owner_iso3(area["ADM0_A3"])), ("ADMIN", _admin_owner(area))):
        if owner:
            origins[owner].add(column)
    for claimant in note.claimed_by:
        origins[claimant].add("NOTE_BRK")
    return {claimant: sorted(origins[claimant]) for claimant in sorted(origins)}


def _admin_owner(area: dict) -> str | None:
    code = ne_code_of_admin(area["ADMIN"])
    return owner_iso3(code) if code else None


def _administrator(area: dict, region: str, note: Note) -> str:
    """The note's administrator, else NE's de facto owner, else the entity's own name.

    A self-administered area is its own administrator: by ISO3 where it has one and is not the
    state claiming it back (Taiwan -> TWN), else by name (Somaliland, Transnistria, Artsakh).
    """
    if note.administered_by:
        return note.administered_by
    default = owner_iso3(area["ADM0_A3"])
    if default and not (note.self_administered and default in note.claimed_by):
        return default
    # ADMIN names the entity itself (Somaliland, Spratly Islands) unless it names the country
    # the area breaks away from (Abkhazia's ADMIN is Georgia); then the region's name is used.
    return region if _admin_owner(area) else area["ADMIN"]
