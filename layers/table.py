"""The terminal report: one short block per site that a person reads top to bottom."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.codes import country_name
from geo.errors import printable

MAX_SITES = 100  # beyond this the files carry the rest; a terminal of millions helps no one


def named(code: str | None) -> str:
    """``Pakistan (PAK)``; an entity without an ISO code is shown by its name alone."""
    if code is None or code != code:
        return "unknown"
    name = country_name(code)
    return name if name == code else f"{name} ({code})"


def _km(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def format_report(annotated: gpd.GeoDataFrame, counts: pd.Series | None = None) -> str:
    """The report of ``annotated``; with ``counts`` (status counts of a stream), ``annotated`` is only
    its first sites."""
    counts = annotated["status"].value_counts() if counts is None else counts
    total = int(counts.sum())
    lines = []
    for row in annotated.head(MAX_SITES).itertuples(index=False):
        lat = f"{abs(row.lat):.4f}°{'N' if row.lat >= 0 else 'S'}"
        lon = f"{abs(row.lon):.4f}°{'E' if row.lon >= 0 else 'W'}"
        origin = row.source if row.resolved_name == row.name else f"{row.source}: {row.resolved_name}"
        flag = ", AMBIGUOUS: best of several" if row.ambiguous else ""
        lines.append(f"{row.name}  {lat} {lon}  ±{_km(row.radius_km)} km  [{origin}, score {row.score:.0f}{flag}]")
        claimed = ", ".join(named(c) for c in row.claimed_by)
        if row.status == "inside":
            lines.append(f"  inside {', '.join(row.regions)}: administered by {named(row.administered_by)}; "
                         f"claimed by {claimed}")
        elif row.status == "near":
            lines.append(f"  in {named(row.country)}, within {_km(row.radius_km)} km of {', '.join(row.regions)}; "
                         f"claims touched: {claimed}")
        else:
            near = "" if np.isnan(row.nearest_disputed_km) else (
                f"; nearest disputed area {row.nearest_disputed}, {row.nearest_disputed_km:,.1f} km")
            lines.append(f"  not in any disputed area: {named(row.country)}{near}")
    if total > MAX_SITES:
        lines.append(f"... and {total - MAX_SITES:,} more sites (see the output files)")
    lines.append(
        f"{total:,} sites: {counts.get('inside', 0):,} inside a disputed area, "
        f"{counts.get('near', 0):,} near one, {counts.get('undisputed', 0):,} undisputed"
    )
    return "\n".join(printable(line) for line in lines)
