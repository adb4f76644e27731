"""Geography core: boundaries, joins, regions and clusters, projections, maps, spatial analysis.

May use ``scoring`` tables; never imports ``web``."""
