"""Typed errors of the core. Only the CLI and ``web`` turn them into exit codes or HTTP codes."""


class CityrankError(Exception):
    """Base of every error the core raises on purpose (bad input, bad config).

    The message (English, for logs, the API and tracebacks) may come with ``msg``/``params``:
    the catalogue key (:func:`cityrank.i18n.t`) that words it for a reader, so an error page
    follows the page's language (``web.app`` renders ``t(msg, lang, **params)`` when given).
    """

    def __init__(self, message: str = "", *, msg: str | None = None, params: dict | None = None):
        super().__init__(message)
        self.msg, self.params = msg, dict(params or {})

    def text(self, lang: str) -> str:
        """The error in ``lang`` when it has a catalogue key, else its message."""
        if not self.msg:
            return str(self)
        from cityrank.i18n import t

        return t(self.msg, lang, **self.params)


class ConfigError(CityrankError):
    """A config file (indicator system, regions, clusters, admin changes) is invalid."""


class DataError(CityrankError):
    """An input data file is invalid; the message names file, row and column."""


class UnknownUnitError(DataError):
    """A city name or code does not resolve to an administrative unit."""


class NotFoundError(CityrankError):
    """A named dataset, system, city or layer does not exist."""


class ParameterError(CityrankError):
    """A request parameter or option value is invalid (HTTP 400 in ``web``)."""


class LimitError(DataError):
    """An input exceeds a configured limit (``scoring.limits.ReadLimits``): the message names
    the file, the limit, its value and the setting that raises it."""


class QuotaError(CityrankError):
    """A quota, a rate limit or a full work queue: the request is refused, nothing is kept.

    ``status`` is the HTTP status ``web`` answers with (429 too many for this client, 503 the
    server is busy, 507 the storage is full), ``retry_after`` the seconds after which trying
    again can succeed (None when only deleting something helps), ``msg``/``params`` the
    catalogue key (``store.*``) that words it in the page's language.
    """

    def __init__(self, message: str, *, status: int = 429, retry_after: int | None = None,
                 msg: str | None = None, params: dict | None = None):
        super().__init__(message, msg=msg, params=params)
        self.status, self.retry_after = status, retry_after


class AccessError(CityrankError):
    """The request may not do this (a wrong delete token; HTTP 403 in ``web``)."""
