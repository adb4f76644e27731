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

import os
import re
import socket

from flask import Flask, abort, g, request
from markupsafe import Markup

from cityrank.service.response import script_hash

SERVER = "cityrank"
"""The ``Server`` header: no framework, server or Python version."""
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen",
    "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
    "publickey-credentials-get", "screen-wake-lock", "usb", "xr-spatial-tracking"))
"""No page uses a device or powerful feature; embeds cannot ask for them either."""
ENV_TRUSTED_HOSTS = "CITYRANK_TRUSTED_HOSTS"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
WILDCARD_BINDS = ("", "0.0.0.0", "::", "*")
SHARED_PREFIXES = ("/static/", "/vendor/", "/api/", "/ogc")
OPEN_DATA_PREFIXES = ("/api/", "/ogc")
SUBRESOURCE_PREFIXES = ("/assets/", "/geo/")
"""The map client's immutable files (``web/views/maps.py``): no document policies on them."""
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


# --- trusted hosts (DNS rebinding) -----------------------------------------------------------
# A page on evil.example whose name an attacker re-points at 127.0.0.1 reaches this server as
# the same origin as itself, so the same-origin check on uploads would pass; the Host header
# still says evil.example. Every request is refused (400) unless its host is trusted. (Not
# werkzeug's TRUSTED_HOSTS: it cannot match IPv6 literals such as [::1].)
def trusted_hosts(bound: str | None = None, environ=None) -> tuple[str, ...]:
    """``CITYRANK_TRUSTED_HOSTS`` (comma-separated; ``.example.org`` matches subdomains, ``*``
    any host) when set; else the localhost names and the address the server is bound to (for
    a wildcard bind, this machine's names and addresses)."""
    environ = os.environ if environ is None else environ
    raw = environ.get(ENV_TRUSTED_HOSTS, "").strip()
    if raw:
        return tuple(dict.fromkeys(h.strip().lower().strip("[]") for h in raw.split(",") if h.strip()))
    hosts = list(LOCAL_HOSTS)
    if bound is not None and bound.strip("[]") in WILDCARD_BINDS:
        hosts += _machine_names()
    elif bound:
        hosts.append(bound.lower().strip("[]"))
    return tuple(dict.fromkeys(hosts))


def _machine_names() -> list[str]:
    names = [socket.gethostname(), socket.getfqdn()]
    try:
        names += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)]
    except OSError:
        pass
    return [n.lower().split("%")[0] for n in names if n]


def host_name(header: str | None) -> str:
    """The host of a ``Host`` header, lowercased, without port or IPv6 brackets."""
    host = (header or "").strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_trusted(header: str | None, trusted) -> bool:
    host = host_name(header)
    if not host:
        return False
    for ref in trusted:
        if ref == "*" or ref == host or (ref.startswith(".") and (host == ref[1:] or host.endswith(ref))):
            return True
    return False


def init_app(app: Flask) -> None:
    app.jinja_env.globals["inline_script"] = inline_script
    app.jinja_env.globals["trusted_html"] = trusted_html
    trusted = tuple(app.config.get("TRUSTED_HOST_NAMES") or trusted_hosts(app.config.get("BIND_HOST")))
    app.config["TRUSTED_HOST_NAMES"] = trusted

    @app.before_request
    def _trusted_host():
        if not is_trusted(request.headers.get("Host"), trusted):
            from cityrank.web.i18n import norm_lang, t

            abort(400, description=t("untrusted_host", norm_lang(request.args.get("lang")),
                                     host=request.headers.get("Host", ""), setting=ENV_TRUSTED_HOSTS))

    @app.after_request
    def _headers(resp):
        path = request.path
        resp.headers["Server"] = SERVER  # waitress and werkzeug keep an app's Server header
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        if path.startswith(SUBRESOURCE_PREFIXES) and resp.status_code < 400:
            # the map client's immutable script, stylesheet and geometry: the document policies
            # (CSP, Permissions-Policy, framing, referrer) govern the page that loads them, not
            # these files, and every embed would download them again
            resp.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
            return resp
        embeddable = path.startswith("/embed/")
        # Newsroom pages load the embed, its PNG and static/embed-host.js from other origins.
        shared = embeddable or path.startswith(SHARED_PREFIXES)
        resp.headers.setdefault("Content-Security-Policy",
                                policy("*" if embeddable else "'self'", g.get("csp_hashes", ())))
        resp.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        resp.headers.setdefault("Cross-Origin-Resource-Policy", "cross-origin" if shared else "same-origin")
        if path.startswith(OPEN_DATA_PREFIXES):
            resp.headers.setdefault("Access-Control-Allow-Origin", "*")  # public, read-only, no cookies
        if not embeddable:
            resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        resp.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return resp
