"""Read a layout program's SVG as text: the root tag, node and edge groups, their shapes and texts, with offsets."""

from __future__ import annotations

import html
import re

__all__ = ["LayoutSvg", "Element", "SHAPES", "numbers", "points", "bbox"]

SHAPES = ("polygon", "path", "ellipse", "polyline", "rect")

# dot and graphviz-pure write one element per line and never nest groups inside
# a node or edge group (graphtrace sets no URL or tooltip), so regular
# expressions find everything an XML parse would, in a fraction of the time.
_SVG_OPEN = re.compile(r"<svg\b([^>]*)>")
_GRAPH_OPEN = re.compile(r'<g\b[^>]*\bclass="graph"[^>]*>')
_GROUP = re.compile(r'<g id="([^"]*)" class="(?:node|edge)"[^>]*>')
_SHAPE = re.compile(r"<(polygon|path|ellipse|polyline|rect)\b([^>]*)>")  # the attributes keep a closing "/"
_TEXT = re.compile(r"<text\b([^>]*)>(.*?)</text>", re.S)
_ATTR = re.compile(r'([^\s=]+)="([^"]*)"')
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def _unescape(value: str) -> str:
    return html.unescape(value) if "&" in value else value


def attributes(text: str) -> dict:
    """{name: unescaped value} of an XML start tag's attribute text."""
    if "&" not in text:
        return dict(_ATTR.findall(text))
    return {name: _unescape(value) for name, value in _ATTR.findall(text)}


class Element:
    """One element of a group: its tag, attributes, text and where it sits in the SVG text."""

    __slots__ = ("tag", "raw", "_attrs", "_text", "start", "end", "attrs_start", "attrs_end")

    def __init__(self, tag, raw, text, start, end, attrs_start, attrs_end):
        self.tag, self.raw, self._text, self._attrs = tag, raw, text, None
        self.start, self.end, self.attrs_start, self.attrs_end = start, end, attrs_start, attrs_end

    @property
    def attrs(self) -> dict:
        # Most elements are looked at for one thing; parse their attributes only when asked.
        if self._attrs is None:
            self._attrs = attributes(self.raw)
        return self._attrs

    @property
    def text(self):
        return None if self._text is None else _unescape(self._text)


class LayoutSvg:
    """The SVG a layout program wrote, indexed but not parsed: offsets let a caller cut it into pieces."""

    def __init__(self, svg) -> None:
        self.text = svg.decode("utf-8") if isinstance(svg, (bytes, bytearray)) else svg
        text = self.text
        root = _SVG_OPEN.search(text)
        graph = _GRAPH_OPEN.search(text, root.end()) if root else None
        close = text.rfind("</svg>")
        if root is None or graph is None or close < 0:
            raise ValueError("the layout program's SVG has no <svg> root or no graph group")
        self.root_start, self.root_end = root.start(), root.end()
        self.root_attrs = attributes(root.group(1))
        self.graph_start = graph.start()
        # The graph group holds everything else, so its </g> is the last one before </svg>.
        self.graph_close = text.rfind("</g>", graph.end(), close)
        self.svg_end = close + len("</svg>")
        # {group id: where its body starts}; bodies are found only for the groups asked about.
        self._groups = {_unescape(m.group(1)): m.end() for m in _GROUP.finditer(text, graph.end(), self.graph_close)}

    def has(self, ident) -> bool:
        return ident in self._groups

    def _body(self, ident):
        start = self._groups[ident]
        return start, self.text.find("</g>", start)

    def shapes(self, ident) -> list:
        """The shape elements (polygon, path, ellipse, polyline, rect) of group ``ident``, in order."""
        start, end = self._body(ident)
        return [
            Element(m.group(1), m.group(2), None, m.start(), m.end(), m.start(2), m.end(2))
            for m in _SHAPE.finditer(self.text, start, end)
        ]

    def texts(self, ident):
        """The text elements of group ``ident``, in order, found as they are read."""
        start, end = self._body(ident)
        for m in _TEXT.finditer(self.text, start, end):
            yield Element("text", m.group(1), m.group(2), m.start(), m.end(), m.start(1), m.end(1))

    def find_text(self, ident, content):
        """The first text element of group ``ident`` that reads ``content``, or None."""
        start, end = self._body(ident)
        for m in _TEXT.finditer(self.text, start, end):
            raw = m.group(2)
            # Unescaping is the slow part: only texts that agree up to their first entity get it.
            if raw == content or ("&" in raw and content.startswith(raw[:raw.find("&")])
                                  and html.unescape(raw) == content):
                return Element("text", m.group(1), raw, m.start(), m.end(), m.start(1), m.end(1))
        return None


def numbers(text):
    return list(map(float, _NUMBER.findall(text or "")))


def points(element):
    """The points an element's geometry passes through (its corners for an ellipse or rect)."""
    tag, attrs = element.tag, element.attrs
    if tag == "ellipse":
        cx, cy = float(attrs.get("cx", 0)), float(attrs.get("cy", 0))
        rx, ry = float(attrs.get("rx", 0)), float(attrs.get("ry", 0))
        return [(cx - rx, cy - ry), (cx + rx, cy + ry)]
    if tag == "rect":
        x, y = float(attrs.get("x", 0)), float(attrs.get("y", 0))
        return [(x, y), (x + float(attrs.get("width", 0)), y + float(attrs.get("height", 0)))]
    values = numbers(attrs.get("points") if tag in ("polygon", "polyline") else attrs.get("d"))
    return list(zip(values[0::2], values[1::2]))


def bbox(elements):
    """(min x, min y, max x, max y) over the elements' points, or None."""
    # A filled shape and its outline are often drawn twice on the same geometry.
    unique = {(e.tag, e.attrs.get("points") or e.attrs.get("d") or e.raw): e for e in elements}
    found = [p for e in unique.values() for p in points(e)]
    if not found:
        return None
    xs, ys = [p[0] for p in found], [p[1] for p in found]
    return min(xs), min(ys), max(xs), max(ys)
