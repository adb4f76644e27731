"""The framework-free service layer (pygeoapi's pattern): plain data in, plain data out.

Everything the web adapter (``cityrank.web``) serves is computed here, by functions that take a
:class:`~cityrank.service.site.Site` and plain parameters (ids, ``dict`` of query values) and
return dicts, DataFrames, bytes or a :class:`~cityrank.service.response.Result`. No module of
this package imports Flask (``tests/service/test_service_imports.py`` checks it).

=================  ==========================================================================
``site``           the running service: dataset catalog, uploads, the derived cache, settings
``cache``          the ONE cache of values derived from a dataset (single flight, bytes, drop)
``response``       ``Result`` (status, headers, body), cacheable representations (gzip, ETag)
``catalog``        indicators of a dataset, indicator checks and labels, published bins
``geometry``       boundary layers, the joined/simplified web layers, province and pinyin names
``geojson``        compact GeoJSON / TopoJSON encoders
``cities``         the unit resolver, a city's detail and neighbours, the city page
``groups``         regions and city clusters: means, members, pages
``ranking``        the ranking table and its CSV/XLSX export
``api``            ``/api/v1`` payloads (datasets, system, scores, summary, geometry)
``openapi``        the OpenAPI document of ``/api/v1``
``ogc``            OGC API - Features payloads
``classes``        colours for the interactive map on top of ``geo.classify``
``webmap``         the folium choropleth (standalone files, notebooks; no page uses it)
``mapclient``      the map client's page config and per-indicator values JSON
``pages``          map parameters and the context of the viewer and embed pages
``png``            the embed's static PNG
``analysis``       spatial analysis reports, their images and the analysis page
``uploads``        users' CSV/XLSX files as in-memory datasets (validation, store)
``vendor``         front-end assets served locally; folium's asset lists pointed at them
=================  ==========================================================================
"""
