"""The ``minsheng-warm`` papermill engine, under the name it has always had.

Importing this module registers the engine (and the Chinese-keeping translator); the code is in
:mod:`analysis.runs.warm`.
"""

from analysis.runs.warm import WarmEngine, WarmKernel

__all__ = ["WarmEngine", "WarmKernel"]
