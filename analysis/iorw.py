"""Atomic file writes (a reader never sees half a file, an interrupted run leaves none behind),
and the files of a folder a run reads."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one step.

    The temporary file lives in the same folder (so ``os.replace`` is atomic on one file system)
    and is removed if the block raises, including on KeyboardInterrupt.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Keep the real suffix last: some writers (GDAL's GPKG driver) check it.
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the file the usual permissions
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path | str, data: bytes) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path: Path | str, text: str, encoding: str = "utf-8") -> Path:
    return atomic_write_bytes(path, text.encode(encoding))


def atomic_write_csv(
    path: Path | str, header: Sequence[object], rows: Iterable[Sequence[object]] = ()
) -> Path:
    """A CSV of ``header`` and ``rows`` as Excel saves one (UTF-8 with a BOM, CRLF line ends),
    so that a clerk's Excel opens it without garbling the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return atomic_write_bytes(path, buffer.getvalue().encode("utf-8-sig"))


def atomic_write_with(path: Path | str, writer: Callable[[Path], object]) -> Path:
    """Call ``writer(tmp_path)`` (e.g. ``df.to_parquet``) and move the result into place."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def leads_outside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is a link (or lies under one) that leads out of ``folder``: a link to
    /etc/passwd dropped in the folder is never read."""
    if not folder.is_dir():
        return False
    return not path.resolve().is_relative_to(folder.resolve())


def folder_files(folder: Path | str) -> list[Path]:
    """What a run reads of a folder (a file: itself alone), in a fixed order (by relative path):
    every file below it, and every link leading out of it (:func:`leads_outside`, for the reader
    to refuse by name); nothing hidden, nor anything below a hidden folder (a temporary, the
    ingest cache, an editor's checkpoints, a .git). The raw folder's validation and its
    fingerprint both list it so, and so see the same files."""
    folder = Path(folder)
    if folder.is_file():
        return [folder]
    found = [
        p
        for p in folder.rglob("*")
        if not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and (p.is_file() or leads_outside(p, folder))
    ]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def remove_stale_temporaries(folder: Path | str) -> list[Path]:
    """Delete temporaries left by a killed process (SIGKILL skips the cleanup above)."""
    removed = []
    for tmp in Path(folder).rglob(".*.tmp*"):
        tmp.unlink(missing_ok=True)
        removed.append(tmp)
    return removed
