"""How important a place is, and when one place is so much the likelier meaning that namesakes need no
mention. Importance is in log10 units: one point more means "about ten times as likely to be meant"."""

from __future__ import annotations

import numpy as np

# Administrative weight by GeoNames feature code, added to log10(population). A capital or a province
# seat is named in the news far more than its population alone says; sections of a city (PPLX),
# abandoned, historical or destroyed places (PPLQ, PPLH, PPLW) much less.
FEATURE_BONUS = {
    "PPLC": 1.5, "PPLG": 1.0, "PPLA": 1.0, "PPLA2": 0.3, "PPLA3": 0.15, "PPLA4": 0.05, "PPLA5": 0.05,
    "PPL": 0.0, "PPLS": 0.0, "STLMT": 0.0, "PPLR": -0.2, "PPLL": -0.3, "PPLF": -0.3, "PPLX": -1.0,
    "PPLQ": -1.5, "PPLH": -1.5, "PPLW": -1.5, "PPLCH": -1.5,
}
MIN_POPULATION = 100  # GeoNames leaves many seats at population 0: they count as hamlets, not as nothing
# A name a place carries only among its alternate names (other languages, former names: "Bombay" for
# Mumbai) counts as if the place were this many powers of ten smaller than for its own name.
ALTERNATE_PENALTY = 3.0
FUZZY_PENALTY = 1.0  # per edit (typo) between the query and the name
# The best candidate dominates another that is at least this much less important (tenfold): Madrid,
# Spain over Madrid, Colombia; Hyderabad, India (6.8 M) does not dominate Hyderabad, Pakistan (1.4 M).
DOMINANCE = 1.0
# A guess at a typo must be clearly the likeliest: "Chirat" is one letter from a dozen villages.
FUZZY_DOMINANCE = 2.0
# A curated site or a disputed region named exactly is what the user means; they outrank any city.
CURATED_IMPORTANCE = 10.0
REGION_IMPORTANCE = 9.0


def place_importance(population: np.ndarray, codes: np.ndarray, feature_codes: np.ndarray) -> np.ndarray:
    """log10(population) plus the feature code's administrative weight, for arrays of places whose
    feature code is ``feature_codes[codes]``."""
    bonus = np.array([FEATURE_BONUS.get(str(code), -0.5) for code in feature_codes] or [0.0])
    return np.log10(np.maximum(population, MIN_POPULATION)) + bonus[codes]


def match_importance(importance: np.ndarray, alternate: np.ndarray, edits: np.ndarray | int) -> np.ndarray:
    """A candidate's weight for one query: the place's importance less the cost of how it matched."""
    return importance - ALTERNATE_PENALTY * alternate - FUZZY_PENALTY * edits
