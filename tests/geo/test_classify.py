"""cityrank.geo.classify: class breaks against reference values."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from cityrank.errors import ConfigError, DataError
from cityrank.geo.classify import CLASSIFIERS, classify


def test_registry_names():
    assert set(CLASSIFIERS) == {"quantiles", "natural_breaks", "equal_interval", "published"}


def test_published_bins_are_left_closed():
    values = [29.9, 30.0, 39.99, 40.0, 59.9, 60.0, 60.4, 68.4, np.nan]
    c = classify(values, "published")
    assert c.labels == ("< 30", "30 – 40", "40 – 50", "50 – 60", "≥ 60")
    assert c.yb.tolist() == [0, 1, 1, 2, 3, 4, 4, 4, -1]
    assert c.counts == (1, 2, 1, 1, 3)
    assert c.closed == "left"


def test_published_reproduces_the_2017_distribution():
    # the report: >=60: 8, 50-60: 63, 40-50: 152, 30-40: 63, <30: 7 (293 cities)
    values = np.r_[np.full(7, 25.0), np.full(63, 35.0), np.full(152, 45.0), np.full(63, 55.0),
                   np.full(8, 65.0)]
    assert classify(values, "published").counts == (7, 63, 152, 63, 8)


def test_equal_interval_and_quantiles_reference():
    values = np.arange(1.0, 11.0)
    eq = classify(values, "equal_interval", k=3)
    assert_allclose(eq.edges, [1.0, 4.0, 7.0, 10.0])
    assert eq.labels == ("1.0 – 4.0", "4.0 – 7.0", "7.0 – 10.0")
    assert eq.counts == (4, 3, 3)
    q = classify(values, "quantiles", k=2)
    assert_allclose(q.edges, [1.0, 5.5, 10.0])
    assert q.counts == (5, 5)


def test_natural_breaks_finds_obvious_groups():
    values = [1, 1.1, 1.2, 10, 10.2, 10.1, 30, 30.5]
    nb = classify(values, "natural_breaks", k=3)
    assert nb.counts == (3, 3, 2)


def test_k_larger_than_distinct_values_does_not_warn():
    c = classify([1.0, 1.0, 2.0, 2.0], "quantiles", k=5)
    assert c.k <= 2


def test_errors():
    with pytest.raises(ConfigError, match="unknown classification"):
        classify([1, 2], "jenks")
    with pytest.raises(ConfigError, match="k must be"):
        classify([1, 2], "quantiles", k=1)
    with pytest.raises(DataError, match="all missing"):
        classify([np.nan], "quantiles")
    with pytest.raises(ConfigError, match="increasing"):
        classify([1, 2], "published", bins=[40, 30])
