"""pyproject.toml is the source of truth for dependencies; environment.yml must mirror it."""

from __future__ import annotations

import re
import tomllib

import yaml

from analysis import config

# PyPI and conda-forge spell a few packages differently.
CONDA_NAMES = {"python-calamine": "python-calamine", "pyyaml": "pyyaml"}


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$", requirement)
    assert match, requirement
    return match.group(1).lower().replace("_", "-"), match.group(3).replace(" ", "")


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((config.PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    return dict(_split(r) for r in requirements)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((config.PROJECT_DIR / "environment.yml").read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for dep in env["dependencies"]:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            if item.startswith("-e") or item in {"pip"}:
                continue
            name, spec = _split(item)
            if name != "python":
                found[name] = spec
    return found


def test_environment_yml_mirrors_pyproject():
    pyproject, environment = _pyproject(), _environment()
    assert {CONDA_NAMES.get(k, k): v for k, v in pyproject.items()} == environment


def test_python_versions_agree():
    data = tomllib.loads((config.PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    env = (config.PROJECT_DIR / "environment.yml").read_text(encoding="utf-8")
    assert data["project"]["requires-python"] == ">=3.11"
    assert "python>=3.11" in env
