"""What a long run shows while it goes and remembers for its report, without holding its rows."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator

import geopandas as gpd
import pandas as pd

GEOCODE_BAR_MIN = 10  # names: fewer resolve in a moment
REPORT_ROWS = 100  # sites the terminal report shows; the files hold the rest


class Summary:
    """The first sites and the status counts of a stream of annotated chunks."""

    def __init__(self) -> None:
        self.head: gpd.GeoDataFrame | None = None
        self.counts = pd.Series(dtype=int)

    def watch(self, chunks: Iterable[gpd.GeoDataFrame]) -> Iterator[gpd.GeoDataFrame]:
        for chunk in chunks:
            self.add(chunk)
            yield chunk

    def add(self, chunk: gpd.GeoDataFrame, counts: pd.Series | None = None) -> None:
        """Count a chunk (or, with ``counts``, the first rows of a part and the part's status counts)."""
        if self.head is None:
            self.head = chunk.head(REPORT_ROWS)
        elif len(self.head) < REPORT_ROWS:
            self.head = gpd.GeoDataFrame(pd.concat([self.head, chunk.head(REPORT_ROWS - len(self.head))],
                                                   ignore_index=True), crs=chunk.crs)
        counts = chunk["status"].value_counts() if counts is None else counts
        self.counts = self.counts.add(counts, fill_value=0).astype(int)


def wanted(asked: bool, quiet: bool) -> bool:
    """Progress bars go to stderr when it is a terminal, or when asked for; never when quiet."""
    return not quiet and (asked or sys.stderr.isatty())


def progress(chunks: Iterable[gpd.GeoDataFrame], enabled: bool) -> Iterator[gpd.GeoDataFrame]:
    """Chunks as they pass, counted by a tqdm bar on stderr."""
    if not enabled:
        yield from chunks
        return
    from tqdm import tqdm

    with tqdm(unit=" sites", unit_scale=True, file=sys.stderr, desc="annotated") as bar:
        for chunk in chunks:
            bar.update(len(chunk))
            yield chunk


def each(items: Iterable, total: int, enabled: bool, what: str) -> Iterable:
    """``items`` with a tqdm bar when enabled and there are enough to wait for (geocoding one by one)."""
    if not enabled or total < GEOCODE_BAR_MIN:
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, unit=" names", file=sys.stderr, desc=what, leave=False)
