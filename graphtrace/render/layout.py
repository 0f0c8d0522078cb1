"""Find a layout program (Graphviz's `dot`, else `graphviz-pure`) and run it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..errors import LayoutError, LayoutProgramNotFound

# Formats each program can write; graphviz-pure has no PDF backend.
PROGRAM_FORMATS = {"dot": ("svg", "png", "pdf"), "graphviz-pure": ("svg", "png")}
ENV_VARIABLE = "GRAPHTRACE_LAYOUT"

INSTALL_HINT = (
    "install one of: Graphviz's `dot` (Debian/Ubuntu: apt-get install graphviz; macOS: brew "
    "install graphviz; Windows: winget install graphviz), or the pip package graphviz-pure "
    "(pip install graphviz-pure, or pip install 'graphtrace[layout]'). "
    "Formats 'dot' and 'json' need no layout program."
)


def find_layout_program():
    """(kind, path) of the layout program to use: $GRAPHTRACE_LAYOUT, else `dot`, else `graphviz-pure`.

    graphviz-pure is also looked for next to the running Python, because a
    virtual environment's bin folder is often not on PATH.
    """
    forced = os.environ.get(ENV_VARIABLE)
    if forced:
        path = shutil.which(forced) or _beside_python(forced)
        if path is None:
            raise LayoutProgramNotFound(f"{ENV_VARIABLE}={forced!r} names no program found on PATH; unset it or {INSTALL_HINT}")
        kind = "graphviz-pure" if "graphviz-pure" in Path(path).name else "dot"
        return kind, path
    for kind in ("dot", "graphviz-pure"):
        path = shutil.which(kind) or _beside_python(kind)
        if path is not None:
            return kind, path
    raise LayoutProgramNotFound(f"no layout program found to draw SVG/PNG/PDF: {INSTALL_HINT}")


def _beside_python(name):
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None


def check_format_supported(fmt: str):
    """Raise, before anything is written, if the available program cannot write ``fmt``."""
    kind, path = find_layout_program()
    if fmt not in PROGRAM_FORMATS[kind]:
        raise LayoutProgramNotFound(
            f"the layout program found ({kind}, {path}) cannot write {fmt!r}; it writes "
            f"{', '.join(PROGRAM_FORMATS[kind])}. For {fmt!r}, install Graphviz's `dot` "
            "(apt-get install graphviz / brew install graphviz)."
        )
    return kind, path


def run_layout(dot_source: str, fmt: str = "svg") -> bytes:
    """Lay out DOT source and return the rendered bytes (svg, png or pdf)."""
    kind, path = check_format_supported(fmt)
    result = subprocess.run([path, f"-T{fmt}"], input=dot_source.encode("utf-8"), capture_output=True)
    if result.returncode != 0 or not result.stdout:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise LayoutError(f"{kind} failed (exit {result.returncode}): {message or 'no output'}")
    if fmt == "svg":
        return with_font_fallbacks(result.stdout)
    return result.stdout


def with_font_fallbacks(svg: bytes) -> bytes:
    """Let viewers without DejaVu Sans use Verdana (as wide) or any sans-serif font."""
    from .dot import FONT

    return svg.replace(f'font-family="{FONT}"'.encode(), f'font-family="{FONT},Verdana,sans-serif"'.encode())
