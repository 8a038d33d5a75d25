"""Minsheng (民生): reproducible analytics for township livelihood work.

Raw village spreadsheets in; checked tables, maps, projections against targets and HTML reports
out, through papermill-parameterised notebooks. The public entry point is :func:`analysis.build`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("minsheng")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"


def build(*args, **kwargs):
    """Build every report; see :func:`analysis.runner.build`."""
    from analysis.runner import build as _build

    return _build(*args, **kwargs)


__all__ = ["__version__", "build"]
