"""The interactive choropleth, built with folium and rendered into our own templates.

Every label that comes from data is HTML-escaped here, before folium sees it: folium's
tooltips assemble ``innerHTML`` from feature properties, so an unescaped city name such as
``<img src=x onerror=alert(1)>`` would run. The rendered parts (header, body, script) are
returned separately so a page can place the map and allow its inline scripts by their CSP
hashes (``RenderedMap.header``'s and ``script``'s; see ``cityrank.web.security``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from folium.template import Template
from markupsafe import escape

from cityrank.geo.inset import TITLES as INSET_TITLES
from cityrank.geo.inset import inset_svg
from cityrank.service.classes import STATUS_COLOURS, Classes
from cityrank.service.geojson import feature_collection
from cityrank.service.vendor import localise_assets
from cityrank.web import i18n

CENTER = (35.5, 104.0)
BOUNDS = [[17.5, 73.5], [53.6, 135.1]]  # mainland + Hainan's southern tip (SCS via the hint)
PRECISION = 2  # decimal degrees in the page (~1 km)
LINE_COLOUR = "#ffffff"
DARK_LINE = "#333333"


def _compact_json() -> None:
    """Make folium's ``tojson`` compact: no spaces after separators, UTF-8 instead of ``\\uXXXX``.

    Folium's templates share one jinja environment; only whitespace changes, and ``<``/``>``
    are still escaped by jinja's ``htmlsafe_json_dumps``.
    """
    env = folium.GeoJson._template.environment
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":"), "ensure_ascii": False}


_compact_json()


class MapLabel(MacroElement):
    """A plain text label on the map (``L.divIcon``); the text is set with ``textContent``.

    Written here rather than with ``folium.Marker`` + ``DivIcon`` because that pair first
    loads Leaflet's default marker images, and ``folium.Tooltip`` pastes its text raw into
    a JS template literal.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var el = document.createElement("div");
            el.className = "cr-label";
            el.textContent = {{ this.text|tojson }};
            L.marker({{ this.location|tojson }}, {
                icon: L.divIcon({html: el, className: "cr-label-icon", iconSize: null,
                                 iconAnchor: [-14, 8]}),
                interactive: false, keyboard: false
            }).addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, lat: float, lon: float, text: str):
        super().__init__()
        self._name = "MapLabel"
        self.location = [round(lat, 4), round(lon, 4)]
        self.text = text


LEAFLET_PREFIX = '<a href="https://leafletjs.com" title="A JavaScript library for interactive maps">Leaflet</a>'
"""Leaflet's attribution prefix as plain text: Leaflet 1.9 puts a flag icon before the word,
which maps for government users and media in China must not carry."""


class PlainAttribution(MacroElement):
    """Replace Leaflet's default attribution prefix on the parent map with LEAFLET_PREFIX."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        if ({{ this._parent.get_name() }}.attributionControl) {
            {{ this._parent.get_name() }}.attributionControl.setPrefix({{ this.prefix|tojson }});
        }
        {% endmacro %}
        """
    )

    def __init__(self, prefix: str = LEAFLET_PREFIX):
        super().__init__()
        self._name = "PlainAttribution"
        self.prefix = prefix


class SouthChinaSeaInset(MacroElement):
    """The 南海诸岛 inset as a Leaflet control (bottom right, above the attribution).

    The SVG comes from ``geo.inset`` (server-drawn from the committed layers, no data
    strings in it); the control's script is part of the map's inline script, allowed by the
    page's CSP hash like the rest. Clicks and scrolls on the inset do not reach the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var Inset = L.Control.extend({
                options: {position: "bottomright"},
                onAdd: function () {
                    var div = L.DomUtil.create("div", "cr-inset leaflet-control");
                    div.setAttribute("role", "figure");
                    div.setAttribute("aria-label", {{ this.title|tojson }});
                    div.innerHTML = {{ this.svg|tojson }};
                    var cap = L.DomUtil.create("div", "cr-inset-title", div);
                    cap.textContent = {{ this.title|tojson }};
                    L.DomEvent.disableClickPropagation(div);
                    L.DomEvent.disableScrollPropagation(div);
                    return div;
                }
            });
            new Inset().addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, lang: str = "zh"):
        super().__init__()
        self._name = "SouthChinaSeaInset"
        self.title = INSET_TITLES.get(lang, INSET_TITLES["zh"])
        self.svg = inset_svg(lang)


@dataclass
class RenderedMap:
    header: str
    html: str
    script: str
    n_scored: int
    legend: list[dict] = field(default_factory=list)


def _fmt(v, digits: int = 1) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def _text(value) -> str:
    """Escape a data string for folium's innerHTML tooltips."""
    return str(escape("" if value is None else str(value)))


