"""Streaming and dask give the local engine's answers: the same rows, in order, with the same claims."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.analysis import annotate
from geo.check import check_chunks
from geo.sites import read_sites

dask_geopandas = pytest.importorskip("dask_geopandas")
N = 100_000
COMPARED = ["name", "lat", "lon", "status", "regions", "administered_by", "claimed_by", "country",
            "nearest_disputed", "nearest_disputed_km"]


@pytest.fixture(scope="module")
def points(tmp_path_factory):
    """World points, a fifth of them over Kashmir, as GeoParquet with several row groups."""
    rng = np.random.default_rng(1)
    k = N // 5
    lat = np.r_[rng.uniform(-55, 70, N - k), rng.uniform(32, 37, k)]
    lon = np.r_[rng.uniform(-180, 180, N - k), rng.uniform(72, 80, k)]
    frame = gpd.GeoDataFrame({"name": [f"p{i}" for i in range(N)]}, geometry=gpd.points_from_xy(lon, lat),
                             crs="EPSG:4326")
    path = tmp_path_factory.mktemp("points") / "points.parquet"
    frame.to_parquet(path, row_group_size=25_000)
    return path


@pytest.fixture(scope="module")
def whole(points):
    return annotate(read_sites(points))


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    a, b = a[COMPARED].reset_index(drop=True), b[COMPARED].reset_index(drop=True)
    for column in ("regions", "claimed_by"):
        a[column], b[column] = a[column].map(list), b[column].map(list)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_streamed_chunks_match_one_pass(points, whole):
    chunks = list(check_chunks(input_path=points, chunk_rows=30_000))
    assert len(chunks) > 1 and max(len(c) for c in chunks) <= 30_000
    same(pd.concat(chunks), whole)


def test_dask_engine_matches_local(points, whole, tmp_path):
    from geo.distributed import check_dask

    written = check_dask(points, tmp_path / "o", workers=2)
    result = gpd.read_parquet(written[0])  # a dataset folder, one part per row group
    assert len(result) == N
    same(result, whole)
    assert set(gpd.read_parquet(written[1])["region"]) == set(whole["regions"].explode().dropna())


def test_annotate_dask_takes_a_dask_frame(points, whole):
    from geo.distributed import annotate_dask

    raw = gpd.read_parquet(points).head(2000)
    lazy = annotate_dask(dask_geopandas.from_geopandas(raw, npartitions=3))
    same(lazy.compute(scheduler="synchronous"), whole.head(2000))
