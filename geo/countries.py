"""Countries as users see them on a map: Natural Earth's 1:10m admin-0 units (default worldview).

A unit keeps its own ISO3 (Greenland is GRL, Puerto Rico PRI), because users want the unit on the
map as "the country"; ``sovereign`` gives the state that holds it, as claims are counted.
Units without an ISO code (Somaliland, Northern Cyprus, Siachen Glacier) go by their NE name.
One NE polygon (Egypt's) crosses itself; outlines are made valid so that point tests are exact.
"""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd
import shapely

from .codes import country_name, owner_iso3, to_iso3, worldviews
from .data import fetch

COLUMNS = ["iso3", "name", "sovereign", "worldviews", "geometry"]

# Worldview cells NE 5.1.1 got wrong: (ADM0_A3, worldview column) -> corrected code.
# Argentina's map gives Barbados to Uruguay (URY); no such claim exists.
_WORLDVIEW_ERRATA = {("BRB", "ADM0_A3_AR"): "BRB"}


def load_countries() -> gpd.GeoDataFrame:
    """One row per NE unit, in NE's order; a copy callers may change."""
    return _load(fetch("countries")).copy()


@functools.cache
def _load(path: Path) -> gpd.GeoDataFrame:
    units = gpd.read_file(path)
    for (code, column), fixed in _WORLDVIEW_ERRATA.items():
        units.loc[units["ADM0_A3"] == code, column] = fixed
    iso3 = units["ADM0_A3"].map(to_iso3).fillna(units["ADMIN"])
    countries = gpd.GeoDataFrame(
        {
            "iso3": iso3,
            "name": iso3.map(country_name),
            "sovereign": units["ADM0_A3"].map(owner_iso3).fillna(units["ADMIN"]),
            "worldviews": worldviews(units),
        },
        geometry=shapely.make_valid(units.geometry.values, method="structure"),
        crs=units.crs,
    )
    return countries[COLUMNS]
