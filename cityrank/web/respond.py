"""The one wrapper between the service layer and Flask (pygeoapi's ``execute_from_flask``).

Views call a service function with plain data (:func:`args`, path ids) and hand what it
returns to :func:`respond`: a dict or list becomes JSON; a
:class:`~cityrank.service.response.Result` becomes a response with its status and headers,
and when it is a cached representation (it has an ETag) the request is answered from it:
304 without a body on a matching ``If-None-Match``, the stored gzip bytes when the client
accepts gzip (compressed once, when the body was built), the identity bytes otherwise;
``Vary: Accept-Encoding`` either way. :func:`cached_page` renders an HTML page once per URL
and keeps it, with the CSP hashes of its inline scripts, in the site's cache.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, g, jsonify, request

from cityrank.service.response import PAGE_CACHE, PRIVATE_CACHE, Result, representation
from cityrank.service.site import Site
from cityrank.service.uploads import is_upload_id

GZIP_ETAG_SUFFIX = "-gzip"  # the gzip representation has its own strong validator


def site() -> Site:
    return current_app.extensions["cityrank"]


def args() -> dict[str, str]:
    """The query string as a plain dict (first value of each name)."""
    return request.args.to_dict()


def respond(result) -> Response:
    """A Flask response for a service result (dict/list -> JSON, Result -> as described)."""
    if isinstance(result, Response):
        return result
    if isinstance(result, dict | list):
        return jsonify(result)
    if not isinstance(result, Result):
        raise TypeError(f"respond: cannot serve {type(result).__name__}")
    if result.etag is None:
        return _plain(result)
    use_gzip = result.gzip is not None and request.accept_encodings["gzip"] > 0
    etag = result.etag + GZIP_ETAG_SUFFIX if use_gzip else result.etag
    # If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" matches "x"
    if request.if_none_match.contains_weak(etag) or request.if_none_match.contains_weak(result.etag):
        resp = Response(status=304)
    else:
        resp = _plain(result, result.gzip if use_gzip else result.body)
        if use_gzip:
            resp.headers["Content-Encoding"] = "gzip"
    resp.set_etag(etag)
    if result.cache_control:
        resp.headers["Cache-Control"] = result.cache_control
    if result.gzip is not None:
        resp.vary.add("Accept-Encoding")
    g.csp_hashes = list(result.script_hashes)  # cached HTML: the hashes stored with its body
    return resp


def _plain(result: Result, body: bytes | None = None) -> Response:
    ct = result.content_type
    kw = {"content_type": ct} if ";" in ct else {"mimetype": ct}
    resp = Response(result.body if body is None else body, status=result.status, **kw)
    for name, value in result.headers:
        resp.headers[name] = value
    return resp


def cached_page(dataset_id: str | None, render: Callable[[], str]) -> Response:
    """An HTML page rendered once per URL (path and query) and served from the site's cache
    with an ETag (``no-cache``: browsers revalidate, and get 304 while nothing changed).

    Inline scripts are allowed by the CSP hashes collected while rendering
    (:func:`cityrank.web.security.inline_script`), stored with the body; a nonce would
    make a cached page unusable.
    """
    key = (request.script_root, request.path, tuple(sorted(request.args.items(multi=True))))

    def build() -> Result:
        g.csp_hashes = []
        html = render()
        return representation(html, "text/html; charset=utf-8",
                              cache_control=PRIVATE_CACHE if is_upload_id(dataset_id) else PAGE_CACHE,
                              script_hashes=tuple(dict.fromkeys(g.csp_hashes)))

    return respond(site().cache.get_or_build(dataset_id, "page", key, build))
