"""The errors a user can cause, each with a message a clerk can act on.

Everything else is a bug and keeps its traceback: the ``minsheng`` command catches only
:class:`MinshengError` (exit 2 with the message), never ``KeyError`` or ``ValueError``.
"""

from __future__ import annotations


class MinshengError(Exception):
    """Base of the errors a user can cause and fix."""


class DataError(MinshengError):
    """The input data cannot be used as it is (validation failed, a file cannot be read)."""


class ValidationFailed(DataError):
    """A build refused data that failed validation (``--accept-errors`` publishes anyway)."""


class ParameterError(MinshengError, ValueError):
    """A parameter is wrong: an unknown village code, a bad year, an unknown option value."""


class MissingFileError(MinshengError, FileNotFoundError):
    """A file or folder the command needs is not there."""


class StaleTablesError(DataError):
    """The processed tables were made from another raw folder, or from an older state of it."""


class StaleWorkersError(MinshengError):
    """Workers kept between builds run other code than the build that sends them jobs."""
