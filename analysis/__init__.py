"""Minsheng (民生): reproducible analytics for township livelihood work.

Raw village spreadsheets in; checked tables, maps, projections against targets and HTML reports
out, through papermill-parameterised notebooks. The public entry point is :func:`analysis.build`
(``analysis.build(data_dir, out_dir, year=2019)``, :func:`analysis.runs.runner.build`).

Layers, each importing only those below it (``pyproject.toml`` holds the contract):
``cli`` > ``runs``, ``tools`` > ``reporting`` > ``pipeline`` > ``ingest`` > ``geo`` > ``core`` >
``config``, ``iorw``, ``errors``, ``translators``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("minsheng")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"


def build(*args, **kwargs):
    """Build the reports: :func:`analysis.runs.runner.build` (imported when first called, so
    that ``import analysis`` stays light)."""
    from analysis.runs.runner import build as run_build

    return run_build(*args, **kwargs)


__all__ = ["__version__", "build"]