def build_map(gdf: gpd.GeoDataFrame, indicator: str, classes: Classes, *, lang: str = "zh",
              indicator_label: str = "", dark: bool = False, lines: gpd.GeoDataFrame | None = None,
              height: str = "100%", province_names: dict[str, str] | None = None,
              root: str = "") -> RenderedMap:
    """Build and render the folium map of ``gdf[indicator]`` classified by ``classes``.

    ``province_names`` translates the ``province`` column for the tooltips (English pages:
    the province layer's ``name_en``); without it the Chinese names are shown. ``root`` is
    the application's mount point for the vendored Leaflet URLs.
    """
    m = folium_map(gdf, indicator, classes, lang=lang, indicator_label=indicator_label, dark=dark,
                   lines=lines, height=height, province_names=province_names)
    n_scored = int((gdf["display"] == "scored").sum())
    localise_assets(m.get_root(), root)
    doc = m.get_root()
    doc.render()
    return RenderedMap(
        header=doc.header.render(),  # its inline scripts: allowed by hash (web.security)
        html=doc.html.render(),
        script=doc.script.render(),
        n_scored=n_scored,
    )


def folium_map(gdf: gpd.GeoDataFrame, indicator: str, classes: Classes, *, lang: str = "zh",
               indicator_label: str = "", dark: bool = False, lines: gpd.GeoDataFrame | None = None,
               height: str = "100%", province_names: dict[str, str] | None = None) -> folium.Map:
    """The folium map of :func:`build_map`, not rendered and with folium's own asset links."""
    m = folium.Map(location=CENTER, zoom_start=4, tiles=None, prefer_canvas=False,
                   min_zoom=3, max_zoom=8, height=height, zoom_snap=0.25)
    m.fit_bounds(BOUNDS)
    PlainAttribution().add_to(m)
    SouthChinaSeaInset(lang).add_to(m)
    border = DARK_LINE if dark else LINE_COLOUR
    name_col = "name_en" if lang == "en" and "name_en" in gdf.columns else "name"

    scored = gdf[gdf["display"] == "scored"].copy()
    scored["tip_name"] = [_text(n) for n in scored[name_col]]
    prov = scored["province"] if "province" in scored.columns else pd.Series("", index=scored.index)
    names = province_names or {}
    scored["tip_prov"] = [_text(names.get(str(v), v) if isinstance(v, str) else "") for v in prov]
    scored["tip_value"] = [_fmt(v) for v in scored[indicator]]
    scored["tip_rank"] = [_text("" if pd.isna(r) else int(r)) for r in scored["rank"]]
    colours = {c: classes.colour_at(i) or STATUS_COLOURS["no_data"] for i, c in enumerate(scored["code"])}
    fields = ["tip_name", "tip_prov", "tip_value", "tip_rank"]
    fc = feature_collection(scored, fields, precision=PRECISION)
    folium.GeoJson(
        fc,
        name="scored",
        style_function=lambda f: {"fillColor": colours[f["id"]], "color": border, "weight": 0.5,
                                  "fillOpacity": 0.9},
        highlight_function=lambda f: {"weight": 2, "color": "#ff7f00"},
        tooltip=folium.GeoJsonTooltip(
            fields=fields,
            aliases=[_text(i18n.t("city", lang)), _text(i18n.t("province", lang)), _text(indicator_label),
                     _text(i18n.t("rank", lang))],
            sticky=True,
        ),
        className="cr-scored",
    ).add_to(m)

    context = gdf[gdf["display"] != "scored"].copy()
    if len(context):
        status_text = {k: i18n.t(k, lang) for k in ("not_evaluated", "no_data", "hmt")}
        context["tip_name"] = [_text(n) for n in context[name_col]]
        context["tip_status"] = [
            _text(i18n.t("taiwan_no_data", lang) if c == "710000" else status_text.get(d, d))
            for c, d in zip(context["code"], context["display"], strict=True)
        ]
        context_edge = "#777777" if dark else "#a0a0a0"
        fills = dict(zip(context["code"], context["display"].map(STATUS_COLOURS), strict=True))
        folium.GeoJson(
            feature_collection(context, ["tip_name", "tip_status"], precision=PRECISION),
            name="context",
            style_function=lambda f: {"fillColor": fills[f["id"]] or "#dddddd", "color": context_edge,
                                      "weight": 0.4, "fillOpacity": 0.9,
                                      "dashArray": "2 2" if fills[f["id"]] == STATUS_COLOURS["no_data"] else None},
            tooltip=folium.GeoJsonTooltip(fields=["tip_name", "tip_status"], labels=False, sticky=True),
            className="cr-context",
        ).add_to(m)
        taiwan = context[context["code"] == "710000"]
        if len(taiwan):
            pt = taiwan.geometry.iloc[0].representative_point()
            # The map label stays in Chinese in both languages (the conventional wording);
            # the tooltip carries the translation.
            MapLabel(pt.y, pt.x, i18n.t("taiwan_no_data", "zh")).add_to(m)

    if lines is not None and len(lines):
        folium.GeoJson(
            feature_collection(lines.assign(code=[str(i) for i in range(len(lines))]), [], precision=PRECISION),
            name="boundary_line",
            style_function=lambda f: {"color": "#7a7a7a", "weight": 1, "dashArray": "4 3"},
            interactive=False,
            className="cr-line",
        ).add_to(m)
    return m


