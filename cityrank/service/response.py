"""A response as plain data (pygeoapi's ``headers, status, content``): what a service function
returns when the body is more than a JSON payload, and what the HTTP adapter serves.

:func:`representation` makes a *cacheable* one: the body is compressed ONCE (gzip, when the
type is compressible and the body is worth it), gets a strong ETag (a hash of the identity
body) and a Cache-Control value. Stored in :mod:`cityrank.service.cache`, repeated requests
cost a dictionary lookup: 304 on a matching ``If-None-Match``, the stored gzip bytes when the
client accepts gzip, the identity bytes otherwise.

>>> r = representation('{"a": 1}', "application/json", cache_control=DATA_CACHE)
>>> r.status, r.etag == representation(b'{"a": 1}', "application/json").etag, r.gzip is None
(200, True, True)
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from dataclasses import dataclass

COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/geo+json",
    "application/javascript",
    "application/vnd.oai.openapi+json",
    "image/svg+xml",
)
MIN_GZIP_SIZE = 500  # bytes; smaller bodies gain nothing from gzip
GZIP_LEVEL = 9  # compressed once per cached body, so the best ratio is worth its time

DATA_CACHE = "public, max-age=600"
"""Scores and geometry of bundled datasets: fixed for the life of the process; clients
revalidate after ten minutes (a restart may bring new data) and get 304 if nothing changed."""
PAGE_CACHE = "no-cache"
"""HTML: always revalidated (cheap with the ETag), so a new deployment shows at once."""
PRIVATE_CACHE = "private, no-cache"
"""Anything derived from a user's upload: never kept by shared caches."""
IMAGE_CACHE = "public, max-age=3600"
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
"""Files whose URL carries a hash of their bytes (the map's geometry and scripts): a new
version has a new URL, so browsers and proxies may keep one for a year without asking."""


@dataclass(frozen=True)
class Result:
    """Status, headers and body of one response, independent of any web framework.

    ``etag``/``gzip``/``cache_control`` are set on cacheable representations only;
    ``script_hashes`` are the CSP ``'sha256-…'`` sources of the inline scripts of an HTML body.
    """

    body: bytes
    content_type: str
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    cache_control: str | None = None
    etag: str | None = None
    gzip: bytes | None = None
    script_hashes: tuple[str, ...] = ()

    @property
    def cache_bytes(self) -> int:
        """Bytes held in the cache (identity and gzip bodies plus a little bookkeeping)."""
        return len(self.body) + len(self.gzip or b"") + 256

    @property
    def mimetype(self) -> str:
        return self.content_type.split(";")[0].strip()


def compressible(content_type: str) -> bool:
    return content_type.split(";")[0].strip().startswith(COMPRESSIBLE)


def etag_of(body: bytes) -> str:
    """A strong validator: the first 128 bits of the body's SHA-256, hex (unquoted)."""
    return hashlib.sha256(body).hexdigest()[:32]


def representation(body: bytes | str, content_type: str, *, cache_control: str = DATA_CACHE,
                   status: int = 200, headers: tuple[tuple[str, str], ...] = (),
                   script_hashes: tuple[str, ...] = ()) -> Result:
    """A cacheable :class:`Result`: ETag of the identity body, gzip form computed once."""
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    packed = None
    if compressible(content_type) and len(data) >= MIN_GZIP_SIZE:
        packed = gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
        if len(packed) >= len(data):
            packed = None
    return Result(body=data, content_type=content_type, status=status, headers=tuple(headers),
                  cache_control=cache_control, etag=etag_of(data), gzip=packed,
                  script_hashes=tuple(script_hashes))


def script_hash(script: str) -> str:
    """The CSP source allowing one inline script, ``'sha256-<base64>'`` of its exact text."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"
