"""Animate a recorded backward pass: the Animation, its output formats, and saving them whole or not at all."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from ..errors import GraphtraceError, OutputPathError, UnknownFormatError
from . import layout as _layout
from .captions import captions
from .files import check_writable, folder_written_whole, write_atomically
from .player import notebook_frame, player_page
from .scene import Frames, Scene
from .timeline import placeholders

__all__ = [
    "Animation", "animate", "save_animation", "captions", "resolve_animation_format", "check_animation_path",
    "AnimationError", "ANIMATION_FORMATS",
]

ANIMATION_FORMATS = ("html", "svg", "frames")
FRAME_NAME = "frame_{:03d}.svg"
# Edges get a little more room than a static drawing, so gradient text fits beside them.
EXTRA_GRAPH_ATTRS = {"ranksep": "0.55"}


class AnimationError(GraphtraceError, ValueError):
    """The animation cannot be made from what was given."""


class Animation:
    """A recorded backward pass drawn frame by frame on one layout.

    ``frames``: a sequence of one SVG text per frame (start, each step, end),
    each made when read. ``captions``: the text under each frame.
    ``save(path)`` writes .html (player), .svg (animated SVG, no script) or a
    folder of frame_000.svg ...
    """

    def __init__(self, recording, *, seconds_per_step: float = 1.2, **style):
        if not hasattr(recording, "steps") or not hasattr(recording, "graph"):
            raise AnimationError(
                f"Animation needs a Recording (graphtrace.record(loss)), got {type(recording).__name__}; "
                "to record and animate a tensor's backward pass in one call, use graphtrace.animate(tensor)"
            )
        if not (isinstance(seconds_per_step, (int, float)) and math.isfinite(seconds_per_step) and seconds_per_step > 0):
            raise AnimationError(f"seconds_per_step must be a positive number of seconds, not {seconds_per_step!r}")
        from .dot import to_dot

        self.recording = recording
        self.seconds_per_step = float(seconds_per_step)
        self.captions = captions(recording)
        overrides, drawn = placeholders(recording)
        style = dict(style)
        style["field_overrides"] = {**overrides, **(style.get("field_overrides") or {})}
        style["graph_attrs"] = {**EXTRA_GRAPH_ATTRS, **(style.get("graph_attrs") or {})}
        source = to_dot(recording.graph, **style)
        # The one layout of this animation; every frame reuses its coordinates.
        svg = _layout.run_layout(source, "svg")
        self._scene = Scene(recording, svg, drawn, self.captions)

    @property
    def frames(self) -> Frames:
        return Frames(self._scene)

    def __len__(self) -> int:
        return self._scene.frame_count

    def frame(self, k: int) -> str:
        """The SVG of frame ``k`` (0 = start, len-1 = end)."""
        return self.frames[k]

    def to_svg(self) -> str:
        """One animated SVG (CSS keyframes, no script): plays inside <img>, loops."""
        return self._scene.animated(self.seconds_per_step)

    def to_html(self, title: str = "graphtrace: backward pass") -> str:
        """One self-contained HTML page: play/pause, step, slider, arrow keys; no network needed."""
        svg, data = self._scene.interactive()
        data["captions"] = self.captions
        data["current"] = [None] + [s.node for s in self.recording.steps] + [None]
        data["interval"] = int(self.seconds_per_step * 1000)
        return player_page(svg, data, self.captions, self._scene.frame_count, title)

    def _repr_html_(self) -> str:
        return notebook_frame(self.to_html())

    def save(self, path, format=None) -> Path:
        """Write .html, .svg or a frames folder (chosen by ``format`` or the path); whole or not at all."""
        path = Path(path)
        fmt = resolve_animation_format(path, format)
        check_animation_path(path, fmt)
        return self._write(path, fmt)

    def _write(self, path: Path, fmt: str) -> Path:
        """Write to a path already checked for ``fmt``."""
        if fmt == "frames":
            _write_frames(path, self.frames)
        else:
            data = self.to_html() if fmt == "html" else self.to_svg()
            write_atomically(path, data.encode("utf-8"))
        return path


def resolve_animation_format(path: Path, format=None) -> str:
    """'html', 'svg' or 'frames' from ``format`` or the path (a folder, or a name without suffix, means frames)."""
    fmt = (format or "").lower() or None
    if fmt is None:
        suffix = path.suffix.lower().lstrip(".")
        if suffix in ("html", "htm"):
            fmt = "html"
        elif suffix == "svg":
            fmt = "svg"
        elif path.is_dir() or not suffix:
            fmt = "frames"
        else:
            raise UnknownFormatError(
                f"cannot tell how to write an animation to {str(path)!r}: use a .html file (player), "
                "a .svg file (animated SVG) or a folder (numbered SVG frames), or pass format=..."
            )
    if fmt in ("dir", "folder"):
        fmt = "frames"
    if fmt not in ANIMATION_FORMATS:
        raise UnknownFormatError(f"unknown animation format {fmt!r}; use one of {', '.join(ANIMATION_FORMATS)}")
    return fmt


def check_animation_path(path: Path, fmt: str) -> None:
    """Raise before anything is written if ``path`` cannot take this animation."""
    if fmt != "frames":
        check_writable(path)
        return
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputPathError(f"the folder {str(parent)!r} does not exist; create it first (mkdir -p {parent})")
    if path.exists() and not path.is_dir():
        raise OutputPathError(f"{str(path)!r} is a file; frames go into a folder: give a folder name")
    if path.is_dir():
        strangers = [p.name for p in path.iterdir() if not re.fullmatch(r"frame_\d{3,}\.svg", p.name)]
        if strangers:
            raise OutputPathError(
                f"the folder {str(path)!r} holds other files ({', '.join(sorted(strangers)[:3])}); "
                "frames replace the whole folder, so give an empty or new folder"
            )
    if not os.access(parent, os.W_OK):
        raise OutputPathError(f"cannot write into {str(parent)!r} (permission denied); choose another output path")


def _write_frames(path: Path, frames) -> None:
    """Write every frame into a new folder beside ``path``, then swap it in, so no half set is ever seen."""
    with folder_written_whole(path) as staging:
        for k, svg in enumerate(frames):
            (staging / FRAME_NAME.format(k)).write_text(svg, encoding="utf-8")


def animate(recording_or_tensor, path=None, format=None, *, seconds_per_step: float = 1.2, gradient=None,
            retain_graph: bool = False, params=None, names=None, **style) -> Animation:
    """An Animation of a backward pass; with ``path``, also saved there (.html, .svg or a folder of frames).

    Give a Recording (graphtrace.record(loss)), or the output tensor itself:
    then its backward pass is run and recorded here (``gradient``,
    ``retain_graph``, ``params``, ``names`` as in graphtrace.record). Style
    options are those of graphtrace.to_dot. The graph is laid out once.

    The output path and the layout program are checked first: a bad path or a
    missing program raises before backward runs (no .grad written, no graph freed).
    """
    fmt = None
    if path is not None:
        path = Path(path)
        fmt = resolve_animation_format(path, format)
        check_animation_path(path, fmt)
    # Every animation is laid out as SVG; find out now that it can be, not after backward.
    _layout.check_format_supported("svg")
    recording = recording_or_tensor
    if not hasattr(recording, "steps"):
        from ..recorder import record

        # record() names tensors from the first caller outside graphtrace: the user's variables.
        recording = record(recording_or_tensor, gradient=gradient, retain_graph=retain_graph, params=params, names=names)
    animation = Animation(recording, seconds_per_step=seconds_per_step, **style)
    if path is not None:
        animation._write(path, fmt)
    return animation


def save_animation(recording, path, format=None, **style) -> Path:
    """Write the animation of a Recording to ``path``; returns the path.

    Shorthand for ``Animation(recording, **style).save(path, format)``: .html
    (player), .svg (animated SVG) or a folder of frames, chosen by ``format``
    or the path, written whole or not at all.
    """
    return Animation(recording, **style).save(path, format=format)
