"""The one laid-out SVG cut into fixed text and styled slots; every output form is a join of the two."""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence

from ..summary import format_summary
from .styles import CAPTION_FONT, CAPTION_LINE, FONT, OverlayText, ShapeSlot, state_at, wrap
from .svgtext import LayoutSvg, bbox, numbers, points
from .timeline import timelines

__all__ = ["Scene", "Frames", "XML_HEAD"]

XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
# Slots that are not a shape's style (those are numbered 0, 1, ...).
CSS, OVERLAY, CAPTION = -1, -2, -3
_CONTAINERS = {"overlay": OVERLAY, "caption": CAPTION}
_EDGE_TEXT = {"text-anchor": "start", "font-family": FONT, "font-size": "10", "stroke": "white",
              "stroke-width": "3", "paint-order": "stroke", "fill": "#111827"}
_CAPTION_TEXT = {"font-family": FONT, "font-size": str(CAPTION_FONT), "text-anchor": "start", "fill": "#111827"}
_SIZE_ATTR = re.compile(r'\s(width|height|viewBox)="[^"]*"')
_STYLE_ATTR = re.compile(r'\sstyle="[^"]*"')


class Scene:
    """The SVG laid out once, as ``static`` texts with ``slots`` between them that each output fills."""

    def __init__(self, recording, svg_bytes, placeholders, caption_texts):
        nodes, edges, edge_texts, grads, self.frame_count = timelines(recording)
        graph = recording.graph
        svg = LayoutSvg(svg_bytes)
        self.shapes, self.texts = [], []
        edits = []  # (start, end, [text or slot, ...]): what replaces svg.text[start:end]
        for node, data in graph.nodes(data=True):
            if (node not in nodes and node not in placeholders) or not svg.has(node):
                continue  # drawn once, never changes
            shapes = svg.shapes(node)
            if node in nodes:
                for shape in shapes:
                    edits.append(self._shape_slot(svg, shape, nodes[node]))
            if node in placeholders:
                edits.extend(self._slot_texts(svg, node, placeholders[node], bbox(shapes), grads, data))
        midpoints = {}
        texted = {k for k, _, _ in edge_texts}
        for key in graph.edges:  # in the graph's order, so ids are the same on every run
            if key not in edges and key not in texted:
                continue
            ident = f"{key[0]}_{key[1]}"
            if not svg.has(ident):
                continue
            parts = svg.shapes(ident)
            if key in edges:
                for part in parts:
                    edits.append(self._shape_slot(svg, part, edges[key]))
            lines = [p for p in parts if p.tag == "path"]
            label = next(svg.texts(ident), None)
            if label is not None and label.attrs.get("x") is not None:
                # The edge already has a label (the input slot): write the gradient just after it.
                width = 0.6 * float(label.attrs.get("font-size", 9)) * len(label.text)
                midpoints[key] = (float(label.attrs["x"]) + width / 2 + 1, float(label.attrs.get("y", 0)) - 3)
            elif lines:
                line = points(lines[0])
                if line:
                    midpoints[key] = line[len(line) // 2]
        self._edge_texts(edge_texts, midpoints)
        edits.extend(self._frame_edits(svg, caption_texts))
        self._cut(svg.text, edits)
        self._contents = {OVERLAY: [], CAPTION: []}
        for j, item in enumerate(self.texts):
            self._contents[_CONTAINERS[item.container]].append((j, item))
        self._styles = {}  # (own colours, state) -> a frame's style attributes

    def _shape_slot(self, svg, shape, changes):
        index = len(self.shapes)
        self.shapes.append(ShapeSlot(shape.attrs, changes))
        if "style" in shape.attrs:
            # The slot writes a style; the layout's own would make a duplicate attribute.
            own = _STYLE_ATTR.sub("", svg.text[shape.attrs_start:shape.attrs_end])
            return shape.attrs_start, shape.attrs_end, [" ", index, own]
        return shape.attrs_start, shape.attrs_start, [" ", index]

    # Grad fields inside labels become overlay texts at the same place, one per value shown.
    def _slot_texts(self, svg, node, placeholder, box, grads, data):
        if placeholder is None or box is None:
            return []
        target = svg.find_text(node, placeholder)
        if target is None:
            return []
        x = (box[0] + box[2]) / 2
        y = float(target.attrs.get("y", 0))
        attrs = {"text-anchor": "middle", "font-family": target.attrs.get("font-family", FONT),
                 "font-size": target.attrs.get("font-size", "11.00"), "fill": target.attrs.get("fill", "#111827")}
        last = self.frame_count - 1
        texts = self.texts
        if data["kind"] == "saved":
            texts.append(OverlayText(x, y, ["= " + format_summary(data.get("value"))], attrs, [(0, "shown"), (last, "hidden")]))
            texts.append(OverlayText(x, y, ["(freed by backward)"], attrs, [(last, "current")]))
            return [(target.start, target.end, [])]
        changes = grads.get(node, [])
        first_hidden = changes[0][0] if changes else None
        start = [(0, "shown")] + ([(first_hidden, "hidden")] if first_hidden is not None else [])
        texts.append(OverlayText(x, y, ["grad = " + format_summary(data.get("grad"))], attrs, start))
        for i, (frame, summary) in enumerate(changes):
            timeline = [(frame, "current")]
            following = changes[i + 1][0] if i + 1 < len(changes) else None
            if following is None or following > frame + 1:
                timeline.append((frame + 1, "done"))
            if following is not None:
                timeline.append((following, "hidden"))
            texts.append(OverlayText(x, y, ["grad = " + format_summary(summary)], attrs, [c for c in timeline if c[0] <= last]))
        return [(target.start, target.end, [])]

    def _edge_texts(self, edge_texts, midpoints):
        by_edge = {}
        for key, frame, text in edge_texts:
            by_edge.setdefault(key, []).append((frame, text))
        last = self.frame_count - 1
        for key in sorted(by_edge):
            if key not in midpoints:
                continue
            x, y = midpoints[key]
            entries = sorted(by_edge[key])
            for i, (frame, text) in enumerate(entries):
                timeline = [(frame, "current"), (frame + 1, "done")]
                if i + 1 < len(entries):
                    timeline.append((entries[i + 1][0], "hidden"))
                self.texts.append(OverlayText(x + 4, y + 3, [text], _EDGE_TEXT, [c for c in timeline if c[0] <= last]))

    def _frame_edits(self, svg, caption_texts):
        """A caption strip under the drawing, a white page behind both, and the overlay and style slots."""
        width, height = numbers(svg.root_attrs.get("viewBox"))[2:4]
        wrapped = [wrap(t) for t in caption_texts]
        lines = max(len(w) for w in wrapped)
        longest = max(len(line) for w in wrapped for line in w)
        new_width = max(width, longest * CAPTION_FONT * 0.55 + 20)
        new_height = height + CAPTION_LINE * lines + 14
        size = {"width": f"{new_width:.0f}pt", "height": f"{new_height:.0f}pt",
                "viewBox": f"0.00 0.00 {new_width:.2f} {new_height:.2f}"}
        root = _SIZE_ATTR.sub(lambda m: f' {m.group(1)}="{size[m.group(1)]}"', svg.text[svg.root_start:svg.root_end])
        for frame, caption in enumerate(wrapped):
            timeline = [(frame, "shown")] + ([(frame + 1, "hidden")] if frame + 1 < len(wrapped) else [])
            self.texts.append(OverlayText(10, height + CAPTION_LINE, caption, _CAPTION_TEXT, timeline, container="caption"))
        background = f'<rect x="0" y="0" width="{new_width:.2f}" height="{new_height:.2f}" fill="white"/>\n'
        after_graph = svg.graph_close + len("</g>")
        return [
            (0, svg.root_end, [root + "\n"]),  # the XML declaration and doctype go; outputs add their own head
            (svg.graph_start, svg.graph_start, [background]),
            (svg.graph_close, svg.graph_close, ['<g id="gt-overlay">', OVERLAY, "</g>\n"]),
            (after_graph, svg.svg_end, ["\n<style>", CSS, '</style>\n<g id="gt-caption-svg">', CAPTION, "</g>\n</svg>\n"]),
        ]

    def _cut(self, text, edits):
        """Split the SVG text at the edits once, so every output is a single join."""
        static, slots, piece, at = [], [], [], 0
        for start, end, replacement in sorted(edits, key=lambda e: e[0]):
            piece.append(text[at:start])
            for item in replacement:
                if isinstance(item, str):
                    piece.append(item)
                else:
                    static.append("".join(piece))
                    slots.append(item)
                    piece = []
            at = end
        static.append("".join(piece))  # anything after </svg> (a newline) is dropped
        self.static, self.slots = static, slots

    # -- output forms -------------------------------------------------------------
    def _join(self, fill) -> list:
        """The static pieces with ``fill(slot)`` between them."""
        parts = [""] * (2 * len(self.slots) + 1)
        parts[0::2] = self.static
        parts[1::2] = [fill(slot) for slot in self.slots]
        return parts

    def _frame_style(self, shape, state) -> str:
        key = (shape.base, state)
        text = self._styles.get(key)
        if text is None:
            text = self._styles[key] = f'style="{shape.css(state)}" data-gt-state="{state}"'
        return text

    def _container(self, slot, frame, named=False) -> str:
        """The texts of one container shown at ``frame`` (all of them, id'd, when ``named``)."""
        shown = []
        for j, item in self._contents[slot]:
            state = state_at(item.changes, frame, "hidden")
            if named:
                shown.append(item.markup(state, f"gt-t{j}"))
            elif state != "hidden":
                shown.append(item.markup(state))
        return "".join(shown)

    def frame(self, k) -> str:
        """The SVG of frame ``k``."""
        def fill(slot):
            if slot >= 0:
                shape = self.shapes[slot]
                return self._frame_style(shape, state_at(shape.changes, k, "pending"))
            return "" if slot == CSS else self._container(slot, k)

        return XML_HEAD + "".join(self._join(fill))

    def iter_frames(self):
        """Every frame's SVG in order: one list of pieces, edited only where a state changes, joined per frame."""
        shapes, texts, style = self.shapes, self.texts, self._frame_style
        parts = self._join(lambda slot: style(shapes[slot], "pending") if slot >= 0 else "")
        parts[0] = XML_HEAD + parts[0]
        where = {slot: 2 * n + 1 for n, slot in enumerate(self.slots)}
        shape_events = [[] for _ in range(self.frame_count)]
        text_events = [[] for _ in range(self.frame_count)]
        for events, items in ((shape_events, shapes), (text_events, texts)):
            for index, item in enumerate(items):
                for frame, state in item.changes:
                    if frame < self.frame_count:
                        events[frame].append((index, state))
        visible = {OVERLAY: {}, CAPTION: {}}
        for k in range(self.frame_count):
            for index, state in shape_events[k]:
                parts[where[index]] = style(shapes[index], state)
            touched = set()
            for index, state in text_events[k]:
                item = texts[index]
                container = _CONTAINERS[item.container]
                if state == "hidden":
                    visible[container].pop(index, None)
                else:
                    visible[container][index] = item.markup(state)
                touched.add(container)
            for container in touched:
                shown = visible[container]
                parts[where[container]] = "".join([shown[j] for j in sorted(shown)])
            yield "".join(parts)

    def interactive(self):
        """The SVG with every shape and text present and id'd (for the player), plus its timelines."""
        css_table, css_index = [], {}

        def css_id(css):
            number = css_index.get(css)
            if number is None:
                number = css_index[css] = len(css_table)
                css_table.append(css)
            return number

        items = []
        for i, shape in enumerate(self.shapes):
            items.append([f"gt-d{i}", [[f, css_id(shape.css(s)), s] for f, s in shape.changes],
                          css_id(shape.css("pending")), "pending"])
        for j, item in enumerate(self.texts):
            items.append([f"gt-t{j}", [[f, css_id(item.css(s)), s] for f, s in item.changes],
                          css_id(item.css("hidden")), "hidden"])

        def fill(slot):
            if slot >= 0:
                shape = self.shapes[slot]
                state = state_at(shape.changes, 0, "pending")
                return f'id="gt-d{slot}" style="{shape.css(state)}" data-gt-state="{state}"'
            return "" if slot == CSS else self._container(slot, 0, named=True)

        return "".join(self._join(fill)), {"styles": css_table, "items": items}

    def animated(self, seconds_per_frame) -> str:
        """One SVG whose CSS keyframes play every frame in a loop (no script)."""
        total = f"{seconds_per_frame * self.frame_count:.3f}"
        count = self.frame_count
        rules = []

        def keyframes(ident, changes, css_of, default):
            stops = {0.0: css_of(default)}
            for frame, state in changes:
                stops[100.0 * frame / count] = css_of(state)
            body = "".join(f"{pct:.4f}%{{{css}}}" for pct, css in sorted(stops.items()))
            rules.append(f"@keyframes gk-{ident}{{{body}}}#{ident}{{animation:gk-{ident} {total}s step-end infinite}}")

        for i, shape in enumerate(self.shapes):
            keyframes(f"gt-d{i}", shape.changes, shape.css, "pending")
        for j, item in enumerate(self.texts):
            keyframes(f"gt-t{j}", item.changes, item.css, "hidden")
        css = "".join(rules)

        def fill(slot):
            if slot >= 0:
                return f'id="gt-d{slot}"'
            return css if slot == CSS else self._container(slot, 0, named=True)

        return XML_HEAD + "".join(self._join(fill))


class Frames(Sequence):
    """The frames' SVG texts, made when read (each is one join), so a long animation holds none in memory."""

    __slots__ = ("_scene",)

    def __init__(self, scene):
        self._scene = scene

    def __len__(self) -> int:
        return self._scene.frame_count

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self._scene.frame(i) for i in range(*k.indices(len(self)))]
        k = operator.index(k)
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(f"frame {k} is out of range: the animation has {len(self)} frames")
        return self._scene.frame(k)

    def __iter__(self):
        return self._scene.iter_frames()

    def __eq__(self, other):
        if not isinstance(other, (Frames, list, tuple)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None

    def __repr__(self) -> str:
        return f"<Frames: {len(self)} SVG frames>"
