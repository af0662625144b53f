"""The gazetteer: one small geopy-like interface over several sources of places by name.

``default_geocoder()`` chains claimmap's curated sites, Natural Earth's disputed regions (with the alias
table) and GeoNames (and, opt-in, OpenStreetMap's Nominatim); each source is also usable on its own.
``vocabulary()`` lists every name they know, for finding place names in text.
"""

from .base import Geocoder, Location
from .chain import Chain, default_geocoder
from .curated import Curated
from .geonames import GeoNames
from .regions import Regions
from .vocabulary import vocabulary

__all__ = [
    "Chain", "Curated", "GeoNames", "Geocoder", "Location", "Nominatim", "Regions", "default_geocoder",
    "vocabulary",
]


def __getattr__(name: str) -> object:
    """Nominatim on first use: geopy (and requests) cost a fifth of a second to import, offline runs none."""
    if name == "Nominatim":
        from .nominatim import Nominatim

        return Nominatim
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
