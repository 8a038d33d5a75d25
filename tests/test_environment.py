"""pyproject.toml is the source of truth for dependencies; environment.yml and requirements.lock
must agree with it."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

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


# requirements.lock: every package pinned with its hashes, written from pyproject.toml by `make lock`.
LOCK = config.PROJECT_DIR / "requirements.lock"
HASH = re.compile(r"--hash=sha256:([0-9a-f]+)")
# Where the lock must install: CI's CPython 3.11 on Linux x86_64, and the other platforms and
# Pythons its universal resolution covers.
_LINUX = {"os_name": "posix", "sys_platform": "linux", "platform_system": "Linux"}
PLATFORMS = {
    "Linux x86_64, CPython 3.11.7 (CI)": {
        **_LINUX,
        "platform_machine": "x86_64",
        "python_full_version": "3.11.7",
    },
    "Linux x86_64, CPython 3.11.0": {
        **_LINUX,
        "platform_machine": "x86_64",
        "python_full_version": "3.11.0",
    },
    "Linux aarch64, CPython 3.12": {
        **_LINUX,
        "platform_machine": "aarch64",
        "python_full_version": "3.12.3",
    },
    "macOS arm64, CPython 3.13": {
        "os_name": "posix",
        "sys_platform": "darwin",
        "platform_system": "Darwin",
        "platform_machine": "arm64",
        "python_full_version": "3.13.1",
    },
    "Windows AMD64, CPython 3.11": {
        "os_name": "nt",
        "sys_platform": "win32",
        "platform_system": "Windows",
        "platform_machine": "AMD64",
        "python_full_version": "3.11.9",
    },
}


@dataclass
class Pin:
    requirement: Requirement
    hashes: list[str]
    via: list[str]

    @property
    def name(self) -> str:
        return canonicalize_name(self.requirement.name)

    @property
    def version(self) -> Version:
        (spec,) = self.requirement.specifier
        return Version(spec.version)

    def applies(self, platform: dict[str, str]) -> bool:
        marker = self.requirement.marker
        env = {**platform, "python_version": platform["python_full_version"].rsplit(".", 1)[0]}
        return marker is None or marker.evaluate(env)


def _lock() -> list[Pin]:
    """The entries of requirements.lock: `name==version ; marker \\ --hash=... # via ...`."""
    pins: list[Pin] = []
    logical = ""
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            comment = line.lstrip("# ").strip()
            if pins and not logical and comment not in {"via", ""}:
                pins[-1].via.append(comment.removeprefix("via ").strip())
            continue
        logical += line.rstrip("\\").strip() + " "
        if line.endswith("\\"):
            continue
        if logical.strip():
            requirement = logical.split(" --hash=")[0].strip()
            pins.append(Pin(Requirement(requirement), HASH.findall(logical), []))
        logical = ""
    assert not logical.strip(), "the lock ends in a continued line"
    return pins


def _pyproject_requirements() -> dict[str, SpecifierSet]:
    data = tomllib.loads((config.PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    requirements = [Requirement(r) for r in project["dependencies"]]
    requirements += [Requirement(r) for r in project["optional-dependencies"]["dev"]]
    return {canonicalize_name(r.name): r.specifier for r in requirements}


def test_lock_pins_every_pyproject_requirement_within_its_specifier():
    pins = _lock()
    for name, specifier in _pyproject_requirements().items():
        versions = [p.version for p in pins if p.name == name]
        assert versions, f"{name} is in pyproject.toml but not pinned in requirements.lock"
        for version in versions:
            assert specifier.contains(version, prereleases=True), (
                f"requirements.lock pins {name}=={version}, pyproject.toml asks {specifier}"
            )


def test_lock_is_written_from_this_pyproject():
    """The lock's direct requirements are exactly pyproject's: none added or dropped since `make lock`."""
    direct = {p.name for p in _lock() if "minsheng (pyproject.toml)" in p.via}
    assert direct == set(_pyproject_requirements())


def test_every_pin_is_exact_and_hashed():
    pins = _lock()
    assert len(pins) > 100
    for pin in pins:
        (spec,) = pin.requirement.specifier
        assert spec.operator == "==" and "*" not in spec.version, pin.requirement
        assert not pin.requirement.extras and pin.requirement.url is None, pin.requirement
        assert pin.hashes, f"{pin.requirement} has no --hash=sha256:"
        assert all(len(h) == 64 for h in pin.hashes), pin.requirement


def test_lock_installs_one_version_of_everything_on_each_platform():
    pins = _lock()
    required = set(_pyproject_requirements())
    for platform_name, platform in PLATFORMS.items():
        applying = Counter(p.name for p in pins if p.applies(platform))
        assert required <= set(applying), (platform_name, required - set(applying))
        twice = [name for name, count in applying.items() if count > 1]
        assert not twice, (platform_name, twice)


def test_lock_header_is_the_make_lock_command():
    makefile = (config.PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    (command,) = re.findall(r"\$\(BIN\)/(uv pip compile [^\n>]*?)\s*(?:>|\n)", makefile)
    command = command.replace("$(LOCK)", LOCK.name)
    header = LOCK.read_text(encoding="utf-8").splitlines()[:2]
    assert header[1].lstrip("# ").strip() == command, (header, command)
