"""Refresh the explorer's vendored JavaScript (``analysis/reporting/static/vendor/``) from
``node_modules/``, which ``npm ci`` fills exactly as package-lock.json pins it, and the page's
Vega-Lite specs (``static/specs.json``) from the altair code that writes them.

The build copies the vendored files into the reports, so ``make reports`` needs no npm and no
network; this is run by hand (``make vendor``) when package-lock.json moves a version.

vega-interpreter (Vega's expression evaluator that needs no ``eval``, so that the pages' CSP
can forbid it) ships only as an ES module importing vega-util, and a module script cannot be
loaded from ``file://``: it is wrapped here into a plain script reading vega-util's functions
from the ``vega`` global, which re-exports them.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

from analysis import config
from analysis.reporting import explorer

NODE_MODULES = config.PROJECT_DIR / "node_modules"
VENDOR = config.PROJECT_DIR / "analysis" / "reporting" / "static" / "vendor"
#: package → its browser build, in the order a page loads them.
BUILDS = {
    "vega": "build/vega.min.js",
    "vega-lite": "build/vega-lite.min.js",
    "vega-embed": "build/vega-embed.min.js",
    "vega-interpreter": "build/vega-interpreter.js",
}
_IMPORT = re.compile(r"^import \{([^}]*)\} from 'vega-util';$", re.M)
_EXPORT = re.compile(r"^export \{ (\w+) as expressionInterpreter \};$", re.M)


def as_script(module: str) -> str:
    """vega-interpreter's ES module as a script that sets ``vega.expressionInterpreter``."""
    names = _IMPORT.search(module)
    exported = _EXPORT.search(module)
    if names is None or exported is None:
        raise ValueError(
            "vega-interpreter's build changed shape: update analysis/tools/vendor_js.py"
        )
    body = _EXPORT.sub("", _IMPORT.sub("", module)).split("//# sourceMappingURL")[0]
    return (
        "(function (vega) {\n"
        f"var {{{names.group(1)}}} = vega;\n{body}"
        f"vega.expressionInterpreter = {exported.group(1)};\n}})(window.vega);\n"
    )


def refresh(node_modules: Path = NODE_MODULES, vendor: Path = VENDOR) -> dict[str, str]:
    """Copy each build and its LICENSE into ``vendor``; write VERSIONS.json; the versions."""
    vendor.mkdir(parents=True, exist_ok=True)
    versions = {}
    for package, build in BUILDS.items():
        root = node_modules / package
        versions[package] = json.loads((root / "package.json").read_text(encoding="utf-8"))[
            "version"
        ]
        source = root / build
        target = vendor / f"{package}.min.js"
        if package == "vega-interpreter":
            target.write_text(as_script(source.read_text(encoding="utf-8")), encoding="utf-8")
        else:
            shutil.copyfile(source, target)
        shutil.copyfile(root / "LICENSE", vendor / f"{package}.LICENSE")
    (vendor / "VERSIONS.json").write_text(
        json.dumps(versions, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return versions


def write_specs(path: Path = explorer.SPECS) -> Path:
    """The page's Vega-Lite specs, written from altair's (the build reads them, not altair)."""
    text = json.dumps(explorer.written_specs(), ensure_ascii=False, indent=1, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_specs())
    if not NODE_MODULES.exists():
        sys.exit("node_modules/ is missing: run `npm ci` first")
    print(refresh())
