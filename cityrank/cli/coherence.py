"""``cityrank coherence``: correlations, Cronbach's alpha, PCA, outliers and effective weights
of an index against its framework (the command lives with ``uncertainty``)."""

from cityrank.cli.uncertainty import register_coherence as register
from cityrank.cli.uncertainty import run_coherence as run

__all__ = ["register", "run"]
