"""Copy the allow-listed front-end files from ``node_modules`` into the package.

``npm ci`` (run by ``scripts/setup.sh``) installs Leaflet and friends from the npm registry;
this copies only the files the app serves (``cityrank.service.vendor.VENDOR_FILES``) into
``cityrank/web/static/vendor``, which is package data: a wheel built afterwards carries them,
and nothing is ever fetched from a CDN at run time. It also bundles the map client with esbuild
(``cityrank.service.vendor.build_bundle``: one minified script and one stylesheet with
content-hashed names and a manifest, under ``static/vendor/map``). The folder is not committed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cityrank.paths import VENDOR_DIR  # noqa: E402
from cityrank.service.vendor import VENDOR_FILES, build_bundle  # noqa: E402


def build(node_modules: Path = ROOT / "node_modules", out: Path = VENDOR_DIR) -> int:
    missing = [src for src in VENDOR_FILES.values() if not (node_modules / src).is_file()]
    if missing:
        raise SystemExit(f"build_assets: missing in {node_modules}: {', '.join(missing)} (run npm ci)")
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    for name, src in VENDOR_FILES.items():
        target = tmp / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(node_modules / src, target)
    build_bundle(node_modules, tmp)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return len(VENDOR_FILES) + 2


if __name__ == "__main__":
    print(f"build_assets: {build()} files in {VENDOR_DIR.relative_to(ROOT)}")
