"""``cityrank export``: a scored layer as a GeoTIFF (rasterised, CGCS2000 or the equal-area
CRS) or a GeoPackage, for GIS users."""

from __future__ import annotations

from pathlib import Path

from cityrank.cli import options as o
from cityrank.cli.spatial import TRUE_WORDS, add_table_options, check_out, read_polygons, say
from cityrank.errors import DataError
from cityrank.i18n import t


def register(sub, lang: str):
    p = o.add_command(sub, "export", lang)
    o.data(p, lang, required=True, key="export.data")
    p.add_argument("--id-column", metavar="COLUMN", help=o.h("opt.id_column", lang))
    p.add_argument("--indicator", action="append", metavar="ID", help=o.h("export.indicator", lang))
    p.add_argument("--resolution", default="1km", help=o.h("export.resolution", lang))
    p.add_argument("--crs", choices=("equal-area", "cgcs2000"), default="equal-area", help=o.h("export.crs", lang))
    p.add_argument("--all-touched", action="store_true", help=o.h("export.all_touched", lang))
    p.add_argument("--synthetic", action="store_true", help=o.h("spatial.synthetic", lang))
    o.out(p, lang, required=True, key="export.out")
    add_table_options(p, lang)
    o.lang(p, lang)
    return p


def _read_layer(args):
    """A polygon layer with the indicator columns: a GIS file, or a scores table joined."""
    import pandas as pd

    path = Path(args.data)
    columns = args.indicator or ["total"]
    if path.suffix.lower() in (".gpkg", ".shp", ".geojson", ".json", ".zip"):
        gdf = read_polygons(args, str(path))
    else:
        from cityrank.geo.join import join_scores
        from cityrank.scoring.readers import read_table

        raw = read_table(path, encoding=args.encoding, sheet=args.sheet).frame
        for c in columns:
            if c not in raw.columns:
                raise DataError(t("cli.export.no_column", args.lang, path=path, column=c,
                                  columns=", ".join(map(str, raw.columns))))
            raw[c] = pd.to_numeric(raw[c].replace("", None), errors="coerce")
        if "synthetic" in raw.columns and raw["synthetic"].astype(str).str.lower().isin(TRUE_WORDS).any():
            args.synthetic = True
        jr = join_scores(raw, value_column=columns[0], source=str(path))
        for w in jr.warnings:
            say(args, "grid.warning", text=w)
        gdf = jr.gdf
    if "synthetic" in gdf.columns and gdf["synthetic"].astype(str).str.lower().isin(TRUE_WORDS).any():
        args.synthetic = True
    return gdf, columns


def run(args) -> int:
    from cityrank.geo import raster_io
    from cityrank.geo.grid import parse_length

    check_out(args.out, (".tif", ".tiff", ".gpkg"), args.lang)
    gdf, columns = _read_layer(args)
    synthetic = bool(args.synthetic)
    if Path(args.out).suffix.lower() == ".gpkg":
        out = raster_io.export_geopackage(gdf, args.out, synthetic=synthetic)
        say(args, "grid.wrote", path=out)
    else:
        if args.crs == "equal-area":
            res = parse_length(args.resolution)
            shown = f"{res:g} m"
        else:
            text = str(args.resolution).lower().removesuffix("deg").strip()
            try:
                res = float(text)
            except ValueError:
                raise DataError(t("cli.export.bad_degrees", args.lang, value=args.resolution)) from None
            shown = f"{res:g}°"
        out = raster_io.export_geotiff(gdf, columns, args.out, resolution=res, crs=args.crs,
                                       all_touched=args.all_touched, synthetic=synthetic, source=str(args.data))
        say(args, "grid.exported", columns=", ".join(columns), crs=args.crs, resolution=shown, path=out)
    if synthetic:
        say(args, "grid.synthetic_mark")
    return 0
