"""How often the gazetteer puts Natural Earth's populated places where NE does, and how fast it is,
against a plain gazetteer (exact name, most populous wins) in the same run.

Run: CLAIMMAP_DATA_DIR=../shared/data python bench/bench_geocode.py [--limit N]

Reference: NE 10m populated places (7,343 places: NAME, ISO_A2/ADM0_A3, LATITUDE/LONGITUDE), an
independent compilation; its GEONAMEID column is not used. A place counts as found when the answer is
within 25 km of NE's point; an error (unknown or, without a hint, nothing) counts as a miss. Names are
asked with ``first=True`` (the ambiguous share is reported). Speed is warm (index loaded), each name
once, in order, as wall-clock and as CPU-time rates (the latter is steadier on a shared machine); the
misspelt set changes one letter in the middle of each name of 5+ letters. The cold figure is a fresh
Python process importing claimmap and answering one name from the prebuilt index.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from geo.codes import find_country
from geo.data import data_dir, fetch
from geo.errors import ClaimmapError
from geo.geocoders import default_geocoder
from geo.geocoders.index import _read_table
from geo.geocoders.names import fold, fold_all
from geo.geodesy import geodesic_km

WITHIN_KM = 25.0


def reference(limit: int | None) -> pd.DataFrame:
    folder = data_dir()
    if folder is None:
        sys.exit("set CLAIMMAP_DATA_DIR to a data folder with naturalearth/ne_10m_populated_places.json")
    features = json.loads((folder / "naturalearth" / "ne_10m_populated_places.json").read_text())["features"]
    table = pd.DataFrame([f["properties"] for f in features])[["NAME", "ISO_A2", "ADM0_A3", "LATITUDE", "LONGITUDE"]]
    iso2 = table["ISO_A2"].where(table["ISO_A2"].str.fullmatch(r"[A-Z]{2}", na=False))
    table["hint"] = [find_country(a) if isinstance(a, str) else find_country(b, iso2=False)
                     for a, b in zip(iso2, table["ADM0_A3"])]
    table["hint"] = table["hint"].astype(object).where(table["hint"].notna(), None)
    table = table.sample(limit, random_state=0) if limit else table
    return table.reset_index(drop=True)


def misspelt(name: str) -> str:
    """One letter in the middle changed to the next one in the alphabet (z -> a)."""
    if len(name) < 5:
        return name
    i = len(name) // 2
    c = name[i]
    if not c.isalpha():
        return name
    nxt = "a" if c.lower() == "z" else chr(ord(c.lower()) + 1)
    return name[:i] + nxt + name[i + 1:]


class Baseline:
    """What a user would write in a few lines: GeoNames names (own, ASCII, alternate) folded, and for each
    name the most populous place, per country or overall."""

    def __init__(self) -> None:
        places = _read_table(fetch("cities500"), "cities500.txt")
        names = pd.concat([places["name"], places["asciiname"], places["alternatenames"].str.split(",").explode()])
        table = pd.DataFrame({"key": fold_all(names), "row": names.index})
        table = table.join(places[["population", "cc", "lat", "lon"]], on="row")
        self.spellings = table.drop_duplicates(["key", "row"])
        table = table.sort_values("population", ascending=False).drop_duplicates(["key", "cc"])
        rows = zip(table["key"], table["cc"], table["lat"], table["lon"])
        self.by_country = {(k, c): (la, lo) for k, c, la, lo in rows}
        best = table.drop_duplicates("key")
        self.overall = {k: (la, lo) for k, la, lo in zip(best["key"], best["lat"], best["lon"])}
        self.iso2 = {v: k for k, v in _iso2_to_iso3(places["cc"].unique()).items()}

    def geocode(self, name: str, country: str | None) -> tuple[float, float, bool]:
        key = fold(name)
        found = self.by_country.get((key, self.iso2.get(country))) if country else self.overall.get(key)
        if found is None:
            raise KeyError(name)
        return found[0], found[1], False


def ceiling(table: pd.DataFrame, baseline: Baseline) -> float:
    """Share of places for which cities500 has a place of exactly that (folded) name within 25 km: the
    most any exact-name geocoder on this data can get right."""
    ne = pd.DataFrame({"key": fold_all(table["NAME"]), "ne": np.arange(len(table)),
                       "nlat": table["LATITUDE"].to_numpy(), "nlon": table["LONGITUDE"].to_numpy()})
    pairs = ne.merge(baseline.spellings[["key", "lat", "lon"]], on="key")
    pairs["km"] = geodesic_km(pairs["nlon"].to_numpy(), pairs["nlat"].to_numpy(), pairs["lon"].to_numpy(),
                              pairs["lat"].to_numpy())
    return pairs.loc[pairs["km"] <= WITHIN_KM, "ne"].nunique() / len(table)


def _iso2_to_iso3(codes) -> dict[str, str]:
    from geo.codes import iso3_from_iso2

    return {c: iso3_from_iso2(c) for c in codes if c and iso3_from_iso2(c)}


def run(table: pd.DataFrame, names: list[str], ask: Callable[[str, str | None], tuple[float, float, bool]],
        hinted: bool) -> dict[str, float]:
    lat, lon, ambiguous = np.full(len(names), np.nan), np.full(len(names), np.nan), np.zeros(len(names), bool)
    t, cpu = time.perf_counter(), time.process_time()
    for i, (name, hint) in enumerate(zip(names, table["hint"])):
        try:
            lat[i], lon[i], ambiguous[i] = ask(name, hint if hinted else None)
        except (ClaimmapError, KeyError):
            pass
    took, cpu = time.perf_counter() - t, time.process_time() - cpu
    error = np.full(len(names), np.inf)
    ok = ~np.isnan(lat)
    error[ok] = geodesic_km(table["LONGITUDE"].to_numpy()[ok], table["LATITUDE"].to_numpy()[ok], lon[ok], lat[ok])
    return {
        # misses count as infinitely far: no interpolation, so a percentile among them reads "inf"
        "within": float(np.mean(error <= WITHIN_KM)),
        "median": float(np.quantile(error, 0.5, method="inverted_cdf")),
        "p90": float(np.quantile(error, 0.9, method="inverted_cdf")), "ambiguous": float(ambiguous.mean()),
        "answered": float(ok.mean()), "rate": len(names) / took, "cpu_rate": len(names) / cpu,
    }


def cold_start() -> tuple[float, float]:
    """Seconds to the first answer in a fresh process (after imports; and wall time of the process)."""
    code = (
        "import time; t0 = time.perf_counter()\n"
        "from geo.geocoders import default_geocoder\n"
        "t1 = time.perf_counter(); default_geocoder().geocode('Madrid')\n"
        "print(time.perf_counter() - t1, time.perf_counter() - t0)"
    )
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    wall = time.perf_counter() - t
    first, _ = map(float, out.split())
    return first, wall


def show(label: str, ours: dict[str, float], base: dict[str, float]) -> None:
    print(f"{label}")
    print(f"  within {WITHIN_KM:.0f} km: claimmap {ours['within']:.1%}  baseline {base['within']:.1%}")
    print(f"  median error: claimmap {ours['median']:.1f} km  baseline {base['median']:.1f} km")
    print(f"  p90 error:    claimmap {ours['p90']:.1f} km  baseline {base['p90']:.1f} km")
    print(f"  answered:     claimmap {ours['answered']:.1%}  baseline {base['answered']:.1%}")
    print(f"  flagged ambiguous: claimmap {ours['ambiguous']:.1%}")
    print(f"  names/s warm: claimmap {ours['rate']:,.0f}  baseline {base['rate']:,.0f} "
          f"(ratio {ours['rate'] / base['rate']:.2f}); per CPU second: claimmap {ours['cpu_rate']:,.0f}  "
          f"baseline {base['cpu_rate']:,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, help="a random sample of this many places")
    args = parser.parse_args()
    table = reference(args.limit)
    print(f"{len(table):,} Natural Earth populated places, {table['hint'].notna().mean():.1%} with a country hint")

    first, wall = cold_start()
    print(f"cold: first answer {first:.2f} s after imports, {wall:.2f} s for the whole process")
    t = time.perf_counter()
    geocoder = default_geocoder()
    geocoder.geocode("Madrid")
    print(f"claimmap load in this process: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    geocoder.geocode("Crimea", country="UA")  # the claims layer, read once for hints on disputed regions
    print(f"claimmap first hinted region (reads the claims layer): {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    baseline = Baseline()
    print(f"baseline load (parse cities500, build dicts): {time.perf_counter() - t:.2f} s")
    print(f"ceiling: {ceiling(table, baseline):.1%} of the places have a cities500 place of that exact name "
          f"within {WITHIN_KM:.0f} km (the rest are missing from cities500 or spelt otherwise)")

    def ours(name: str, hint: str | None) -> tuple[float, float, bool]:
        loc = geocoder.geocode(name, country=hint, first=True)
        return loc.lat, loc.lon, loc.ambiguous

    names = table["NAME"].tolist()
    typos = [misspelt(n) for n in names]
    for label, hinted in [("with the country as a hint", True), ("without a hint", False)]:
        show(label, run(table, names, ours, hinted), run(table, names, baseline.geocode, hinted))
    show("one-letter misspellings, with hint", run(table, typos, ours, True), run(table, typos, baseline.geocode, True))


if __name__ == "__main__":
    main()
