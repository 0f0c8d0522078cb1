"""Write a Graph (or a tensor's graph) to a file: svg, png, pdf, dot or json, whole or not at all."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import OutputPathError, UnknownFormatError

FORMATS = ("svg", "png", "pdf", "dot", "json")
LAYOUT_FORMATS = ("svg", "png", "pdf")


def resolve_format(path: Path, format) -> str:
    """The format to write: ``format`` if given, else the path's suffix; clear errors otherwise."""
    fmt = format if format is not None else path.suffix.lstrip(".").lower()
    if not fmt:
        raise UnknownFormatError(
            f"cannot tell the format of {str(path)!r}: give it a suffix (.svg, .png, .pdf, .dot, .json) "
            "or pass format=..."
        )
    fmt = fmt.lower()
    if fmt == "gv":
        fmt = "dot"
    if fmt not in FORMATS:
        raise UnknownFormatError(f"unknown format {fmt!r}; graphtrace writes {', '.join(FORMATS)}")
    return fmt


def check_writable(path: Path) -> None:
    """Raise OutputPathError unless a file can be created at ``path``."""
    folder = path.parent
    if not folder.is_dir():
        raise OutputPathError(f"the folder {str(folder)!r} does not exist; create it first (mkdir -p {folder})")
    if path.is_dir():
        raise OutputPathError(f"{str(path)!r} is a folder; give a file name such as {path / 'graph.svg'}")
    if not os.access(folder, os.W_OK):
        raise OutputPathError(f"cannot write into {str(folder)!r} (permission denied); choose another output path")


def check_output(path: Path, format=None) -> str:
    """The format to write ``path`` in, once the path and (for svg/png/pdf) the layout program are checked."""
    fmt = resolve_format(path, format)
    check_writable(path)
    if fmt in LAYOUT_FORMATS:
        from .layout import check_format_supported

        check_format_supported(fmt)
    return fmt


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename, so no half-written file is ever seen."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        # mkstemp makes the file private; give it the permissions a normal open() would.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def graph_bytes(graph, fmt: str, **style) -> bytes:
    """The bytes of a Graph in one format (no file involved)."""
    if fmt == "json":
        return graph.to_json().encode("utf-8")
    from .dot import to_dot

    source = to_dot(graph, **style)
    if fmt == "dot":
        return source.encode("utf-8")
    from .layout import run_layout

    return run_layout(source, fmt)


def render(graph_or_tensor, path, format=None, **style) -> Path:
    """Write a Graph, or the graph behind a tensor, to ``path``; returns the path.

    The format comes from ``format`` or the path's suffix: svg, png, pdf (these
    need a layout program), dot or json. Style options are those of to_dot.
    Everything is checked before anything is written.
    """
    from ..graph import Graph

    path = Path(path)
    fmt = check_output(path, format)
    if isinstance(graph_or_tensor, Graph):
        graph = graph_or_tensor
    else:
        from ..tracing import trace

        graph = trace(graph_or_tensor)
    write_atomically(path, graph_bytes(graph, fmt, **style))
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def folder_written_whole(target: Path):
    """Yield a new, empty folder beside ``target``; on success it replaces ``target`` in one step.

    Whatever the block writes is seen all at once or not at all: on an error the
    staging folder is removed and an existing ``target`` is left as it was.
    """
    target = Path(os.path.abspath(target))
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield staging
        # mkdtemp makes a private folder; give it the permissions a normal mkdir would.
        os.chmod(staging, 0o777 & ~_umask())
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_in(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging``; on failure the old folder is put back."""
    old = None
    try:
        if target.exists():
            # rename() cannot replace a non-empty folder, so move the old one aside first.
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, old / "previous")
        os.replace(staging, target)
    except BaseException:
        if old is not None and (old / "previous").exists() and not target.exists():
            os.replace(old / "previous", target)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
