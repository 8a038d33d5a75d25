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

A file's problems carry the village of their row, named while the file was read
(:func:`analysis.ingest.registry.place_villages`), so no raw file is read again to place them.

Entries are pickles: the cache is as trusted as the processed folder it lives in.
"""

from __future__ import annotations

import hashlib
import pickle
import struct
import sys
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd
import pyarrow as pa

from analysis.core.catalog import Catalog
from analysis.ingest.ledger import Ledger
from analysis.ingest.registry import Registry
from analysis.iorw import atomic_write_bytes
from analysis.version import __version__, code_fingerprint

#: Raised whenever :class:`FilePart` or the key changes meaning.
CACHE_FORMAT = 5
_MAGIC = b"minsheng ingest cache\n"
_SUFFIX = ".pkl"
#: zstd at arrow's default level: a third of zlib's level 1 in time, and smaller (a province's
#: values pickle to ~100 MB a file, their text columns repeating).
_CODEC = "zstd"
_SIZE = struct.Struct("<Q")  # the pickle's length, which arrow's decompression needs
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


def _library_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return ""


def code_items(catalog: Catalog) -> list[str]:
    """What reading any file depends on besides the file and the registry: the code, the
    Python and libraries that run it, and the catalog."""
    return [
        f"format {CACHE_FORMAT}",
        code_fingerprint(),
        __version__,
        sys.version,
        *(f"{name} {_library_version(name)}" for name in _LIBRARIES),
        repr(catalog),
    ]


def context_key(catalog: Catalog, registry: Registry) -> str:
    """What every file's part depends on besides the file: the code, the libraries, the catalog
    and the registry's content."""
    digest = hashlib.sha256()
    items = [*code_items(catalog), registry.table.to_csv(index=False)]
    if registry.former is not None:  # the boundary changes say which rows a table may hold
        linked = sorted((code, sorted(codes)) for code, codes in registry.linked.items())
        spans = (registry.starts, registry.ends, registry.successors, linked)
        items += [registry.former.to_csv(index=False), repr(spans)]
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
    """The parts of a folder's files, one entry each in ``folder`` (``processed/.ingest-cache``).

    With ``reuse=False`` no entry is read (every file is read again) but entries are still
    written, so the next run can reuse them.
    """

    def __init__(self, folder: Path | str, *, reuse: bool = True) -> None:
        self.folder = Path(folder)
        self.reuse = reuse
        self._keys: dict[str, str] = {}  # display name → key, of the files of this run

    def _entry(self, key: str) -> Path:
        return self.folder / f"{key}.part{_SUFFIX}"

    def _read(self, key: str) -> object | None:
        """What is kept under ``key``, or None when nothing is that can be trusted."""
        if not self.reuse:
            return None
        try:
            data = self._entry(key).read_bytes()
        except OSError:
            return None
        head, checksum = len(_MAGIC), len(_MAGIC) + hashlib.sha256().digest_size
        payload = data[checksum:]
        if data[:head] != _MAGIC or hashlib.sha256(payload).digest() != data[head:checksum]:
            return None
        stored_key, _, rest = payload.partition(b"\0")
        if stored_key != key.encode():  # only an entry of this key is unpickled
            return None
        try:
            (size,) = _SIZE.unpack_from(rest)
            pickled = pa.decompress(rest[_SIZE.size :], size, codec=_CODEC)
            return pickle.loads(pickled)
        except Exception:  # an entry written by other code, or damaged: read the file again
            return None

    def _write(self, key: str, pickled: bytes) -> None:
        compressed = pa.compress(pickled, codec=_CODEC, asbytes=True)
        payload = key.encode() + b"\0" + _SIZE.pack(len(pickled)) + compressed
        data = _MAGIC + hashlib.sha256(payload).digest() + payload
        atomic_write_bytes(self._entry(key), data)

    def load(self, key: str, display: str) -> FilePart | None:
        """The part of file ``display`` kept under ``key``, or None when there is none that
        can be trusted."""
        self._keys[display] = key
        part = self._read(key)
        return part if isinstance(part, FilePart) else None

    def save(self, key: str, display: str, part: FilePart) -> bytes:
        """Keep ``part`` under ``key`` (atomically), and hand back its pickle (a worker sends
        it as it is, rather than pickling the part again). Call it before anything changes the
        part's frames: the checks across files mark rows in place."""
        self._keys[display] = key
        pickled = pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
        self._write(key, pickled)
        return pickled

    def prune(self) -> None:
        """Remove the entries this run did not use: files gone, or changed since."""
        if not self.folder.is_dir():
            return
        used = set(self._keys.values())
        for entry in self.folder.glob(f"*{_SUFFIX}"):
            if entry.name.split(".")[0] not in used:
                entry.unlink(missing_ok=True)
