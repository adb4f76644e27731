"""JSON-safe values for every layer: NaN and inf become ``null``, NumPy scalars plain Python.

Reports, summaries and API responses all pass numbers through :func:`num`, so one rule decides
what a missing or undefined figure looks like in JSON.
"""

from __future__ import annotations

import math

import numpy as np


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
