"""Build hook (all metadata is in pyproject.toml): refuse to build a wheel without the
front-end assets.

``cityrank/web/static/vendor`` is not committed: ``scripts/setup.sh`` fills it from the npm
registry (``npm ci`` + ``scripts/build_assets.py``). A wheel built before that would install a
viewer whose pages load no Leaflet, Bootstrap or d3 -- so the build stops and says what to run.
Editable installs (``pip install -e .``, which setup.sh runs before the assets exist) are not
checked: they read the assets from the checkout at run time.
"""

import ast
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
ASSETS = ROOT / "cityrank" / "service" / "vendor.py"
VENDOR = ROOT / "cityrank" / "web" / "static" / "vendor"


def vendor_files() -> list[str]:
    """Keys of ``VENDOR_FILES`` in cityrank/service/vendor.py (read, not imported: no Flask here)."""
    for node in ast.parse(ASSETS.read_text(encoding="utf-8")).body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if getattr(target, "id", None) == "VENDOR_FILES":
            return list(ast.literal_eval(node.value))
    raise SystemExit(f"setup.py: no VENDOR_FILES literal in {ASSETS}")


class BuildPyWithAssets(build_py):
    def run(self):
        if not getattr(self, "editable_mode", False):
            missing = [name for name in [*vendor_files(), "map/manifest.json"] if not (VENDOR / name).is_file()]
            if missing:
                raise SystemExit(
                    f"cityrank: refusing to build without the front-end assets; missing in {VENDOR}: "
                    f"{', '.join(missing)}. Run scripts/setup.sh (npm ci, then "
                    "python scripts/build_assets.py) first."
                )
        super().run()


setup(cmdclass={"build_py": BuildPyWithAssets})
