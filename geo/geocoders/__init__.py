"""The gazetteer: one small geopy-like interface over several sources of places by name.

``default_geocoder()`` chains claimmap's curated sites, Natural Earth's disputed regions (with the alias
table) and GeoNames (and, opt-in, OpenStreetMap's Nominatim); each source is also usable on its own.
``vocabulary()`` lists every name they know, for finding place names in text.
"""

from .base import Geocoder, Location
from .chain import Chain, default_geocoder
from .curated import Curated
from .geonames import GeoNames
from .nominatim import Nominatim
from .regions import Regions
from .vocabulary import vocabulary

__all__ = [
    "Chain", "Curated", "GeoNames", "Geocoder", "Location", "Nominatim", "Regions", "default_geocoder",
    "vocabulary",
]
