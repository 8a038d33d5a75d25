"""The installed package's version (stamped into processed tables, cache keys and page footers)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("minsheng")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
