"""Where the project's bundled data lives. One place, so every layer reads the same files."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"
INDICATORS_DIR = CONFIG_DIR / "indicators"
DATA_DIR = PROJECT_ROOT / "data"
DEMO_DIR = DATA_DIR / "demo"
PUBLISHED_DIR = DATA_DIR / "published"
SHAPEFILES_DIR = PROJECT_ROOT / "shapefiles"
ADMIN_GPKG = SHAPEFILES_DIR / "china_admin.gpkg"
ADMIN_UNITS_CSV = CONFIG_DIR / "admin_units.csv"
