"""Typed errors of the core. Only the CLI and ``web`` turn them into exit codes or HTTP codes."""


class CityrankError(Exception):
    """Base of every error the core raises on purpose (bad input, bad config)."""


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
