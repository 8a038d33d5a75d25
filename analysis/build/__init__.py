"""Building the reports: jobs and the build cache, executors (serial, process pool, Dask), runner.

``analysis.build`` is also callable, as it was before it became a package:
``analysis.build(data_dir, out_dir, ...)`` is :func:`analysis.build.runner.build`.
"""

import sys
import types


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):
        from analysis.build.runner import build

        return build(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
