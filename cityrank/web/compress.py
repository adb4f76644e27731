"""gzip for text responses, so the embed stays within its transfer budget without a proxy.

Small enough to own instead of a dependency: only buffered responses of compressible types
over a minimum size, honouring ``Accept-Encoding`` and adding ``Vary``.
"""

from __future__ import annotations

import gzip

from flask import Flask, request

COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/geo+json",
    "application/javascript",
    "application/vnd.oai.openapi+json",
    "image/svg+xml",
)
MIN_SIZE = 500


def init_app(app: Flask) -> None:
    @app.after_request
    def _gzip(resp):
        if (
            resp.direct_passthrough
            or resp.status_code < 200
            or resp.status_code >= 300
            or "Content-Encoding" in resp.headers
            or "gzip" not in request.headers.get("Accept-Encoding", "").lower()
            or not (resp.mimetype or "").startswith(COMPRESSIBLE)
        ):
            return resp
        data = resp.get_data()
        if len(data) < MIN_SIZE:
            return resp
        resp.set_data(gzip.compress(data, compresslevel=6, mtime=0))
        resp.headers["Content-Encoding"] = "gzip"
        resp.headers["Content-Length"] = str(len(resp.get_data()))
        resp.vary.add("Accept-Encoding")
        return resp
