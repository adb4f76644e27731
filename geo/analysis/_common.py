"""Small helpers shared by the analysis modules: seeded global RNG, JSON-safe values, fonts.

Kept in one place because several PySAL estimators (esda.Moran, spopt's max-p) draw from
NumPy's *global* random state and take no seed; :func:`seeded` makes them reproducible
without leaking the seed into the caller's random stream.
"""

from __future__ import annotations

import contextlib
import io
import math
import random
from collections.abc import Iterator

import numpy as np


@contextlib.contextmanager
def seeded(seed: int | None) -> Iterator[None]:
    """Seed NumPy's and Python's global RNGs for the block, then restore the previous state."""
    np_state = np.random.get_state()
    py_state = random.getstate()
    if seed is not None:
        np.random.seed(seed)
        random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Swallow stray prints (spreg prints the class name while building its summary)."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def num(value, digits: int | None = None):
    """A JSON-safe float: NaN/inf become None, NumPy scalars become Python floats."""
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f):
        return None
    return round(f, digits) if digits is not None else f


def jsonable(obj):
    """Recursively turn NumPy/pandas scalars and arrays into JSON-serialisable Python values."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [jsonable(v) for v in obj.tolist()]
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return num(obj)
    if obj is None or isinstance(obj, str):
        return obj
    try:
        import pandas as pd

        if obj is pd.NA or obj is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    return str(obj)


_CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei")


def use_cjk_font() -> None:
    """Point matplotlib at an installed CJK font (fonts-noto-cjk) so Chinese labels render."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager, rcParams

    available = {f.name for f in font_manager.fontManager.ttflist}
    chosen = [f for f in _CJK_FONTS if f in available]
    rcParams["font.sans-serif"] = chosen + ["DejaVu Sans"]
    rcParams["font.family"] = "sans-serif"
    rcParams["axes.unicode_minus"] = False
