"""Web adapter: Flask app factory, viewer, API, OGC API - Features, embeds. Thin over the cores."""
