"""gzip for text responses that are NOT cached representations (OGC pages, the ranking and
city pages, small API payloads), so they stay within their transfer budget without a proxy.

Cached representations (those with an ETag: geometry, scores, map pages, embeds, vendored
assets) were compressed once when they were built (``cityrank.service.response``) and are
left alone here. Only buffered responses of compressible types over a minimum size,
honouring ``Accept-Encoding`` and adding ``Vary``.
"""

from __future__ import annotations

import gzip

from flask import Flask, request

from cityrank.service.response import MIN_GZIP_SIZE, compressible


def init_app(app: Flask) -> None:
    @app.after_request
    def _gzip(resp):
        if (
            resp.direct_passthrough
            or resp.status_code < 200
            or resp.status_code >= 300
            or "Content-Encoding" in resp.headers
            or "ETag" in resp.headers
            or request.accept_encodings["gzip"] <= 0
            or not compressible(resp.content_type or "")
        ):
            return resp
        data = resp.get_data()
        if len(data) < MIN_GZIP_SIZE:
            return resp
        resp.set_data(gzip.compress(data, compresslevel=6, mtime=0))
        resp.headers["Content-Encoding"] = "gzip"
        resp.headers["Content-Length"] = str(len(resp.get_data()))
        resp.vary.add("Accept-Encoding")
        return resp
