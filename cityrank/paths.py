"""Where the bundled data lives: package data found through :mod:`importlib.resources`.

Config, datasets, boundaries and built web assets ship inside the ``cityrank`` package, so a
wheel installed anywhere finds them exactly as a checkout does. One place, so every layer
reads the same files.
"""

from importlib.resources import files
from pathlib import Path

PACKAGE_DIR = Path(str(files("cityrank")))
CONFIG_DIR = PACKAGE_DIR / "config"
INDICATORS_DIR = CONFIG_DIR / "indicators"
DATA_DIR = PACKAGE_DIR / "data"
DEMO_DIR = DATA_DIR / "demo"
PUBLISHED_DIR = DATA_DIR / "published"
SHAPEFILES_DIR = PACKAGE_DIR / "shapefiles"
ADMIN_GPKG = SHAPEFILES_DIR / "china_admin.gpkg"
ADMIN_UNITS_CSV = CONFIG_DIR / "admin_units.csv"
WEB_DIR = PACKAGE_DIR / "web"
VENDOR_DIR = WEB_DIR / "static" / "vendor"  # built from node_modules by scripts/setup.sh
WEB_TOPOLOGY = SHAPEFILES_DIR / "prefecture.topo.json"  # built by scripts/build_topology.py
WEB_TOPOLOGY_PROVENANCE = SHAPEFILES_DIR / "prefecture.topo.PROVENANCE.json"
