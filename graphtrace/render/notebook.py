"""Inline display in Jupyter: a Graph shows itself as SVG."""

from __future__ import annotations

from ..errors import LayoutProgramNotFound


def svg_or_none(graph):
    """The graph as SVG text, or None (so the notebook falls back to text) without a layout program."""
    return _svg_or_reason(graph)[0]


def mimebundle(graph) -> dict:
    """{"image/svg+xml": ...} for notebooks, with a text fallback that says what to install."""
    svg, reason = _svg_or_reason(graph)
    text = _summary_text(graph)
    if svg is None:
        return {"text/plain": f"{text}\n(no picture: {reason})"}
    return {"text/plain": text, "image/svg+xml": svg}


def _svg_or_reason(graph):
    """(SVG text, None), or (None, the error naming what to install)."""
    from .files import graph_bytes

    try:
        return graph_bytes(graph, "svg").decode("utf-8"), None
    except LayoutProgramNotFound as error:
        return None, error


def _summary_text(graph) -> str:
    counts = {}
    for _, kind in graph.nodes(data="kind"):
        counts[kind] = counts.get(kind, 0) + 1
    parts = ", ".join(f"{counts[k]} {k}" for k in ("op", "accumulate", "tensor", "saved") if k in counts)
    return f"<graphtrace.Graph: {parts}>"
