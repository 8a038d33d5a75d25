"""Figures handed back once drawn for good, to be drawn on again.

A worker draws the same kind of figure page after page (a town's locator map for each of its
villages); what the figures share is costly to make and the same each time. A figure lent out
by a :class:`Shelf` stays its caller's until the caller hands it back with :meth:`Shelf.release`;
only then may the next call draw on it again, so a figure a caller keeps never changes under it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from matplotlib.figure import Figure

Held = TypeVar("Held")


class Shelf(Generic[Held]):
    """What each figure lent out was drawn with (``Held``: its layers, its axes), and the last
    ``keep`` of them handed back."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._lent: weakref.WeakKeyDictionary[Figure, Held] = weakref.WeakKeyDictionary()
        self._back: list[Held] = []

    def lend(self, figure: Figure, held: Held) -> Figure:
        """``figure``, drawn with ``held``, lent out until :meth:`release`."""
        self._lent[figure] = held
        return figure

    def release(self, figure: Figure) -> None:
        """Hand ``figure`` back; figures this shelf did not lend are left alone."""
        held = self._lent.pop(figure, None)
        if held is None or any(kept is held for kept in self._back):
            return
        self._back.append(held)
        del self._back[: -self.keep]

    def take(self, fits: Callable[[Held], bool]) -> Held | None:
        """The last handed back that ``fits``, off the shelf; None where none does."""
        for i in range(len(self._back) - 1, -1, -1):
            if fits(self._back[i]):
                return self._back.pop(i)
        return None
