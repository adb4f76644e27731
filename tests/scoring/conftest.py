"""Fixtures shared by the scoring tests: the shipped 2017 system and the one unit resolver."""

import pytest

from cityrank.scoring.system import load_system
from cityrank.scoring.units import UnitResolver


@pytest.fixture(scope="session")
def system():
    return load_system("ndrc-2017")


@pytest.fixture(scope="session")
def resolver():
    return UnitResolver()
