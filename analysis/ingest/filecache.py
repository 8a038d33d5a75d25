"""What validating each raw file added, kept between prepares so that an unchanged file is not
read again.

Validation reads and checks every file on its own, then checks across files (duplicates,
cross-field rules, 合计 rows, points against the ledger). What the first part adds for one file
(its values, 合计 rows and village lists, its problems and row states, its layers, what its
checkers returned) depends on nothing but the file's bytes (a layer's side files included), the
path it is read by and shown as, the registry, the catalog, the package's code and the
libraries that read it. :class:`FileCache` keeps that part under a key made of exactly those, so
replaying an entry gives what reading the file gives; the checks across files and everything
after them always run on the whole. An entry that cannot be read back, whose checksum does not
match or whose key differs is ignored and the file read again: never trusted.

A file's part carries the texts of the rows a problem was found on and of its 合计 rows (what
:func:`analysis.ingest.mark.attach_villages` names each problem's village from), read while
the file was; the texts of rows a later problem needed are kept beside it. So neither a changed
file nor an unchanged one is read again to name its problems' villages, unless a problem falls
on a row never needed before.

Entries are pickles: the cache is as trusted as the processed folder it lives in.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
import zlib
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

from analysis.core.catalog import Catalog
from analysis.ingest.ledger import Ledger
from analysis.ingest.registry import Registry
from analysis.iorw import atomic_write_bytes
from analysis.version import __version__, code_fingerprint

#: Raised whenever :class:`FilePart` or the key changes meaning.
CACHE_FORMAT = 2
_MAGIC = b"minsheng ingest cache\n"
_SUFFIX = ".pkl"
#: The libraries whose versions can change what a file reads as, or how an entry unpickles.
_LIBRARIES = (
    "pandas",
    "numpy",
    "pyarrow",
    "python-calamine",
    "openpyxl",
    "formulas",
    "pyogrio",
    "shapely",
    "geopandas",
    "pyproj",
)


#: The cells of rows that could name a village, by (sheet, Excel row), of one file.
RowTexts = dict[tuple[str, int], list[str]]


@dataclass
class FilePart:
    """What validating one raw file added to the run, in the order it was added."""

    ledger: Ledger = field(default_factory=Ledger)
    values: list[pd.DataFrame] = field(default_factory=list)
    totals: list[pd.DataFrame] = field(default_factory=list)
    sheet_villages: list[pd.DataFrame] = field(default_factory=list)
    layers: dict[str, object] = field(default_factory=dict)
    point_files: dict[str, str] = field(default_factory=dict)  # points layer → its file
    found: list[tuple[str, object]] = field(default_factory=list)  # (sheet kind, checker's result)
    #: The texts of the rows a problem was found on, and of its 合计 rows, as read with it.
    row_texts: RowTexts = field(default_factory=dict)


def _library_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return ""


def context_key(catalog: Catalog, registry: Registry) -> str:
    """What every file's part depends on besides the file: the code, the libraries, the catalog
    and the registry's content."""
    digest = hashlib.sha256()
    items = [
        f"format {CACHE_FORMAT}",
        code_fingerprint(),
        __version__,
        sys.version,
        *(f"{name} {_library_version(name)}" for name in _LIBRARIES),
        repr(catalog),
        registry.table.to_csv(index=False),
    ]
    for item in items:
        digest.update(item.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _read_with(path: Path, kind: str) -> list[Path]:
    """The files a reader opens to read ``path``: a layer's side files (``.dbf``, ``.prj``,
    ``-wal`` …) share its stem."""
    if kind != "layer":
        return [path]
    siblings = [p for p in path.parent.iterdir() if p.name.startswith(f"{path.stem}.")]
    return sorted({path, *(p for p in siblings if p.is_file())})


def file_key(context: str, path: Path, display: str, kind: str) -> str | None:
    """The key of one file's part: ``context`` (:func:`context_key`), the path it is read by
    (messages may quote it), the name it is shown by, its kind and the content of every file
    read with it. None when a file cannot be read: it is validated, not cached."""
    digest = hashlib.sha256(context.encode("utf-8"))
    digest.update(f"{path}\0{display}\0{kind}\0".encode())
    try:
        for member in _read_with(path, kind):
            digest.update(member.name.encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(member.read_bytes()).digest())
    except OSError:
        return None
    return digest.hexdigest()


class FileCache:
    """The parts of a folder's files, one entry each in ``folder`` (``processed/.ingest-cache``),
    with the texts of their problems' rows beside.

    With ``reuse=False`` no entry is read (every file is read again) but entries are still
    written, so the next run can reuse them.
    """

    def __init__(self, folder: Path | str, *, reuse: bool = True) -> None:
        self.folder = Path(folder)
        self.reuse = reuse
        self._keys: dict[str, str] = {}  # display name → key, of the files of this run
        self._texts: dict[str, RowTexts] = {}
        self._read_with_part: dict[str, RowTexts] = {}  # the row texts each part came with

    def _entry(self, key: str, kind: str = "part") -> Path:
        return self.folder / f"{key}.{kind}{_SUFFIX}"

    def _read(self, key: str, kind: str) -> object | None:
        """What is kept under ``key``, or None when nothing is that can be trusted."""
        if not self.reuse:
            return None
        try:
            data = self._entry(key, kind).read_bytes()
        except OSError:
            return None
        head, checksum = len(_MAGIC), len(_MAGIC) + hashlib.sha256().digest_size
        payload = data[checksum:]
        if data[:head] != _MAGIC or hashlib.sha256(payload).digest() != data[head:checksum]:
            return None
        try:
            stored_key, stored_kind, kept = pickle.loads(zlib.decompress(payload))
        except Exception:  # an entry written by other code, or damaged: read the file again
            return None
        return kept if (stored_key, stored_kind) == (key, kind) else None

    def _write(self, key: str, kind: str, kept: object) -> None:
        # Level 1: the values' text columns repeat, so it is ten times smaller for little time.
        payload = zlib.compress(
            pickle.dumps((key, kind, kept), protocol=pickle.HIGHEST_PROTOCOL), 1
        )
        data = _MAGIC + hashlib.sha256(payload).digest() + payload
        atomic_write_bytes(self._entry(key, kind), data)

    def load(self, key: str, display: str) -> FilePart | None:
        """The part of file ``display`` kept under ``key``, or None when there is none that
        can be trusted."""
        self._keys[display] = key
        part = self._read(key, "part")
        if not isinstance(part, FilePart):
            return None
        self._read_with_part[display] = part.row_texts
        return part

    def save(self, key: str, display: str, part: FilePart) -> None:
        """Keep ``part`` under ``key`` (atomically). Call it before anything changes the part's
        frames: the checks across files mark rows in place."""
        self._keys[display] = key
        self._read_with_part[display] = part.row_texts
        self._write(key, "part", part)

    def row_texts(self, display: str) -> RowTexts | None:
        """The kept row texts of a file of this run ({} when none are), to be added to and
        given back to :meth:`keep_row_texts`; None for a file this cache does not keep."""
        key = self._keys.get(display)
        if key is None:
            return None
        if display not in self._texts:
            kept = self._read(key, "rows")
            later = kept if isinstance(kept, dict) else {}
            self._texts[display] = {**self._read_with_part.get(display, {}), **later}
        return self._texts[display]

    def keep_row_texts(self, display: str) -> None:
        """Write the row texts of ``display`` as :meth:`row_texts` gave them, added to."""
        self._write(self._keys[display], "rows", self._texts[display])

    def prune(self) -> None:
        """Remove the entries this run did not use: files gone, or changed since."""
        if not self.folder.is_dir():
            return
        used = set(self._keys.values())
        for entry in self.folder.glob(f"*{_SUFFIX}"):
            if entry.name.split(".")[0] not in used:
                entry.unlink(missing_ok=True)
