"""OpenStreetMap's Nominatim through geopy, for names no offline source knows."""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from importlib.metadata import version
from pathlib import Path
from typing import Any

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim as NominatimService
from rapidfuzz import fuzz

from ..data import cache_dir
from ..geodesy import geodesic_km
from .base import Geocoder, Location
from ..codes import iso2_from_iso3, iso3_from_iso2
from .names import fold

# Nominatim's usage policy asks for an application-identifying User-Agent.
USER_AGENT = f"claimmap/{version('claimmap')} (territorial-claims checker; python-geopy)"
MIN_DELAY_SECONDS = 1.0  # the policy's ceiling: one request a second
RESULTS = 10  # asked for once per name, whatever the caller's limit, so one cached answer serves all


class Nominatim(Geocoder):
    """Opt-in, since it sends each name to a third party. At most one request a second; answers (empty ones
    too) are cached on disk, so a name is asked once; a failed request warns and leaves the offline
    sources' answer standing.

    ``geocoder`` is a geopy-style object with ``geocode(query, exactly_one=False, ...)``: by default
    geopy's Nominatim client.
    """

    source = "nominatim"
    exact_search = False  # a free-text search: no exact-only mode

    def __init__(self, geocoder: Any = None, cache_path: Path | None = None):
        service = geocoder if geocoder is not None else NominatimService(user_agent=USER_AGENT)
        # No retries: a failure falls back to the offline answer at once instead of stalling the run.
        self._request = RateLimiter(
            service.geocode, min_delay_seconds=MIN_DELAY_SECONDS, max_retries=0, swallow_exceptions=False,
        )
        self._cache_path = cache_path or cache_dir() / "nominatim.json"

    def _lookup(self, name: str, country: str | None, limit: int) -> list[Location]:
        iso2 = iso2_from_iso3(country) if country else None
        key = f"{fold(name)}|{iso2 or ''}"
        cache = self._read_cache()
        places = self._locations(name, cache.get(key))
        if places is None:
            try:
                found = self._request(
                    name, exactly_one=False, limit=RESULTS, addressdetails=True, language="en",
                    country_codes=iso2,
                )
            except GeopyError as exc:
                message = " ".join(str(exc).split()) or type(exc).__name__
                warnings.warn(
                    f"Nominatim failed for {name!r} ({message}); using offline sources only", stacklevel=2,
                )
                return []
            cache[key] = [place.raw for place in found or []]
            self._write_cache(cache)
            places = self._locations(name, cache[key]) or []
        return sorted(places, key=lambda loc: -loc.score)[:limit]

    def _locations(self, query: str, raws: Any) -> list[Location] | None:
        """The places of one cached answer; None if there is none or it is damaged, so it is asked again."""
        if not isinstance(raws, list):
            return None
        try:
            return [self._location(query, raw) for raw in raws]
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def _location(self, query: str, raw: dict[str, Any]) -> Location:
        resolved = raw.get("name") or raw["display_name"].split(",")[0].strip()
        south, north, west, east = map(float, raw["boundingbox"])
        code = raw.get("address", {}).get("country_code", "").upper()
        return Location(
            name=resolved, lat=float(raw["lat"]), lon=float(raw["lon"]),
            country=iso3_from_iso2(code) if code else None, source=self.source,
            score=fuzz.ratio(fold(query), fold(resolved)),
            radius_km=float(geodesic_km(west, south, east, north)) / 2,  # half the diagonal of OSM's bounding box
            kind=f"{raw['class']}:{raw['type']}", reference=f"osm:{raw['osm_type']}/{raw['osm_id']}",
            # OSM's importance (0-1) is already a log-like scale of how often a place is referred to
            importance=10 * float(raw.get("importance") or 0),
        )

    def _read_cache(self) -> dict[str, list[dict[str, Any]]]:
        try:
            cache = json.loads(self._cache_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, UnicodeDecodeError, ValueError):  # a cache is disposable: start afresh
            return {}
        return cache if isinstance(cache, dict) else {}

    def _write_cache(self, cache: dict[str, list[dict[str, Any]]]) -> None:
        self._cache_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self._cache_path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(cache, f, ensure_ascii=False)
        os.replace(tmp, self._cache_path)
