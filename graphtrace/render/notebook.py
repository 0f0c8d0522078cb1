"""Inline display in Jupyter: a Graph shows itself as SVG."""

from __future__ import annotations

from ..errors import LayoutProgramNotFound


def svg_or_none(graph):
    """The graph as SVG text, or None (so the notebook falls back to text) without a layout program."""
    from .files import graph_bytes

    try:
        return graph_bytes(graph, "svg").decode("utf-8")
    except LayoutProgramNotFound:
        return None


def mimebundle(graph) -> dict:
    """{"image/svg+xml": ...} for notebooks, with a text fallback that says what to install."""
    text = _summary_text(graph)
    svg = None
    try:
        from .files import graph_bytes

        svg = graph_bytes(graph, "svg").decode("utf-8")
    except LayoutProgramNotFound as error:
        text += f"\n(no picture: {error})"
    bundle = {"text/plain": text}
    if svg is not None:
        bundle["image/svg+xml"] = svg
    return bundle


def _summary_text(graph) -> str:
    counts = {}
    for _, kind in graph.nodes(data="kind"):
        counts[kind] = counts.get(kind, 0) + 1
    parts = ", ".join(f"{counts[k]} {k}" for k in ("op", "accumulate", "tensor", "saved") if k in counts)
    return f"<graphtrace.Graph: {parts}>"
