"""Small helpers shared by the analysis modules: seeded global RNG, quiet, p-values in words.

Kept in one place because several PySAL estimators (esda.Moran, spopt's max-p) draw from
NumPy's *global* random state and take no seed; :func:`seeded` makes them reproducible
without leaking the seed into the caller's random stream.
"""

from __future__ import annotations

import contextlib
import io
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


def p_text(p) -> str:
    """A p-value as people read it: "below a thousandth" as ``< 0.001``, else ``= 0.034``
    (never ``p=2.61e-15``); ``–`` when there is none. Prefix it: ``f"p {p_text(p)}"``.

    >>> print(p_text(2.61e-15), "|", p_text(0.03412), "|", p_text(None))
    < 0.001 | = 0.034 | –
    """
    if p is None or p != p:
        return "–"
    return f"< {P_FLOOR}" if p < P_FLOOR else f"= {p:.3f}"


P_FLOOR = 0.001
"""p-values below this are written as below it."""


IMAGE_NAMES = ("lisa_clusters", "lisa_significance", "getis_ord", "zones", "hub_effects", "gradients")
"""The analysis report's images (report page, CLI HTML, viewer PNG routes), in page order."""
