"""How each animation state looks: CSS for the layout's shapes, and the overlay texts drawn on top."""

from __future__ import annotations

import html

from .dot import FONT as DOT_FONT

__all__ = ["SHAPE_STATES", "TEXT_STATES", "ShapeSlot", "OverlayText", "wrap", "state_at"]

# The graph font with the same fallbacks as the layout SVG (see dot.FONT and layout.with_font_fallbacks).
FONT = f"{DOT_FONT},Verdana,sans-serif"
CAPTION_CHARS = 96  # a caption line wraps after about this many characters
CAPTION_LINE = 17.0
CAPTION_FONT = 13

# Shapes keep their own colours unless a state names one; text overlays are
# hidden until their step. "fill" only touches filled shapes and "stroke*" only
# stroked ones, so a table's border and background stay apart.
SHAPE_STATES = {
    "pending": {},
    "current": {"fill": "#fde68a", "stroke": "#dc2626", "stroke-width": "3"},
    "done": {"stroke": "#15803d", "stroke-width": "2"},
    "written": {"fill": "#bbf7d0", "stroke": "#dc2626", "stroke-width": "3"},
    "filled": {"fill": "#dcfce7", "stroke": "#15803d", "stroke-width": "2"},
    "freed": {"fill": "#f5f5f5", "stroke": "#a3a3a3", "stroke-dasharray": "4,3", "opacity": "0.55"},
}
TEXT_STATES = {
    "hidden": {"visibility": "hidden"},
    "shown": {"visibility": "visible"},
    "current": {"visibility": "visible", "fill": "#dc2626", "font-weight": "bold"},
    "done": {"visibility": "visible", "fill": "#166534", "font-weight": "normal"},
}
SHAPE_PROPS = ("fill", "stroke", "stroke-width", "stroke-dasharray", "opacity")
_TEXT_PROPS = ("visibility", "fill", "font-weight")
_SHAPE_DEFAULTS = {"stroke-width": "1", "stroke-dasharray": "none", "opacity": "1"}

# A drawing has hundreds of shapes but only a handful of (own colours, state) pairs.
_SHAPE_CSS = {}
_TEXT_CSS = {}


def state_at(changes, frame, default):
    """The state in force at ``frame``, given time-ordered (frame, state) changes."""
    state = default
    for when, what in changes:
        if when > frame:
            break
        state = what
    return state


def _shape_css(base, state) -> str:
    wanted = SHAPE_STATES[state]
    props = []
    for prop, own in zip(SHAPE_PROPS, base):
        if prop == "fill" and own in (None, "none"):
            continue  # an outline stays an outline
        if prop.startswith("stroke") and base[1] in (None, "none", "transparent"):
            continue  # a background fill gets no border
        value = wanted.get(prop, own if own is not None else _SHAPE_DEFAULTS.get(prop))
        if value is not None:
            props.append(f"{prop}:{value}")
    return ";".join(props)


class ShapeSlot:
    """A shape of the laid-out SVG whose style follows a timeline."""

    __slots__ = ("base", "changes")

    def __init__(self, attrs, changes):
        self.base = tuple(map(attrs.get, SHAPE_PROPS))
        self.changes = changes

    def css(self, state) -> str:
        key = (self.base, state)
        css = _SHAPE_CSS.get(key)
        if css is None:
            css = _SHAPE_CSS[key] = _shape_css(self.base, state)
        return css


class OverlayText:
    """A text drawn over the SVG (a gradient, a caption) and visible on some frames."""

    __slots__ = ("x", "y", "lines", "attrs", "changes", "container", "base", "_head", "_body", "_markup")

    def __init__(self, x, y, lines, attrs, changes, container="overlay"):
        self.x, self.y, self.lines, self.attrs, self.changes, self.container = x, y, lines, attrs, changes, container
        self.base = {"fill": attrs.get("fill", "#111827"), "font-weight": attrs.get("font-weight", "normal")}
        self._head = self._body = None
        self._markup = {}

    def css(self, state) -> str:
        key = (self.base["fill"], self.base["font-weight"], state)
        css = _TEXT_CSS.get(key)
        if css is None:
            values = {"visibility": "hidden", **self.base, **TEXT_STATES[state]}
            css = _TEXT_CSS[key] = ";".join(f"{p}:{values[p]}" for p in _TEXT_PROPS)
        return css

    def markup(self, state, ident=None) -> str:
        key = (state, ident)
        text = self._markup.get(key)
        if text is None:
            if self._head is None:
                self._prepare()
            named = f' id="{ident}"' if ident else ""
            text = f'{self._head}{named} style="{self.css(state)}" data-gt-state="{state}">{self._body}</text>'
            # Frames reuse a text in a few states; a one-off id'd copy is not worth keeping.
            if ident is None:
                self._markup[key] = text
        return text

    def _prepare(self):
        attrs = "".join(f' {k}="{_escape(str(v), True)}"' for k, v in self.attrs.items())
        self._head = f'<text x="{self.x:.2f}" y="{self.y:.2f}"{attrs}'
        if len(self.lines) == 1:
            self._body = _escape(self.lines[0])
        else:
            self._body = "".join(
                f'<tspan x="{self.x:.2f}" dy="{0 if i == 0 else CAPTION_LINE}">{_escape(line)}</tspan>'
                for i, line in enumerate(self.lines)
            )


def _escape(text, quote=False) -> str:
    """Markup-safe text, ASCII only: the layout's SVG is ASCII, and a frame stays one byte a character if its texts are."""
    text = html.escape(text, quote=quote)
    return text if text.isascii() else text.encode("ascii", "xmlcharrefreplace").decode("ascii")


def wrap(text, width=CAPTION_CHARS):
    """``text`` broken into lines of about ``width`` characters, at spaces."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return lines
