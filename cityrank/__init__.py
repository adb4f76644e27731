"""cityrank: geospatial city ranking for China's smart-city and digital-governance evaluations.

The top package holds only what every layer shares: typed errors, project paths and the CLI
entry point. The cores live in the sibling packages ``scoring`` (indicator systems, ingestion,
scores) and ``geo`` (boundaries, joins, maps, spatial analysis); ``web`` adapts them to HTTP.
"""

__version__ = "0.1.0"
