"""Where a year's pictures are kept between builds, and how the pages' folder stays bounded.

Apart from :mod:`analysis.reporting.pictures`, which draws and digests: a build plans its jobs
and prunes the pages' pictures without importing matplotlib.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Where a year's documents and pages keep their pictures: one folder per document job, and
#: :data:`PAGES_DIR` that every page of the year shares.
PICTURES_DIR = ".pictures"
#: The pages' folder in :data:`PICTURES_DIR`; not a page key (those are codes, or TOP_KEYS).
PAGES_DIR = "pages"
#: Touched by each pruning: its time is the end of the build before, as the file system
#: tells it (the clock that also dates the pictures, on any machine of a cluster).
_LAST_BUILD = ".last-build"
#: The most the pages' pictures not used by the latest build may take, bytes: those of every
#: page of a county (a few tens of MB) many times over, so a rebuild of a few pages still
#: finds the others' pictures.
PAGES_CAP = 1 << 30


def pages_dir(year_dir: Path) -> Path:
    """The folder all pages of the year at ``year_dir`` keep their pictures in."""
    return Path(year_dir) / PICTURES_DIR / PAGES_DIR


def prune_pages(year_dir: Path, cap: int = PAGES_CAP) -> list[Path]:
    """Bound the pages' pictures of a year at the end of a build; returns those removed.

    A page cannot tell which pictures other pages still show, so pictures are pruned by use:
    a picture is written or touched whenever a page uses it, so one dated since the build
    before ended was used by this build (or one since interrupted), and is kept. Of the
    others, the most recently used are kept while all the pictures take at most ``cap``
    bytes; the least recently used beyond that are removed. A build of a few pages thus
    keeps the pictures of every other page (unless they exceed the cap), and a picture no
    page has shown for many builds is the first to go.
    """
    folder = pages_dir(year_dir)
    if not folder.is_dir():
        return []
    marker = folder / _LAST_BUILD
    since = marker.stat().st_mtime_ns if marker.exists() else None
    pictures = [
        (entry.stat().st_mtime_ns, entry.stat().st_size, Path(entry.path))
        for entry in os.scandir(folder)
        # Not the marker, nor a temporary of a write (iorw removes those).
        if entry.is_file() and not entry.name.startswith(".")
    ]
    total = sum(size for _, size, _ in pictures)
    removed = []
    for mtime, size, path in sorted(pictures):
        if total <= cap or since is None or mtime >= since:
            break
        path.unlink(missing_ok=True)
        total -= size
        removed.append(path)
    marker.touch()
    return removed
