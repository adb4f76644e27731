"""cityrank: geospatial city ranking for China's smart-city and digital-governance evaluations.

The top package holds only what every layer shares: typed errors, project paths and the CLI
entry point. The cores live in the sibling packages ``scoring`` (indicator systems, ingestion,
scores) and ``geo`` (boundaries, joins, maps, spatial analysis); ``web`` adapts them to HTTP.
"""

__version__ = "0.1.0"


def explore(data, indicator: str = "total", *, classification: str = "quantiles", k: int = 5,
            lang: str = "zh", title: str | None = None):
    """An interactive folium map for notebooks: ``data`` is a dataset id (``"ndrc-2017-simulated"``)
    or a scores table (a DataFrame with ``code`` or ``name`` and the indicator's column).
    Returns a ``folium.Map`` (displayed by Jupyter; ``.save("map.html")`` writes a file that
    works offline), the same map as ``cityrank map --out FILE.html``.

    >>> m = explore("ndrc-2017-simulated", "total", lang="en")  # doctest: +SKIP
    """
    from cityrank.geo.boundaries import load_layer
    from cityrank.geo.join import DEFAULT_UNIVERSE, join_scores
    from cityrank.i18n import t
    from cityrank.service.geometry import MAP_SIMPLIFY
    from cityrank.service.webmap import standalone_map

    if isinstance(data, str):
        from cityrank.scoring.datasets import load_catalog

        ds = load_catalog().get(data)
        scores, synthetic, source = ds.scores(), bool(ds.synthetic), ds.source_in(lang)
        base = ds.title if lang == "zh" else (ds.title_en or ds.title)
    else:
        scores = data
        synthetic = bool(data.attrs.get("synthetic") or ("synthetic" in data.columns and data["synthetic"].any()))
        source, base = str(data.attrs.get("source", "")), str(data.attrs.get("title", ""))
    res = join_scores(scores, layer="prefecture", universe_types=DEFAULT_UNIVERSE, value_column=indicator)
    return standalone_map(res.gdf, indicator, lang=lang, classification=classification, k=k,
                          title=title or t("cli.map.default_title", lang, base=base, indicator=indicator),
                          legend_title=indicator, source_note=source, synthetic=synthetic,
                          lines=load_layer("boundary_line"), simplify=MAP_SIMPLIFY)
