"""Country codes: ISO 3166-1 alpha-3 for everything claimmap outputs.

Natural Earth (NE) codes its units with its own three-letter codes. Most equal ISO's, but some
do not: sovereign codes (``CH1``, ``GB1``), ``SDS``/``PSX``/``SAH``/``KOS``, and placeholders
(``B35``, ``C02``, ``UUU``, ``PGA`` ...) that name no country. The mapping to ISO is read from
NE's own ISO columns; only what the data cannot say is written here.

Kosovo has no ISO 3166-1 code; ``XKX`` is the user-assigned code the EU, IMF and GeoNames use.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .data import fetch
from .errors import InputError

# NE worldview column suffix (``ADM0_A3_<XX>``) -> the viewer's ISO3. NE's "UN" and "WB" columns
# are organisations, not countries, so they are not viewers.
VIEWERS: dict[str, str] = {
    "US": "USA", "FR": "FRA", "RU": "RUS", "ES": "ESP", "CN": "CHN", "TW": "TWN", "IN": "IND",
    "NP": "NPL", "PK": "PAK", "DE": "DEU", "GB": "GBR", "BR": "BRA", "IL": "ISR", "PS": "PSE",
    "SA": "SAU", "EG": "EGY", "MA": "MAR", "PT": "PRT", "AR": "ARG", "JP": "JPN", "KO": "KOR",
    "VN": "VNM", "TR": "TUR", "ID": "IDN", "PL": "POL", "GR": "GRC", "IT": "ITA", "NL": "NLD",
    "SE": "SWE", "BD": "BGD", "UA": "UKR",
}

# NE codes whose ISO code NE's ISO columns leave out (-99) or misspell.
_NE_TO_ISO = {
    "KOS": "XKX",
    "DEN": "DNK",  # Hans Island's worldview columns write Denmark as DEN; NE's code is DNK
}

# Names in NE's notes that GeoNames does not spell that way (keys as _normalise leaves them).
_NAME_ALIASES = {"uk": "GBR", "usa": "USA", "azer": "AZE", "uae": "ARE"}

# GeoNames names that read badly ("claimed by The Netherlands") or differ from NE's ("Palestine").
_SHORT_NAMES = {"PSE": "Palestine", "NLD": "Netherlands"}

# NE's placeholders for breakaway and disputed units, e.g. B35 (Abkhazia), C02 (Donetsk).
_PLACEHOLDER = re.compile(r"[BC]\d\d")


@dataclass(frozen=True)
class _CountryInfo:
    names: dict[str, str]  # ISO3 -> English short name
    by_name: dict[str, str]  # normalised name -> ISO3
    by_iso2: dict[str, str]  # ISO2 (GeoNames' and OSM's codes) -> ISO3


@functools.cache
def _country_info(path: Path) -> _CountryInfo:
    names: dict[str, str] = {}
    by_iso2: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            names[fields[1]] = fields[4]
            by_iso2[fields[0]] = fields[1]
    by_name = {_normalise(name): iso3 for iso3, name in names.items()} | _NAME_ALIASES
    names.update(_SHORT_NAMES)
    by_name |= {_normalise(name): iso3 for iso3, name in _SHORT_NAMES.items()}
    return _CountryInfo(names, by_name, by_iso2)


def _info() -> _CountryInfo:
    return _country_info(fetch("country_info"))


def _normalise(name: str) -> str:
    """Fold case, dots and a leading "the", so "the Philippines" and "U.S.A" find their codes."""
    name = " ".join(name.replace(".", "").split()).casefold()
    return name.removeprefix("the ")


@functools.lru_cache(maxsize=4096)  # labels and hints are built per place looked up: skip the file check
def country_name(code: str) -> str:
    """English short name of an ISO3 code; anything else (an entity's name) comes back as is."""
    return _info().names.get(code, code)


def iso3_from_name(name: str) -> str | None:
    """ISO3 of a country named in English as NE's notes name them, or None if unknown."""
    return _info().by_name.get(_normalise(name))


def iso3_from_iso2(code: str) -> str | None:
    return _info().by_iso2.get(code.upper())


def iso2_from_iso3(code: str) -> str | None:
    return next((two for two, three in _info().by_iso2.items() if three == code), None)


@functools.lru_cache(maxsize=4096)
def find_country(text: str, iso2: bool = True) -> str | None:
    """ISO3 for a country as people write it: an English name, an ISO3 code, or (if ``iso2``) ISO2."""
    text = text.strip()
    upper = text.upper()
    if len(upper) == 3 and upper in _info().names:
        return upper
    if iso2 and len(upper) == 2:
        return iso3_from_iso2(upper)
    return iso3_from_name(text)


def country_code(text: str) -> str:
    """ISO3 for a country hint (``CO``, ``COL``, ``Colombia``); an unknown country is bad input."""
    code = find_country(text)
    if code is None:
        raise InputError(f"unknown country {text!r}: give an ISO2 or ISO3 code or an English country name")
    return code


@dataclass(frozen=True)
class _NeCodes:
    iso: dict[str, str]  # NE code -> ISO3 of the unit itself
    owner: dict[str, str]  # NE code -> ISO3 of the sovereign state that holds the unit
    admin: dict[str, str]  # NE ADMIN name -> NE code


_NE_COLUMNS = ["ADMIN", "ADM0_A3", "SOVEREIGNT", "SOV_A3", "TYPE", "ISO_A3", "ISO_A3_EH"]


@functools.cache
def _ne_codes(countries: Path, disputed: Path, country_info: Path) -> _NeCodes:
    known = _country_info(country_info).names
    units = gpd.read_file(countries, columns=_NE_COLUMNS, ignore_geometry=True)
    # NE writes -99 where ISO has no code, and France and Norway have -99 in ISO_A3 only.
    iso_a3 = units["ISO_A3"].where(units["ISO_A3"] != "-99", units["ISO_A3_EH"])
    iso = {code: i for code, i in zip(units["ADM0_A3"], iso_a3) if i != "-99"} | _NE_TO_ISO
    # A sovereign code (CH1, GB1 ...) stands for the unit that is its own sovereign (China, UK).
    heads = units[units["ADMIN"] == units["SOVEREIGNT"]]
    iso |= {sov: iso[code] for sov, code in zip(heads["SOV_A3"], heads["ADM0_A3"]) if code in iso}

    owner = {sov: iso[sov] for sov in heads["SOV_A3"] if sov in iso}
    for code, sov, kind in zip(units["ADM0_A3"], units["SOV_A3"], units["TYPE"]):
        # NE files Palestine under Israel's sovereign code but types it Indeterminate, like
        # W. Sahara and Antarctica: such a unit is its own owner, not its filing sovereign's.
        held_by = code if kind == "Indeterminate" else sov
        if held_by in iso:
            owner[code] = iso[held_by]
    # Units too small for the countries layer (Gibraltar, US Minor Outlying Is., the
    # Guantanamo and Baykonur leases) take their sovereign from the disputed-areas layer.
    areas = gpd.read_file(disputed, columns=["ADM0_A3", "SOV_A3"], ignore_geometry=True)
    for code, sov in zip(areas["ADM0_A3"], areas["SOV_A3"]):
        if code not in owner and not _PLACEHOLDER.fullmatch(code) and sov in iso:
            owner[code] = iso[sov]
    owner |= {code: owner[i] for code, i in _NE_TO_ISO.items() if code not in owner}
    iso |= {code: code for code in owner if code not in iso and code in known}
    return _NeCodes(iso, owner, dict(zip(units["ADMIN"], units["ADM0_A3"])))


def _ne() -> _NeCodes:
    return _ne_codes(fetch("countries"), fetch("disputed_areas"), fetch("country_info"))


def to_iso3(ne_code: str) -> str | None:
    """ISO3 of the unit an NE code stands for (GRL -> GRL, SAH -> ESH); None if it names none."""
    return _ne().iso.get(ne_code)


def owner_iso3(ne_code: str) -> str | None:
    """ISO3 of the sovereign state holding an NE unit (GRL -> DNK, GB1 -> GBR), or None.

    Claims are held by sovereign states, so a dependency counts as its sovereign.
    """
    return _ne().owner.get(ne_code)


def ne_code_of_admin(admin: str) -> str | None:
    """NE code of a unit named as in NE's ADMIN column ("Croatia" -> HRV), or None."""
    return _ne().admin.get(admin)


def worldviews(units: pd.DataFrame) -> list[dict[str, str]]:
    """Per NE row: viewer ISO3 -> ISO3 of the state that viewer's official map gives it to.

    A viewer whose map gives the unit to no country (NE placeholders such as B35, PGA, UUU, or an
    unrecognised entity such as Somaliland) is left out, so every value is a country's ISO3.
    """
    owners = units[[f"ADM0_A3_{suffix}" for suffix in VIEWERS]].map(_ne().owner.get)
    owners.columns = list(VIEWERS.values())
    return [row.dropna().to_dict() for _, row in owners.iterrows()]
