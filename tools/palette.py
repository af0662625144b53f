"""Writes layers/palette.json: one fixed colour per ISO3 code, so a country looks the same on every map.

Run once when the country table changes: ``CLAIMMAP_DATA_DIR=../shared/data python tools/palette.py``.
Colours come from colorcet's Glasbey sets, kept light and muted enough for dark text on top
(CIELAB L* 62-92, chroma 25-60: never grey like the land) and at least 10 apart. That leaves about 80,
fewer than the countries, so a colour is reused, but never nearby. Countries within ``NEIGHBOURHOOD``
degrees of each other or party to one disputed area are neighbours. Most-connected first, each takes
the colour farthest (CIELAB distance) from its neighbours' colours, the least used one on ties.
"""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import colorcet
import numpy as np
import shapely

from geo.claims import load_claims
from geo.codes import _info  # the one country table
from geo.countries import load_countries

NEIGHBOURHOOD = 8.0  # degrees, about 900 km: countries seen together on a regional map
OUT = Path(__file__).resolve().parents[1] / "layers" / "palette.json"


def lab(hex_colours: list[str]) -> np.ndarray:
    """sRGB hex -> CIELAB (D65)."""
    rgb = np.array([[int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)] for h in hex_colours])
    lin = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    xyz = lin @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    xyz /= [0.95047, 1.0, 1.08883]
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.column_stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])])


def neighbours() -> dict[str, set[str]]:
    """Countries near each other (1:50m units, by sovereign) and the parties to each disputed area."""
    countries = load_countries()
    graph: dict[str, set[str]] = {}

    def link(a: str, b: str) -> None:
        if a != b:
            graph.setdefault(a, set()).add(b)
            graph.setdefault(b, set()).add(a)

    geoms, owners = countries.geometry.values, countries["sovereign"].tolist()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=NEIGHBOURHOOD)
    for i, j in zip(left, right, strict=True):
        link(owners[i], owners[j])
    for row in load_claims().itertuples():
        for a, b in combinations({row.administered_by, *row.claimed_by, *row.worldviews.values()}, 2):
            link(a, b)
    return graph


def light_colours() -> list[str]:
    """Glasbey colours in the light, not garish band, each at least 10 CIELAB units from those before it."""
    sets = ("glasbey_light", "glasbey", "glasbey_hv")
    candidates = list(dict.fromkeys(c for name in sets for c in colorcet.palette[name]))
    space, kept = lab(candidates), []
    for i, point in enumerate(space):
        light = 62 <= point[0] <= 92 and 25 <= np.hypot(*point[1:]) <= 60
        if light and all(np.linalg.norm(point - space[j]) >= 10 for j in kept):
            kept.append(i)
    return [candidates[i] for i in kept]


def main() -> None:
    codes = sorted(_info().names)
    graph = neighbours()
    colours = light_colours()
    space = lab(colours)
    used = np.zeros(len(colours))
    chosen: dict[str, int] = {}
    for code in sorted(codes, key=lambda c: (-len(graph.get(c, ())), c)):
        near = [chosen[n] for n in graph.get(code, ()) if n in chosen]
        gap = (np.linalg.norm(space[:, None, :] - space[near][None, :, :], axis=2).min(axis=1)
               if near else np.full(len(colours), np.inf))
        # Farthest from the neighbours' colours (to within 5 units), then least used, then first.
        pick = int(np.lexsort((np.arange(len(colours)), used, -np.floor(gap / 5)))[0])
        chosen[code] = pick
        used[pick] += 1
    table = {code: colours[chosen[code]] for code in codes}
    OUT.write_text(json.dumps(table, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(table)} codes, {len(set(table.values()))} colours)")


if __name__ == "__main__":
    main()
