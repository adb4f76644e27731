"""The Dask engine gives the single-process results exactly: weights, LISA, Gi*, zonal statistics.

One LocalCluster (2 worker processes) serves the whole module. Equality is exact
(``check_exact``), not approximate: same seed, same permutation draws per unit, whatever the
partitioning.
"""

from __future__ import annotations

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cityrank.errors import ConfigError
from cityrank.geo.analysis import autocorrelation as ac
from cityrank.geo.analysis.partitioned import DaskEngine, engine_for, use_dask
from cityrank.geo.analysis.weights import build_weights


@pytest.fixture(scope="module")
def engine():
    eng = DaskEngine(n_workers=2, partition_size=5000)
    yield eng
    eng.close()


def lattice(side: int, *, seed: int = 3) -> gpd.GeoDataFrame:
    """side x side 1 km cells (EPSG:3857 near Shenzhen) with a trend + noise value, seeded."""
    gx, gy = np.meshgrid(np.arange(side), np.arange(side))
    gx, gy = gx.ravel(), gy.ravel()
    x0, y0 = 12_600_000.0, 2_500_000.0
    cells = shapely.box(x0 + gx * 1000.0, y0 + gy * 1000.0, x0 + (gx + 1) * 1000.0, y0 + (gy + 1) * 1000.0)
    rng = np.random.default_rng(seed)
    value = rng.gamma(2.0, size=gx.size) + 0.02 * gx + np.where((gx // 20 + gy // 20) % 3 == 0, 2.0, 0.0)
    return gpd.GeoDataFrame({"id": [f"c{i}" for i in range(gx.size)], "value": value},
                            geometry=cells, crs=3857)


def assert_same_weights(a, b):
    A, B = a.w.sparse.tocsr(), b.w.sparse.tocsr()
    assert A.shape == B.shape
    assert np.array_equal(A.indptr, B.indptr) and np.array_equal(A.indices, B.indices)
    assert np.array_equal(A.data, B.data)
    assert a.fixed == b.fixed and a.islands == b.islands and a.ids == b.ids


def test_engine_choice():
    assert not use_dask(10) and use_dask(10, "dask") and use_dask(200_000)
    assert not use_dask(200_000, "single")
    with pytest.raises(ConfigError):
        use_dask(10, "spark")
    with engine_for(10) as e:
        assert e is None


def test_unreachable_scheduler_is_a_clear_error():
    eng = DaskEngine("tcp://127.0.0.1:9", timeout="1s")
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        eng.client  # noqa: B018
    eng.close()


def test_weights_on_real_prefectures_with_islands(engine):
    """Irregular real polygons, islands attached: the halo keeps contiguity exact."""
    from cityrank.geo.boundaries import load_layer

    pref = load_layer("prefecture")
    # Guangdong, Hainan (an island province) and Zhejiang (Zhoushan): irregular coastlines
    pref = pref[pref["province_code"].isin(["440000", "460000", "330000"])].reset_index(drop=True)
    ids = pref["code"].tolist()
    single = build_weights(pref, "queen", ids=ids)
    small = DaskEngine(partition_size=8)
    small._client = engine.client  # same cluster, small partitions
    assert len(small.partitions(pref.to_crs(3857).geometry.to_numpy())) >= 5
    part = small.build_weights(pref, "queen", ids=ids)
    assert single.fixed, "the prefecture layer has islands to attach"
    assert_same_weights(single, part)
    small._client = None
    with pytest.raises(ConfigError, match="single-process"):
        small.build_weights(pref, "knn", ids=ids)


def test_lisa_and_gstar_equal_esda_itself(engine):
    g = lattice(30)
    sw = build_weights(g, "queen", ids=g["id"].tolist())
    y = g["value"].to_numpy()
    small = DaskEngine(partition_size=200)
    small._client = engine.client
    assert_same_weights(build_weights(g, "rook", ids=g["id"].tolist()),
                        small.build_weights(g, "rook", ids=g["id"].tolist()))
    lm = esda.Moran_Local(y, sw.w, transformation="r", permutations=199, seed=11, n_jobs=1,
                          keep_simulations=False)
    lisa = small.local_moran(y, sw, permutations=199, seed=11)
    np.testing.assert_array_equal(lisa["Ii"].to_numpy(), lm.Is)
    np.testing.assert_array_equal(lisa["p_sim"].to_numpy(), np.asarray(lm.p_sim, dtype=float))
    np.testing.assert_array_equal(lisa["esda_q"].to_numpy(), lm.q)
    gl = esda.G_Local(y, ac._with_self(sw), transform="B", permutations=199, star=None, seed=11,
                      n_jobs=1, keep_simulations=False)
    gs = small.local_g_star(y, sw, permutations=199, seed=11)
    np.testing.assert_array_equal(gs["Gi_star"].to_numpy(), gl.Gs)
    np.testing.assert_array_equal(gs["z"].to_numpy(), gl.Zs)
    np.testing.assert_array_equal(gs["p"].to_numpy(), np.asarray(gl.p_sim, dtype=float))
    small._client = None


def test_zonal_statistics_partitioned_equal(engine, tmp_path):
    import rasterio
    from rasterio.transform import from_origin

    from cityrank.geo.covariates import zonal_statistics

    g = lattice(40).iloc[::3].reset_index(drop=True)  # 534 cells, not contiguous
    a = np.random.default_rng(5).random((90, 90)).astype("float32")
    a[10:20, 10:20] = -1
    with rasterio.open(tmp_path / "r.tif", "w", driver="GTiff", width=90, height=90, count=1,
                       dtype="float32", crs="EPSG:3857", nodata=-1,
                       transform=from_origin(12_600_000.0 - 2000, 2_540_000.0 + 3000, 500, 500)) as ds:
        ds.write(a, 1)
    small = DaskEngine(partition_size=100)
    small._client = engine.client
    stats = ["mean", "sum", "count", "max"]
    one = zonal_statistics(tmp_path / "r.tif", g.to_crs(4490), stats, name="v", id_column="id")
    many = zonal_statistics(tmp_path / "r.tif", g.to_crs(4490), stats, name="v", id_column="id", engine=small)
    pd.testing.assert_frame_equal(one.values, many.values, check_exact=True)
    small._client = None


@pytest.mark.slow
def test_partitioned_equals_single_process_on_40000_cells(engine):
    g = lattice(200)
    ids = g["id"].tolist()
    y = g["value"].to_numpy()
    single = build_weights(g, "queen", ids=ids)
    part = engine.build_weights(g, "queen", ids=ids)
    assert_same_weights(single, part)
    # 199 permutations keep the test's time modest; the draws are the same per unit for any count
    lisa_1 = ac.local_moran(y, single, permutations=199, seed=12345)
    lisa_d = engine.local_moran(y, part, permutations=199, seed=12345)
    pd.testing.assert_frame_equal(lisa_1, lisa_d, check_exact=True)
    assert lisa_1["significant"].sum() > 1000  # the comparison is not between empty answers
    g_1 = ac.local_g_star(y, single, permutations=199, seed=12345)
    g_d = engine.local_g_star(y, part, permutations=199, seed=12345)
    pd.testing.assert_frame_equal(g_1, g_d, check_exact=True)


def test_report_on_dask_equals_single_process(engine):
    from cityrank.geo.analysis.report import build_report

    g = lattice(25)
    small = DaskEngine(partition_size=150)
    small._client = engine.client
    kw = dict(permutations=99, zones=False, draws=50, synthetic=True, id_column="id", seed=5)
    one = build_report(g, "value", **kw)
    many = build_report(g, "value", engine=small, **kw)
    assert many["engine"]["engine"] == "dask" and one["engine"] == {"engine": "single"}
    assert one["units"] == many["units"]
    assert one["weights"] == many["weights"] and one["global_moran"] == many["global_moran"]
    small._client = None
