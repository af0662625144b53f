"""Streaming and dask give the local engine's answers: the same rows, in order, with the same claims."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.errata import annotate_on
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
    return annotate_on(read_sites(points))  # today's claims, as the engines give by default


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


def test_cli_dask_on_an_existing_scheduler_skips_bad_rows(tmp_path):
    """--scheduler ADDRESS uses a running cluster; a bad row goes to errors.csv with --on-error skip."""
    from dask.distributed import LocalCluster

    from geo.cli import main

    frame = gpd.GeoDataFrame({"name": ["Rattu point", "nowhere", "Cherat point"]}, crs="EPSG:4326",
                             geometry=gpd.points_from_xy([74.8, np.nan, 71.89], [35.15, np.nan, 33.82]))
    frame.to_parquet(tmp_path / "in.parquet")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        assert main(["check", "-i", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "o"), "--engine", "dask",
                     "--scheduler", cluster.scheduler_address, "--on-error", "skip", "-q"]) == 0
    sites = gpd.read_parquet(tmp_path / "o" / "sites.parquet")
    assert sites["name"].tolist() == ["Rattu point", "Cherat point"]
    assert sites["claimed_by"].map(list).tolist() == [["IND", "PAK"], ["PAK"]]
    errors = pd.read_csv(tmp_path / "o" / "errors.csv")
    assert errors["row"].tolist() == [2] and "a point with no coordinates" in errors["reason"][0]
