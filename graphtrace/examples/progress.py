"""A tiny text progress bar for training loops, written to stderr and easy to turn off."""

from __future__ import annotations

import sys


class ProgressBar:
    """`with ProgressBar(total, label) as bar: bar.update()`; draws nothing when enabled=False."""

    def __init__(self, total: int, label: str = "", *, enabled: bool = True, stream=None, width: int = 30):
        self.total = max(int(total), 0)
        self.label = label
        self.enabled = enabled
        # Looked up at use, not at import, so pytest's capture and redirections see it.
        self._stream = stream
        self.width = width
        self.done = 0
        self._last_cells = -1
        self._closed = False

    @property
    def stream(self):
        return self._stream if self._stream is not None else sys.stderr

    def __enter__(self) -> "ProgressBar":
        self._draw(force=True)
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def update(self, n: int = 1) -> None:
        self.done = min(self.done + n, self.total)
        self._draw(force=False)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.enabled:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, *, force: bool) -> None:
        if not self.enabled:
            return
        cells = self.width if self.total == 0 else self.done * self.width // self.total
        # Redraw only when the bar visibly moves: a 20,000-step loop writes ~30 lines, not 20,000.
        if cells == self._last_cells and not force and self.done != self.total:
            return
        self._last_cells = cells
        bar = "#" * cells + "-" * (self.width - cells)
        label = f"{self.label} " if self.label else ""
        self.stream.write(f"\r{label}[{bar}] {self.done}/{self.total}")
        self.stream.flush()
