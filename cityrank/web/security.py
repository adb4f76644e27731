"""Security headers on every response, with a per-response CSP nonce for inline scripts.

Folium emits inline ``<script>`` blocks; rather than allowing ``'unsafe-inline'`` we give
each response a random nonce and stamp it on the scripts *we* render. Data strings reach
those scripts only through ``tojson`` (which escapes ``<``), so a city label can never
open a tag of its own; any injected inline handler (``onerror=``) is blocked by the CSP.
"""

from __future__ import annotations

import re
import secrets

from flask import Flask, g, request

SHARED_PREFIXES = ("/static/", "/vendor/", "/api/", "/ogc")
OPEN_DATA_PREFIXES = ("/api/", "/ogc")
_SCRIPT_TAG = re.compile(r"<script\b(?![^>]*\bnonce=)", re.IGNORECASE)


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def add_nonce(html: str) -> str:
    """Stamp this response's nonce on every ``<script`` tag of trusted rendered HTML."""
    return _SCRIPT_TAG.sub(f'<script nonce="{csp_nonce()}"', html)


def _policy(frame_ancestors: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{csp_nonce()}'",
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
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.globals["add_nonce"] = add_nonce

    @app.after_request
    def _headers(resp):
        path = request.path
        embeddable = path.startswith("/embed/")
        # Newsroom pages load the embed, its PNG and static/embed-host.js from other origins.
        shared = embeddable or path.startswith(SHARED_PREFIXES)
        resp.headers.setdefault("Content-Security-Policy", _policy("*" if embeddable else "'self'"))
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        resp.headers.setdefault("Cross-Origin-Resource-Policy", "cross-origin" if shared else "same-origin")
        if path.startswith(OPEN_DATA_PREFIXES):
            resp.headers.setdefault("Access-Control-Allow-Origin", "*")  # public, read-only, no cookies
        if not embeddable:
            resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return resp