# --- standalone files and notebooks ----------------------------------------------------------

STANDALONE_CSS = """html,body{margin:0;height:100%;font-family:system-ui,"Noto Sans CJK SC",sans-serif}
.folium-map{position:absolute;inset:0}
.cr-head,.cr-key,.cr-foot{position:absolute;z-index:1000;background:rgba(255,255,255,.92);padding:4px 8px;
 font-size:13px;color:#222;border-radius:3px;box-shadow:0 0 3px rgba(0,0,0,.3)}
.cr-head{top:8px;left:56px;right:8px;font-size:15px;font-weight:600}
.cr-mark{color:#b00;border:1px solid #b00;border-radius:3px;padding:0 4px;margin-left:6px;font-size:12px}
.cr-key{bottom:48px;left:8px;max-width:45%}.cr-key ul{list-style:none;margin:4px 0 0;padding:0}
.cr-key i{display:inline-block;width:14px;height:10px;margin-right:6px;border:1px solid #888}
.cr-foot{bottom:8px;left:8px;right:8px;font-size:11px}
.cr-inset{background:#fff;border:1px solid #888;width:120px}.cr-inset svg{display:block;width:100%;height:auto}
.cr-inset-title{font-size:11px;text-align:center}.cr-label{font-size:11px;white-space:nowrap;color:#444}"""


def with_display(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``gdf`` (a joined layer: ``status``, ``type``) with ``display``: the status, or ``hmt``
    for Hong Kong, Macao and Taiwan without scores."""
    from cityrank.service.geometry import display_status

    return gdf.assign(display=display_status(gdf))


def standalone_map(gdf: gpd.GeoDataFrame, column: str, *, lang: str = "zh", classification: str = "quantiles",
                   k: int = 5, bins=None, title: str = "", legend_title: str = "", source_note: str = "",
                   synthetic: bool = False, lines: gpd.GeoDataFrame | None = None,
                   simplify: float | None = None) -> folium.Map:
    """A folium map of a joined layer (``geo.join.join_scores(...).gdf``) for a file or a
    notebook that needs nothing but itself: Leaflet's JS and CSS inlined from the package's
    vendored copies (:func:`cityrank.service.vendor.inline_assets`), the title, the synthetic
    mark, the legend, the source line and the South China Sea inset with its note; every data
    and user string escaped. ``simplify`` (degrees) simplifies the layer as a coverage first
    (:data:`cityrank.service.geometry.MAP_SIMPLIFY` for the bundled layer: a file of ~1 MB)."""
    from cityrank.scoring.aggregate import rank_desc
    from cityrank.service.classes import classify
    from cityrank.service.vendor import inline_assets

    gdf = with_display(gdf) if "display" not in gdf.columns else gdf.copy()
    if simplify:
        import shapely

        gdf["geometry"] = shapely.coverage_simplify(gdf.geometry.values, simplify)
    scored = gdf["display"] == "scored"
    gdf["rank"] = pd.array([pd.NA] * len(gdf), dtype="Int64")
    gdf.loc[scored, "rank"] = rank_desc(gdf.loc[scored, column]).astype("int64")
    classes = classify(gdf.loc[scored, column].to_numpy(dtype=float), classification, k, bins=bins, lang=lang)
    m = folium_map(gdf, column, classes, lang=lang, indicator_label=legend_title or column, lines=lines)
    present = set(gdf["display"])
    rows = "".join(f'<li><i style="background:{escape(r["colour"])}"></i>{escape(r["label"])}</li>'
                   for r in legend(classes, lang, present))
    rows += f"<li>{escape(i18n.t('scs_hint', lang))}</li>"
    mark = (f' <span class="cr-mark" title="{escape(i18n.t("synthetic_note", lang))}">'
            f'{escape(i18n.t("synthetic", lang))}</span>') if synthetic else ""
    foot = escape(source_note) + (" · " + escape(i18n.t("synthetic_note", lang)) if synthetic else "")
    root = m.get_root()
    root.header.add_child(folium.Element(f"<style>{STANDALONE_CSS}</style>"), name="cr_style")
    root.html.add_child(folium.Element(
        f'<div class="cr-head">{escape(title)}{mark}</div>'
        f'<div class="cr-key"><strong>{escape(legend_title or column)}</strong><ul>{rows}</ul></div>'
        f'<div class="cr-foot">{foot}</div>'), name="cr_overlay")
    inline_assets(root)
    return m


def legend(classes: Classes, lang: str, present: set[str]) -> list[dict]:
    """Legend rows: the classes, then a grey entry for each non-scored status on the map."""
    rows = [{"colour": c, "label": lab} for c, lab in zip(classes.colours, classes.labels, strict=True)]
    for status in ("not_evaluated", "no_data", "hmt"):
        if status in present:
            rows.append({"colour": STATUS_COLOURS[status], "label": i18n.t(status, lang), "status": status})
    return rows
