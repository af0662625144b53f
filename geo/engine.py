"""Spatial indexes over one polygon layer: which polygon holds a point, and how far its edges are.

- Containment: a regular lon/lat grid whose cells are classified once as *inside polygon k*,
  *outside all* or *boundary*. A point in a decided cell is answered by array lookup; only points in
  boundary cells go through an exact ``shapely.intersects_xy`` test against that cell's candidates,
  so answers equal the exact predicate (edges and vertices count as inside).
- Distances: boundaries densified to ``step`` degrees and put in a k-d tree in Earth-centred km (ECEF),
  where nothing wraps at ±180° or the poles. A chord is a lower bound of the geodesic
  (:func:`geo.geodesy.chord_within_km`), so the tree picks every boundary piece that can be nearer
  than the best found, and distances are WGS84 geodesics to the nearest point of an edge (far from
  every edge, Lambert's formula to the nearest vertex, within the slack a distance is allowed).

Indexes are keyed by a hash of the geometries they are built from, kept for the process and cached
on disk in the user cache, so the CLI pays the build once per layer content.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import shapely
from scipy.spatial import cKDTree

from .data import cache_dir
from .geodesy import LAMBERT_CHORD_KM, LAMBERT_ERROR_KM, chord_within_km, ecef_km, geodesic_km, lambert_km

VERSION = 2  # bump when the index layout or its construction changes: old cache files are ignored

KM_PER_DEG = 111.7  # a planar lon/lat step of 1° is at most this long on WGS84 (111.69 km, poles)
NEIGHBOURS = 8  # boundary vertices fetched per point at first; more only where the bound needs them
EPS_DEG = 1e-9  # boundary cells are widened by this, far beyond floating-point rounding
FLOOR_DEG = 0.25  # cells of the distance floor: how near any edge can be to a point in the cell


SLACK_KM, SLACK_SHARE = 0.25, 0.0015


def slack_km(km: np.ndarray) -> np.ndarray:
    """How much farther than the true nearest edge a reported distance may be (0.25 km + 0.15 %),
    inside the promised 0.3 km + 0.2 %; it lets far points skip pieces that cannot matter."""
    return SLACK_KM + SLACK_SHARE * km


class Grid:
    """Per cell of a ``cell``-degree lon/lat grid: a polygon index (>= 0), -1 (outside all), or
    ``-2 - row`` for a cell whose candidate polygons are ``polys[ptr[row]:ptr[row + 1]]``."""

    def __init__(self, cell: float, codes: np.ndarray, ptr: np.ndarray, polys: np.ndarray) -> None:
        self.cell, self.codes, self.ptr, self.polys = cell, codes, ptr, polys
        self.ny, self.nx = codes.shape

    def cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of each lon/lat; monotone in each, as the boundary rasterisation needs."""
        col = np.clip(np.floor((np.asarray(x, float) + 180.0) / self.cell), 0, self.nx - 1).astype(np.intp)
        row = np.clip(np.floor((np.asarray(y, float) + 90.0) / self.cell), 0, self.ny - 1).astype(np.intp)
        return row, col

    @classmethod
    def build(cls, geoms: np.ndarray, cell: float) -> Grid:
        nx, ny = int(round(360 / cell)), int(round(180 / cell))
        grid = cls(cell, np.full((ny, nx), -1, np.int32), np.zeros(1, np.int64), np.zeros(0, np.int32))
        cells, polys = grid._boundary_cells(geoms)
        free = np.ones(ny * nx, bool)
        free[cells] = False
        tree = shapely.STRtree(geoms)
        # Away from boundary cells, a run of cells along a row lies in the same polygons: test one
        # centre per run. Runs in several polygons at once (overlaps) stay undecided.
        starts = free & np.r_[True, ~free[:-1]]
        starts[::nx] = free[::nx]
        run = np.cumsum(starts) - 1
        run_site, run_poly = _covering(tree, geoms, *grid._centres(np.flatnonzero(starts)))
        count = np.bincount(run_site, minlength=int(starts.sum()))
        run_code = np.full(len(count), -1, np.int32)
        run_code[run_site[count[run_site] == 1]] = run_poly[count[run_site] == 1]
        codes = grid.codes.reshape(-1)
        codes[free] = run_code[run[free]]
        overlap = np.flatnonzero(free & (count[np.where(free, run, 0)] > 1))
        first = np.searchsorted(run_site, run[overlap])
        many = count[run[overlap]]
        at = np.repeat(first - np.cumsum(many) + many, many) + np.arange(many.sum())
        # Boundary cells: the polygons whose edges cross them, and those covering their centre.
        edge_cells = np.flatnonzero(~free)
        c_site, c_poly = _covering(tree, geoms, *grid._centres(edge_cells))
        pairs = np.unique(np.column_stack([
            np.r_[cells, edge_cells[c_site], np.repeat(overlap, many)],
            np.r_[polys, c_poly, run_poly[at]],
        ]), axis=0)
        keys, where = np.unique(pairs[:, 0], return_index=True)
        codes[keys] = -2 - np.arange(len(keys))
        return cls(cell, codes.reshape(ny, nx), np.r_[where, len(pairs)].astype(np.int64), pairs[:, 1].astype(np.int32))

    def _centres(self, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        row, col = np.divmod(flat, self.nx)
        return -180.0 + (col + 0.5) * self.cell, -90.0 + (row + 0.5) * self.cell

    def _boundary_cells(self, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(flat cell, polygon) for every cell an edge passes through or within EPS_DEG of."""
        a, b, poly = _edges(geoms)
        pieces = np.maximum(1, np.ceil(np.abs(b - a).max(axis=1) / self.cell)).astype(np.intp)
        seg = np.repeat(np.arange(len(a)), pieces)
        j = np.arange(len(seg)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
        step = (b - a)[seg] / pieces[seg, None]
        p0, p1 = a[seg] + step * j[:, None], a[seg] + step * (j + 1)[:, None]
        low, high = np.minimum(p0, p1) - EPS_DEG, np.maximum(p0, p1) + EPS_DEG
        row0, col0 = self.cells(low[:, 0], low[:, 1])
        row1, col1 = self.cells(high[:, 0], high[:, 1])
        cells, polys = [], []
        for dr in range(3):  # a piece is at most a cell long, so it spans at most 3 cells per axis
            for dc in range(3):
                ok = (row0 + dr <= row1) & (col0 + dc <= col1)
                cells.append((row0[ok] + dr) * self.nx + col0[ok] + dc)
                polys.append(poly[seg[ok]])
        pairs = np.unique(np.column_stack([np.concatenate(cells), np.concatenate(polys)]), axis=0)
        return pairs[:, 0], pairs[:, 1]

    def locate(self, x: np.ndarray, y: np.ndarray, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(point, polygon) pairs, by point, for every polygon that covers the point."""
        row, col = self.cells(x, y)
        code = self.codes[row, col]
        decided = np.flatnonzero(code >= 0)
        open_ = np.flatnonzero(code <= -2)
        first = self.ptr[-2 - code[open_]]
        many = self.ptr[-1 - code[open_]] - first
        point = np.repeat(open_, many)
        poly = self.polys[np.repeat(first - np.cumsum(many) + many, many) + np.arange(many.sum())]
        hit = shapely.intersects_xy(geoms[poly], x[point], y[point])
        site = np.r_[decided, point[hit]]
        polys = np.r_[code[decided], poly[hit]].astype(np.intp)
        order = np.lexsort((polys, site))
        return site[order], polys[order]


class Boundary:
    """Densified polygon edges as vertices in a k-d tree (ECEF km); ``nxt`` links each vertex to
    the next on its ring (-1 at a ring's end), ``poly`` names its polygon."""

    def __init__(
        self, step: float, lon: np.ndarray, lat: np.ndarray, nxt: np.ndarray, poly: np.ndarray,
        floor: np.ndarray | None = None,
    ) -> None:
        self.step, self.lon, self.lat, self.nxt, self.poly = step, lon, lat, nxt, poly
        self.half_gap_km = step * KM_PER_DEG / 2 * 1.001  # every edge point is this near a vertex
        # Beyond, slack_km exceeds the gap and the error of Lambert's geodesic together.
        self.far_km = max(self.half_gap_km + LAMBERT_ERROR_KM - SLACK_KM, 0.0) / SLACK_SHARE
        self.prv = np.full(len(nxt), -1, np.int64)
        has = nxt >= 0
        self.prv[nxt[has]] = np.flatnonzero(has)
        self.xyz = ecef_km(lon, lat)
        # Unbalanced, uncompacted nodes answer far-away points (mid-ocean) several times faster.
        self.tree = cKDTree(self.xyz if len(lon) else np.zeros((1, 3)), leafsize=64, balanced_tree=False, compact_nodes=False)
        self.floor = self._floor() if floor is None else floor

    def _floor(self) -> np.ndarray:
        """Per ``FLOOR_DEG`` cell, a lower bound of the geodesic km from any point in it to any edge:
        the chord from the cell's centre to its nearest vertex, less the chord from the centre to
        the cell's farthest point and the vertex gap. Points beyond a search's reach skip the tree."""
        ny, nx = int(round(180 / FLOOR_DEG)), int(round(360 / FLOOR_DEG))
        if len(self.lon) == 0:
            return np.full((ny, nx), np.inf, np.float32)
        lat = -90.0 + (np.arange(ny) + 0.5) * FLOOR_DEG
        lon = -180.0 + (np.arange(nx) + 0.5) * FLOOR_DEG
        chord, _ = self.tree.query(ecef_km(np.tile(lon, ny), np.repeat(lat, nx)), k=1, workers=-1)
        # The farthest point of a cell from its centre: a corner or an edge's midpoint (the same
        # for every cell of a row), with a margin for the ellipsoid's curvature across the cell.
        centre = ecef_km(np.zeros(ny), lat)
        reach = np.zeros(ny)
        for dx in (-0.5, 0.0, 0.5):
            for dy in (-0.5, 0.0, 0.5):
                edge = ecef_km(np.full(ny, dx * FLOOR_DEG), np.clip(lat + dy * FLOOR_DEG, -90, 90))
                reach = np.maximum(reach, np.linalg.norm(edge - centre, axis=1))
        floor = chord.reshape(ny, nx) - (reach * 1.01 + 0.01)[:, None] - self.half_gap_km - 0.01
        return np.maximum(floor, 0.0).astype(np.float32)

    def floor_km(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """A lower bound of each point's geodesic km to the nearest edge (from its floor cell)."""
        ny, nx = self.floor.shape
        row = np.clip(np.floor((np.asarray(lat, float) + 90.0) / FLOOR_DEG), 0, ny - 1).astype(np.intp)
        col = np.clip(np.floor((np.asarray(lon, float) + 180.0) / FLOOR_DEG), 0, nx - 1).astype(np.intp)
        return self.floor[row, col]

    @classmethod
    def build(cls, geoms: np.ndarray, step: float) -> Boundary:
        xy, ring, poly = _rings(shapely.segmentize(geoms, step))
        nxt = np.where(np.r_[ring[1:] == ring[:-1], False], np.arange(1, len(xy) + 1), -1)
        return cls(step, xy[:, 0].copy(), xy[:, 1].copy(), nxt.astype(np.int64), poly.astype(np.int32))

    def nearest(self, lon: np.ndarray, lat: np.ndarray, max_km: float = np.inf) -> tuple[np.ndarray, np.ndarray]:
        """Polygon with the nearest edge, and geodesic km to it, per point (-1, nan beyond max_km).

        Within ``slack_km`` of the true distance: the vertices fetched are widened until none left
        out can lie on an edge more than that nearer than the best edge found.
        """
        n = len(lon)
        index, dist = np.full(n, -1, np.intp), np.full(n, np.nan)
        if n == 0 or len(self.lon) == 0:
            return index, dist
        todo, k = np.arange(n), 1
        if np.isfinite(max_km):
            todo = np.flatnonzero(self.floor_km(lon, lat) <= max_km)
        xyz = np.zeros((n, 3))
        xyz[todo] = ecef_km(lon[todo], lat[todo])
        limit = np.full(n, chord_within_km(max_km + self.half_gap_km) if np.isfinite(max_km) else np.inf)
        while len(todo):
            k = min(k, len(self.lon))
            chord, vert = self._query(xyz[todo], k, limit[todo])
            site, col = np.nonzero(np.isfinite(chord))
            got, got_km = np.full(len(todo), -1, np.intp), np.full(len(todo), np.inf)
            # Where even the chord to the nearest vertex is so long that the slack exceeds the vertex
            # gap, that vertex's own distance will do: its edges are at most the gap nearer.
            far = (k == 1) & (chord[site, col] >= self.far_km) & (chord[site, col] <= LAMBERT_CHORD_KM)
            pick = vert[site[far], col[far]]
            got[site[far]] = self.poly[pick]
            got_km[site[far]] = lambert_km(lon[todo[site[far]]], lat[todo[site[far]]], self.lon[pick], self.lat[pick])
            (found, poly), km = self._closest(todo[site[~far]], vert[site[~far], col[~far]], lon, lat, xyz, by_poly=False)
            local = np.searchsorted(todo, found)
            got[local], got_km[local] = poly, km
            # Done when no vertex beyond the k fetched can lead to a nearer edge than the bound.
            need = np.full(len(todo), np.inf)
            has = got >= 0
            need[has] = chord_within_km(got_km[has] + self.half_gap_km - slack_km(got_km[has]))
            short = (k < len(self.lon)) & has & (chord[:, -1] <= need)
            index[todo[~short]], dist[todo[~short]] = got[~short], got_km[~short]
            limit[todo] = np.minimum(limit[todo], need)
            todo, k = todo[short], k * 8
        beyond = ~(dist <= max_km)
        index[beyond], dist[beyond] = -1, np.nan
        return index, dist

    def nearest_vertex(self, lon: np.ndarray, lat: np.ndarray, max_km: float) -> np.ndarray:
        """Polygon of the nearest densified vertex within about ``max_km`` (-1 if none): which
        polygon is near, where the exact distance is not needed."""
        index = np.full(len(lon), -1, np.intp)
        near = np.flatnonzero(self.floor_km(lon, lat) <= max_km)
        if len(near) == 0 or len(self.lon) == 0:
            return index
        chord, vert = self._query(ecef_km(lon[near], lat[near]), 1, np.full(len(near), chord_within_km(max_km)))
        found = np.isfinite(chord[:, 0])
        index[near[found]] = self.poly[vert[found, 0]]
        return index

    def within(self, lon: np.ndarray, lat: np.ndarray, km: np.ndarray) -> tuple[np.ndarray, ...]:
        """(point, polygon, geodesic km) for every polygon whose edge is within ``km`` of the point."""
        empty = np.zeros(0, np.intp)
        if len(lon) == 0 or len(self.lon) == 0:
            return empty, empty, np.zeros(0)
        km = np.asarray(km, float)
        todo, k = np.flatnonzero(self.floor_km(lon, lat) <= km), 8
        sites, verts = [empty], [empty]
        xyz = np.zeros((len(lon), 3))
        xyz[todo] = ecef_km(lon[todo], lat[todo])
        limit = chord_within_km(km + self.half_gap_km)
        while len(todo):
            k = min(k, len(self.lon))
            chord, vert = self._query(xyz[todo], k, limit[todo])
            ok = np.isfinite(chord)
            short = (k < len(self.lon)) & ok[:, -1]
            keep = ok & ~short[:, None]
            sites.append(todo[np.nonzero(keep)[0]])
            verts.append(vert[keep])
            todo, k = todo[short], k * 8
        (site, poly), dist = self._closest(np.concatenate(sites), np.concatenate(verts), lon, lat, xyz, by_poly=True)
        keep = dist <= km[site]
        return site[keep], poly[keep], dist[keep]

    def _query(self, xyz: np.ndarray, k: int, limit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The k nearest vertices by chord, (n, k); inf where beyond the point's chord limit. One
        thread: per call the work is small, and on a busy machine threads cost more than they give."""
        bound = float(limit.max()) if len(limit) else 0.0
        chord, vert = self.tree.query(xyz, k=max(k, 2), distance_upper_bound=bound * (1 + 1e-9) + 1e-9, workers=1)
        chord, vert = chord[:, :k], vert[:, :k]
        chord = np.where(chord <= limit[:, None], chord, np.inf)
        return chord, np.minimum(vert, len(self.lon) - 1)

    def _closest(
        self, site: np.ndarray, vert: np.ndarray, lon: np.ndarray, lat: np.ndarray, xyz: np.ndarray,
        by_poly: bool,
    ) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
        """Of the edges next to each (point, vertex) pair, the one with the shortest chord per point
        (or per point and polygon), measured on the ellipsoid to its nearest point."""
        p = xyz[site]
        seg, t, chord = self._foot(p, vert)
        back, t_back, chord_back = self._foot(p, self.prv[vert])
        better = chord_back < chord
        seg, t, chord = np.where(better, back, seg), np.where(better, t_back, t), np.where(better, chord_back, chord)
        poly = self.poly[vert].astype(np.intp)
        group = site * (int(self.poly.max()) + 1) + poly if by_poly else site
        if np.all(group[1:] > group[:-1]):  # one vertex per group (a first k=1 pass): nothing to pick
            first = np.arange(len(group))
        else:
            order = np.lexsort((chord, group))
            first = order[np.r_[True, group[order][1:] != group[order][:-1]]]
        s, tt, p = seg[first], t[first], site[first]
        e = self.nxt[s]
        foot_lon = self.lon[s] + tt * (self.lon[e] - self.lon[s])
        foot_lat = self.lat[s] + tt * (self.lat[e] - self.lat[s])
        return (p, poly[first]), geodesic_km(lon[p], lat[p], foot_lon, foot_lat)

    def _foot(self, p: np.ndarray, seg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per point and edge (starting at vertex ``seg``; -1 for none): the edge, the fraction
        along it of the point's foot, and the squared chord to it (inf for no edge)."""
        ok = (seg >= 0) & (self.nxt[seg] >= 0)
        seg = np.where(ok, seg, 0)
        a = self.xyz[seg]
        d = self.xyz[np.where(ok, self.nxt[seg], 0)] - a
        ap = p - a
        dd = (d * d).sum(axis=1)
        t = np.clip((ap * d).sum(axis=1) / np.where(dd > 0, dd, 1.0), 0.0, 1.0)
        gap = ap - t[:, None] * d
        return seg, t, np.where(ok, (gap * gap).sum(axis=1), np.inf)


def _rings(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ring vertex of a polygon layer: lon/lat, ring number, and polygon index."""
    parts, part_poly = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    return xy, ring, part_poly[ring_part[ring]]


def _covering(tree: shapely.STRtree, geoms: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """(point, polygon) pairs, by point, where the (prepared) polygon covers the point."""
    site, poly = tree.query(shapely.points(x, y))
    hit = shapely.intersects_xy(geoms[poly], x[site], y[site])
    order = np.lexsort((poly[hit], site[hit]))
    return site[hit][order], poly[hit][order]


def _edges(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ring edge of a polygon layer: start points, end points, and polygon index."""
    xy, ring, poly = _rings(geoms)
    same = ring[1:] == ring[:-1]
    return xy[:-1][same], xy[1:][same], poly[:-1][same]


class Layer:
    """A polygon layer with both indexes: what :mod:`geo.analysis` asks of every layer."""

    def __init__(self, geoms: np.ndarray, grid: Grid, boundary: Boundary) -> None:
        self.geoms = np.asarray(geoms, dtype=object)
        shapely.prepare(self.geoms)
        self.grid, self.boundary = grid, boundary

    def __len__(self) -> int:
        return len(self.geoms)

    def containing(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(point, polygon) pairs, by point, where the polygon covers the point."""
        return self.grid.locate(lon, lat, self.geoms)

    def nearest(self, lon: np.ndarray, lat: np.ndarray, max_km: float = np.inf) -> tuple[np.ndarray, np.ndarray]:
        """Nearest polygon and geodesic km (0 inside) per point; -1 and nan if none within max_km."""
        index, dist = np.full(len(lon), -1, np.intp), np.full(len(lon), np.nan)
        site, poly = self.containing(lon, lat)
        first = np.r_[True, site[1:] != site[:-1]] if len(site) else np.zeros(0, bool)
        index[site[first]], dist[site[first]] = poly[first], 0.0
        out = np.flatnonzero(index < 0)
        index[out], dist[out] = self.boundary.nearest(lon[out], lat[out], max_km)
        return index, dist

    def within(self, lon: np.ndarray, lat: np.ndarray, km: np.ndarray) -> tuple[np.ndarray, ...]:
        """(point, polygon, km) by point then km: polygons covering the point (0 km) or whose edge is
        within ``km`` of it."""
        c_site, c_poly = self.containing(lon, lat)
        e_site, e_poly, e_km = self.boundary.within(lon, lat, km)
        site, poly, dist = np.r_[c_site, e_site], np.r_[c_poly, e_poly], np.r_[np.zeros(len(c_site)), e_km]
        order = np.lexsort((dist, poly, site))  # per (site, polygon), the covering 0 km row first
        first = order[np.r_[True, (np.diff(site[order]) != 0) | (np.diff(poly[order]) != 0)]] if len(order) else order
        first = first[np.lexsort((poly[first], dist[first], site[first]))]
        return site[first], poly[first], dist[first]


# ---------------------------------------------------------------------------------------------
# Building and caching

_MEMORY: OrderedDict[str, Layer] = OrderedDict()
_MEMORY_SIZE = 4


def layer(geoms: np.ndarray, cell: float = 0.1, step: float = 0.05) -> Layer:
    """The indexed layer for these geometries (a ``cell``-degree containment grid, edges densified to
    ``step`` degrees): from memory, else the disk cache, else built."""
    geoms = np.asarray(geoms, dtype=object)
    key = content_key(geoms, cell, step)
    if key in _MEMORY:
        _MEMORY.move_to_end(key)
        return _MEMORY[key]
    shapely.prepare(geoms)
    path = cache_dir() / "engine" / f"{key}.npz"
    built = _read(path, geoms)
    if built is None:
        built = Layer(geoms, Grid.build(geoms, cell), Boundary.build(geoms, step))
        _write(path, built)
    _MEMORY[key] = built
    while len(_MEMORY) > _MEMORY_SIZE:
        _MEMORY.popitem(last=False)
    return built


def content_key(geoms: np.ndarray, cell: float, step: float) -> str:
    """A hash of exactly the geometries given (so edited or filtered layers get their own index)."""
    digest = hashlib.sha256(f"claimmap-engine {VERSION} {cell!r} {step!r} {len(geoms)}".encode())
    for wkb in shapely.to_wkb(geoms, output_dimension=2, byte_order=1, include_srid=False):
        digest.update(len(wkb).to_bytes(8, "little"))
        digest.update(wkb)
    return digest.hexdigest()[:32]


_FIELDS = ("cell", "codes", "ptr", "polys", "step", "lon", "lat", "nxt", "poly", "floor")


def _read(path: Path, geoms: np.ndarray) -> Layer | None:
    """The cached layer, or None if absent or unreadable (then it is rebuilt and rewritten)."""
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {name: f[name] for name in _FIELDS}
        grid = Grid(float(arrays["cell"]), arrays["codes"], arrays["ptr"], arrays["polys"])
        boundary = Boundary(float(arrays["step"]), arrays["lon"], arrays["lat"], arrays["nxt"], arrays["poly"],
                            arrays["floor"])
        if grid.polys.size and grid.polys.max() >= len(geoms) or boundary.poly.size and boundary.poly.max() >= len(geoms):
            return None
        return Layer(geoms, grid, boundary)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None


def _write(path: Path, built: Layer) -> None:
    """Write atomically (temporary file, then rename); a cache that cannot be written is skipped."""
    g, b = built.grid, built.boundary
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez_compressed(f, cell=g.cell, codes=g.codes, ptr=g.ptr, polys=g.polys, step=b.step,
                                    lon=b.lon, lat=b.lat, nxt=b.nxt, poly=b.poly, floor=b.floor)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass
