"""Build the gallery: every course example's graphs, backward animation and loss curve, plus an index page."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .errors import GraphtraceError, OutputPathError

__all__ = [
    "GalleryError",
    "GalleryReport",
    "Entry",
    "Training",
    "build_gallery",
    "check_gallery_target",
    "gallery_epochs",
    "MARKER",
    "MAX_EPOCHS",
    "SEED",
]

MARKER = ".graphtrace-gallery"
MARKER_TEXT = "This folder is written by `graphtrace gallery`; the next build replaces all of it.\n"
# The course trains sigmoid-neuron for 20,000 epochs; 5,000 already show its whole descent
# and keep a gallery build (and the tests that rebuild it) well under a minute.
MAX_EPOCHS = 5000
SEED = 0
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


class GalleryError(GraphtraceError, ValueError):
    """The gallery cannot be built from what was asked for."""


@dataclass(frozen=True)
class Training:
    """How one example was trained for the gallery, and the loss it reached."""

    device: str
    epochs: int
    course_epochs: int
    lr: float
    seed: int
    first_loss: float
    final_loss: float
    loss_label: str


@dataclass(frozen=True)
class Entry:
    """One example on the gallery page: its text, and the files written for it (relative paths)."""

    name: str
    title: str
    caption: str
    source: str
    engines: tuple
    files: dict  # kind ("graph", "scalar", "player", "animation", "loss") -> relative path
    animated_output: Optional[str] = None
    notes: tuple = ()  # sentences saying what could not be drawn or animated, and why
    training: Optional[Training] = None


@dataclass(frozen=True)
class GalleryReport:
    """What build_gallery wrote: the folder, one Entry per example, every file (relative, sorted)."""

    path: Path
    entries: tuple
    files: tuple
    device: str

    @property
    def index(self) -> Path:
        return self.path / "index.html"


def gallery_epochs(example) -> int:
    """Epochs the gallery trains `example` for: the course's, capped at MAX_EPOCHS."""
    return min(example.recipe.epochs, MAX_EPOCHS)


def check_gallery_target(out) -> Path:
    """The target folder as a Path if a gallery may be written there; OutputPathError naming the fix if not."""
    try:
        target = Path(os.fspath(out))
    except TypeError:
        raise OutputPathError(f"the gallery folder must be a str or os.PathLike, not {type(out).__name__}") from None
    absolute = Path(os.path.abspath(target))
    if absolute == absolute.parent:
        raise OutputPathError(f"{str(target)!r} is the root folder; give a folder such as ./gallery")
    parent = absolute.parent
    if not parent.is_dir():
        raise OutputPathError(f"the folder {str(parent)!r} does not exist; create it first (mkdir -p {parent})")
    if target.exists() and not target.is_dir():
        raise OutputPathError(f"{str(target)!r} is a file; the gallery is a folder: give a folder name")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise OutputPathError(
            f"refusing to replace {str(target)!r}: it is not empty and has no {MARKER} file, so it does not "
            "look like a graphtrace gallery; give a new or empty folder (--out DIR), or delete this one first"
        )
    if not os.access(parent, os.W_OK):
        raise OutputPathError(f"cannot write into {str(parent)!r} (permission denied); choose another folder")
    return target


def build_gallery(out="gallery", *, device="cpu", examples=None, progress=True) -> GalleryReport:
    """Build the gallery into folder `out`, whole or not at all, and return what was written.

    device    where examples are built and trained ("cpu" by default, so the output is reproducible)
    examples  names (or Examples) to include; None for every course example, in course order
    progress  draw a progress bar on stderr

    Everything is checked before any work starts. The gallery is built in a
    temporary folder beside `out` that then replaces `out`; a folder that is
    not empty is replaced only if an earlier build marked it with MARKER.
    """
    from .examples import ProgressBar, all_examples, get, resolve_device
    from .examples.device import one_cpu_thread
    from .render.files import folder_written_whole
    from .render.layout import check_format_supported

    chosen = all_examples() if examples is None else [get(item) for item in examples]
    if not chosen:
        raise GalleryError("there are no examples to put in the gallery; name at least one (or pass examples=None)")
    _check_unique_names(chosen)
    dev = resolve_device(device)
    check_format_supported("svg")
    target = check_gallery_target(out)

    with folder_written_whole(target) as staging:
        entries = []
        with one_cpu_thread(), ProgressBar(len(chosen), "gallery", enabled=progress) as bar:
            for example in chosen:
                entries.append(_build_example(example, staging, dev))
                bar.update()
        from .gallery_page import index_html

        _write(staging / "index.html", index_html(entries, device=str(dev), max_epochs=MAX_EPOCHS, seed=SEED))
        _write(staging / MARKER, MARKER_TEXT)
        files = tuple(sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()))
    return GalleryReport(path=target, entries=tuple(entries), files=files, device=str(dev))


def _check_unique_names(chosen) -> None:
    seen = set()
    for example in chosen:
        # The name becomes a folder name, so it must not be able to point outside the gallery.
        if not _NAME.fullmatch(example.name):
            raise GalleryError(
                f"the example name {example.name!r} cannot name a gallery folder; use lower-case letters, digits and '-'"
            )
        if example.name in seen:
            raise GalleryError(f"the example {example.name!r} is named twice; name each example once")
        seen.add(example.name)


def _build_example(example, staging: Path, device) -> Entry:
    """Write one example's files into staging/<name>/ and describe them."""
    folder = staging / example.name
    folder.mkdir()
    files, notes = {}, []
    built = example.build_torch(device)
    drawable = _drawable_outputs(built, notes)
    engines = ["torch"]
    animated = None
    if drawable:
        files["graph"] = _write_graph(built, drawable, folder, "graph")
        animated = _write_animation(example, built, drawable[0], folder, files, notes)
    scalar = example.build_scalar()
    if scalar is not None:
        engines.append("scalar")
        scalar_drawable = _drawable_outputs(scalar, [])
        if scalar_drawable:
            files["scalar"] = _write_graph(scalar, scalar_drawable, folder, "scalar")
    training = _train(example, device, folder, files) if example.trainable else None
    return Entry(
        name=example.name,
        title=example.title,
        caption=example.caption,
        source=example.source,
        engines=tuple(engines),
        files={kind: f"{example.name}/{name}" for kind, name in files.items()},
        animated_output=animated,
        notes=tuple(notes),
        training=training,
    )


def _drawable_outputs(built, notes: list) -> list:
    """Names of the outputs that have a graph behind them; a note for each one that has none."""
    drawable = []
    for name in built.outputs:
        if getattr(built[name], "requires_grad", False):
            drawable.append(name)
        else:
            # The tracer refuses such a tensor (NoGradFnError): there is no graph to draw or run backward on.
            notes.append(
                f"{name} has no grad_fn and requires_grad=False: autograd recorded nothing behind it, "
                "so it has no graph to draw and no backward pass to animate."
            )
    return drawable


def _write_graph(built, outputs: list, folder: Path, stem: str) -> str:
    """Trace the named outputs, write stem.dot and stem.svg; returns the SVG's file name."""
    from .render.dot import to_dot
    from .render.layout import run_layout
    from .tracing import trace

    tensors = [built[name] for name in outputs]
    graph = trace(tensors[0] if len(tensors) == 1 else tensors, names=dict(built))
    source = to_dot(graph)
    # DOT is compared between builds (the SVG depends on the layout program's version).
    _write(folder / f"{stem}.dot", source)
    _write(folder / f"{stem}.svg", run_layout(source, "svg"))
    return f"{stem}.svg"


def _write_animation(example, built, name: str, folder: Path, files: dict, notes: list):
    """Record backward from output `name` and write the player and the animated SVG; returns `name` or None."""
    from .recorder import RecordError, record
    from .render.animate import Animation

    try:
        recording = record(built[name], gradient=built.grad_outputs.get(name), names=dict(built))
    except RecordError as error:
        notes.append(f"No backward animation: backward from {name} cannot run ({_first_sentence(str(error))}).")
        return None
    animation = Animation(recording)
    _write(folder / "backward.html", animation.to_html(title=f"graphtrace: {example.title}, backward pass"))
    _write(folder / "backward.svg", animation.to_svg())
    files["player"] = "backward.html"
    files["animation"] = "backward.svg"
    return name


def _train(example, device, folder: Path, files: dict) -> Training:
    """Train with the gallery's epochs and seed, and draw the loss curve as loss.svg."""
    from .examples import loss_curve_svg, train

    epochs = gallery_epochs(example)
    result = train(example, device=device, epochs=epochs, seed=SEED, progress=False)
    title = f"{example.title}: {result.epochs} epochs on {result.device}, lr={result.lr:g}"
    _write(folder / "loss.svg", loss_curve_svg(result.losses, title=title, ylabel=result.loss_label))
    files["loss"] = "loss.svg"
    return Training(
        device=result.device,
        epochs=result.epochs,
        course_epochs=example.recipe.epochs,
        lr=result.lr,
        seed=result.seed,
        first_loss=result.losses[0],
        final_loss=result.final_loss,
        loss_label=result.loss_label,
    )


def _first_sentence(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else "no message"
    return first.split(". ", 1)[0].rstrip(".")


def _write(path: Path, data) -> None:
    # A plain write: the whole folder is swapped in at the end, so no reader sees a half file.
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
