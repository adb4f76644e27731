"""Security headers on every response; inline scripts allowed by their CSP hashes.

Folium emits inline ``<script>`` blocks; rather than allowing ``'unsafe-inline'`` the scripts
*we* render go through :func:`inline_script` (or :func:`trusted_html` for folium's header),
which records the ``'sha256-…'`` of each one; the Content-Security-Policy lists exactly those.
Hashes, not nonces, because the map pages are rendered once and served from the cache to
everyone: a nonce repeated across responses would be no nonce at all. An injected script
(a city label that escaped its escaping) has no listed hash and does not run; data strings
reach our scripts only through ``tojson`` (which escapes ``<``), so a label can never open a
tag of its own, and inline handlers (``onerror=``) are blocked by the CSP.
"""

from __future__ import annotations

import re

from flask import Flask, g, request
from markupsafe import Markup

from cityrank.service.response import script_hash

SHARED_PREFIXES = ("/static/", "/vendor/", "/api/", "/ogc")
OPEN_DATA_PREFIXES = ("/api/", "/ogc")
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)


def allow_script(body: str) -> None:
    """Allow one inline script of this response (its exact text) in the CSP."""
    g.setdefault("csp_hashes", []).append(script_hash(body))


def inline_script(body: str) -> Markup:
    """``<script>body</script>`` for a script we generated, allowed by its hash."""
    allow_script(str(body))
    return Markup(f"<script>{body}</script>")


def trusted_html(fragment: str) -> Markup:
    """An HTML fragment we generated (folium's header): each inline script in it is allowed.

    Never for text that contains data strings outside ``tojson``.
    """
    for m in _SCRIPT.finditer(fragment):
        if not re.search(r"\bsrc\s*=", m.group(1), re.IGNORECASE):
            allow_script(m.group(2))
    return Markup(fragment)


def policy(frame_ancestors: str, script_hashes=()) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            " ".join(["script-src 'self'", *dict.fromkeys(script_hashes)]),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


def init_app(app: Flask) -> None:
    app.jinja_env.globals["inline_script"] = inline_script
    app.jinja_env.globals["trusted_html"] = trusted_html

    @app.after_request
    def _headers(resp):
        path = request.path
        embeddable = path.startswith("/embed/")
        # Newsroom pages load the embed, its PNG and static/embed-host.js from other origins.
        shared = embeddable or path.startswith(SHARED_PREFIXES)
        resp.headers.setdefault("Content-Security-Policy",
                                policy("*" if embeddable else "'self'", g.get("csp_hashes", ())))
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        resp.headers.setdefault("Cross-Origin-Resource-Policy", "cross-origin" if shared else "same-origin")
        if path.startswith(OPEN_DATA_PREFIXES):
            resp.headers.setdefault("Access-Control-Allow-Origin", "*")  # public, read-only, no cookies
        if not embeddable:
            resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return resp
