"""papermill parameters that keep Chinese readable.

papermill writes string parameters through ``unicode_escape``, so an injected cell reads
``village_name = "\\u9752\\u5149\\u6751"``. This module registers a Python translator that writes
``village_name = "青光村"`` instead. papermill loads it through the ``papermill.engine`` entry
point, so the plain ``papermill`` command picks it up too once the package is installed. It
imports nothing of the package, so papermill can load it while anything else is importing.
"""

from __future__ import annotations

import json

from papermill.engines import NBClientEngine
from papermill.translators import PythonTranslator, papermill_translators


class UnicodePythonTranslator(PythonTranslator):
    """papermill's Python translator, with non-ASCII strings left as they are."""

    @classmethod
    def translate_escaped_str(cls, str_val):
        if isinstance(str_val, str):
            # A JSON string with ensure_ascii=False is also a valid Python string literal.
            return json.dumps(str_val, ensure_ascii=False)
        return super().translate_escaped_str(str_val)


def register_translator() -> None:
    papermill_translators.register("python", UnicodePythonTranslator)
    papermill_translators.register("python3", UnicodePythonTranslator)


class MinshengEngine(NBClientEngine):
    """papermill's default engine; registering it is how the translator gets installed."""


register_translator()
