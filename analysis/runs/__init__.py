"""Running the pages: jobs and their cache keys, executors (serial, process pool, Dask), runner
and watch. :func:`analysis.runs.runner.build` is the entry point (``analysis.build`` too)."""
