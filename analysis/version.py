"""The installed package's version (stamped into processed tables, cache keys and page footers),
and the fingerprint of its code, which the caches of pages and of raw files are keyed on."""

import functools
import hashlib
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    __version__ = version("minsheng")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"


def fingerprint_files(paths: Iterable[Path], root: Path | None = None) -> str:
    """SHA-256 over the names (relative to ``root``) and bytes of ``paths``, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        name = path.relative_to(root) if root else path.name
        digest.update(str(name).encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """The package's own code and catalog: a page built or a file read by other code (a new
    wording, a changed formula, a changed check) is not current, whatever the version says."""
    package = Path(__file__).resolve().parent
    files = [p for p in package.rglob("*") if p.suffix in {".py", ".yaml", ".csv"}]
    return fingerprint_files(files, root=package)
