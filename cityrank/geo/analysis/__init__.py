"""Spatial analysis on joined layers: weights, autocorrelation, disparity, gradients, clusters, spillover.

Built on PySAL (libpysal, esda, spreg, spopt, inequality); this package adds what planners
need on top: islands attached and reported, GeoDa-ordered LISA codes, seeds everywhere,
report-style statements with bootstrap intervals, and LeSage-Pace impacts with simulated
uncertainty. One module per kind of analysis:

=====================  =====================================================================
``weights``            ``build_weights(gdf, method, ids=..., **params) -> SpatialWeights``
                       (registry ``WEIGHT_BUILDERS``: queen, rook, knn, distance_band, kernel)
``autocorrelation``    ``global_moran``, ``local_moran`` (GeoDa codes 1 HH, 2 LL, 3 LH, 4 HL),
                       ``local_g_star``, ``lisa_summary``
``disparity``          ``group_disparity`` (regions/provinces vs national, CV, Theil, Gini),
                       ``inequality_indices``
``gradients``          ``gradients`` (east-west / south-north OLS with CIs, band means),
                       ``gradient_chart``
``clusters``           ``cluster_comparison`` (vs national, vs rest of provinces, intra,
                       core-periphery), ``core_periphery``
``regionalise``        ``governance_zones`` (spopt SKATER or max-p, seeded)
``spillover``          ``distance_decay``, ``fit_spatial_model`` (lag / Durbin),
                       ``trace_operator``, ``impacts``, ``simulate_impacts``, ``hub_column``
``report``             ``build_report(gdf, value_column, ...) -> dict`` (JSON-serialisable)
``html`` / ``maps``    ``write_html``, ``render_html``, ``report_images`` (PNG maps, charts)
``service``            ``dataset_report(ds, ...)``: the path shared by the CLI and the viewer
=====================  =====================================================================
"""
