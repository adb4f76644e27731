"""Shared pieces of the spatial-data commands (``covariates``, ``grid``, ``export``) and of
those that can run on Dask (``analyze``, ``score``): the Dask engine options, the user's polygons or the built-in layer, output checks, messages."""

from __future__ import annotations

from pathlib import Path

from cityrank.cli import options as o
from cityrank.errors import DataError
from cityrank.i18n import t

TRUE_WORDS = {"1", "true", "yes", "y", "是"}


def say(args, key: str, **fmt) -> None:
    print(t(key, args.lang, **fmt))


def add_engine_options(p, lang: str) -> None:
    """``--engine`` and ``--scheduler`` (every command that can run on Dask)."""
    from cityrank.geo.analysis.partitioned import DASK_THRESHOLD, ENGINES

    p.add_argument("--engine", choices=ENGINES, default="auto",
                   help=o.h("spatial.engine", lang, threshold=f"{DASK_THRESHOLD:,}"))
    p.add_argument("--scheduler", metavar="ADDRESS", help=o.h("spatial.scheduler", lang))


def add_table_options(p, lang: str) -> None:
    """``--encoding`` and ``--sheet`` of a table read as it is (no missing-value policy)."""
    o.reading(p, lang, missing=False)


def read_polygons(args, path: str | None):
    """The user's polygons (``path``) or the built-in prefecture layer."""
    if path:
        from cityrank.geo.user_boundaries import read_boundaries

        gdf = read_boundaries(path, args.id_column)
        for w in gdf.attrs.get("warnings", []):
            say(args, "grid.warning", text=w)
        return gdf
    from cityrank.geo.boundaries import load_layer

    return load_layer("prefecture")


def make_engine(args, n: int):
    from cityrank.geo.analysis.partitioned import engine_for

    return engine_for(n, args.engine, args.scheduler)


def lazy_engine(args):
    """(engine or None, min_units) for a command that learns its size only later (``score``):
    a ``DaskEngine`` whose cluster starts on first use, and the number of units from which
    it is used (``--engine auto``: the threshold; ``dask`` or a ``--scheduler``: always)."""
    from cityrank.geo.analysis.partitioned import DASK_THRESHOLD, DaskEngine, use_dask

    if args.scheduler or use_dask(0, args.engine):
        return DaskEngine(args.scheduler), 0
    if args.engine == "auto":
        return DaskEngine(), DASK_THRESHOLD + 1  # as use_dask: above the threshold
    return None, 0


def check_out(path: str, suffixes: tuple[str, ...], lang: str) -> None:
    if Path(path).suffix.lower() not in suffixes:
        raise DataError(t("cli.spatial.bad_out", lang, path=path, suffixes=" / ".join(suffixes)))
