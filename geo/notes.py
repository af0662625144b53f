"""Natural Earth's free-text NOTE_BRK, read as who administers an area and who claims it.

The 85 notes on NE 5.1.1's 99 disputed areas come in about a dozen shapes ("Admin. by X;
Claimed by Y and Z", "Self admin.; Claimed by X", "Leased to X by Y", "UN Patrolled Zone in X"
...). A shape or country name this module does not know raises DataError: dropping it silently
would misreport a dispute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .codes import iso3_from_name
from .errors import DataError


@dataclass(frozen=True)
class Note:
    administered_by: str | None = None  # ISO3 of the administering, leasing or patrolling state
    claimed_by: tuple[str, ...] = ()  # ISO3, in the note's order
    self_administered: bool = False


_ADMIN = re.compile(r"Admin\.? by (?P<admin>.+?)(?: for (?P<sovereign>.+))?", re.IGNORECASE)
_LEASE = re.compile(r"Leased to (?P<lessee>.+?) by (?P<lessor>.+)")
_CEDED = re.compile(r"Ceded to (?P<to>.+?) by (?P<by>.+)")
_CLAIMED = re.compile(r"Claimed by (?P<names>.+)")
_UN_ZONE = re.compile(r"UN Patrolled Zone in (?P<country>.+)")
_PATROL = re.compile(r"Since \d{4} .*, patrolled by (?P<patrol>.+?)(?: including .+)?")
_BETWEEN = re.compile(r"Between (?P<names>.+)")


def parse_note(text: str | None) -> Note:
    """Administrator and claimants a NOTE_BRK names; an empty Note for an area without one."""
    admin: str | None = None
    claimants: list[str] = []
    self_admin = False
    for part in (text or "").split(";"):
        part = part.strip()
        if not part or part == "under survey":
            continue
        if part == "Self admin.":
            self_admin = True
        elif m := _ADMIN.fullmatch(part):
            admin = _country(m["admin"], text)
            if m["sovereign"]:  # "Admin. by American Samoa for U.S.A.": the sovereign holds it
                admin = _country(m["sovereign"], text)
        elif m := _LEASE.fullmatch(part):
            # The lessee runs the area; the lessor keeps its sovereignty, so it is a claimant.
            admin = _country(m["lessee"], text)
            claimants.append(_country(m["lessor"], text))
        elif m := _CEDED.fullmatch(part):
            # Shaksam Valley: Pakistan ceded its claim to China in 1963, so only China claims.
            _country(m["by"], text)
            claimants.append(_country(m["to"], text))
        elif m := _CLAIMED.fullmatch(part):
            # "Claimed by multiple" (Bird Island) names no one; the note itself stays on the row.
            if m["names"] != "multiple":
                claimants += _countries(m["names"], text)
        elif m := _UN_ZONE.fullmatch(part):
            claimants.append(_country(m["country"], text))
        elif m := _PATROL.fullmatch(part):
            admin = _country(m["patrol"], text)
        elif m := _BETWEEN.fullmatch(part):
            # Bir Tawil: Egypt and Sudan each disclaim it; the names must still be countries.
            _countries(m["names"], text)
        else:
            raise DataError(f"NOTE_BRK {text!r}: claimmap does not know the form {part!r}")
    return Note(admin, tuple(dict.fromkeys(claimants)), self_admin)


def _countries(text: str, note: str | None) -> list[str]:
    """Codes of "A, B, and the C" or "A and B"."""
    names = re.split(r",\s*(?:and\s+)?|\s+and\s+", text)
    return [_country(name, note) for name in names]


def _country(name: str, note: str | None) -> str:
    code = iso3_from_name(name)
    if code is None:
        raise DataError(f"NOTE_BRK {note!r}: unknown country name {name.strip()!r}")
    return code
