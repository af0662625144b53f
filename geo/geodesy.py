"""Distances on the WGS84 ellipsoid: the one measure every stage uses, never degrees."""

from __future__ import annotations

import numpy as np
from pyproj import Geod

GEOD = Geod(ellps="WGS84")


def geodesic_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """Geodesic km between paired points, for arrays or scalars."""
    _, _, metres = GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(metres) / 1000.0


# Lambert's formula (geodesic from the great circle between reduced latitudes, corrected to first
# order in the flattening) errs by O(f² a), about 70 m, and by under 15 m measured against pyproj up
# to this chord (about 11,500 km; it degrades towards antipodes). Where a distance's slack is wider
# than that error it gives the geodesic several times faster than the exact solution.
LAMBERT_ERROR_KM, LAMBERT_CHORD_KM = 0.1, 10_000.0


def lambert_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """Geodesic km between paired points within ``LAMBERT_ERROR_KM`` (chords up to ``LAMBERT_CHORD_KM``)."""
    flat = FLATTENING
    b1 = np.arctan((1 - flat) * np.tan(np.radians(lat1)))
    b2 = np.arctan((1 - flat) * np.tan(np.radians(lat2)))
    h = np.sin((b2 - b1) / 2) ** 2 + np.cos(b1) * np.cos(b2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    sigma = 2 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    p, q, s = (b1 + b2) / 2, (b2 - b1) / 2, np.sin(sigma)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (sigma - s) * np.sin(p) ** 2 * np.cos(q) ** 2 / np.cos(sigma / 2) ** 2
        y = (sigma + s) * np.cos(p) ** 2 * np.sin(q) ** 2 / np.sin(sigma / 2) ** 2
    return A_KM * (sigma - flat / 2 * np.where(sigma > 0, x + y, 0.0))


# WGS84, for points on the ellipsoid in Earth-centred Cartesian km (ECEF): chords there are
# antimeridian- and pole-safe, and never longer than the geodesic between the same two points.
A_KM = 6378.137
FLATTENING = 1 / 298.257223563
E2 = FLATTENING * (2 - FLATTENING)

# A sphere whose radius exceeds WGS84's largest radius of curvature (6,399.6 km, at the poles), with
# a 1.6 % margin: a geodesic of the ellipsoid bends at least as much as this sphere's great circles,
# so the arc over a chord ``c`` on it, 2R asin(c / 2R), is a lower bound of the geodesic length.
LOWER_R_KM = 6500.0


def ecef_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """(n, 3) Earth-centred Cartesian km of lon/lat degrees on the WGS84 ellipsoid."""
    lam, phi = np.radians(lon), np.radians(lat)
    sin_phi, cos_phi = np.sin(phi), np.cos(phi)
    n = A_KM / np.sqrt(1 - E2 * sin_phi**2)
    return np.column_stack([n * cos_phi * np.cos(lam), n * cos_phi * np.sin(lam), n * (1 - E2) * sin_phi])


def chord_within_km(km: np.ndarray | float) -> np.ndarray:
    """The chord that any point within geodesic ``km`` lies within (inverse of the lower bound)."""
    half = np.minimum(np.asarray(km, float) / (2 * LOWER_R_KM), np.pi / 2)
    return 2 * LOWER_R_KM * np.sin(np.maximum(half, 0.0))

