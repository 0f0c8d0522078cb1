"""Animate a recorded backward pass: one layout, frames that differ only in styles and gradient text."""

from __future__ import annotations

import html
import json
import math
import os
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

from ..errors import GraphtraceError, OutputPathError, UnknownFormatError
from ..summary import format_summary
from . import layout as _layout

__all__ = ["Animation", "animate", "save_animation", "captions", "ANIMATION_FORMATS"]

ANIMATION_FORMATS = ("html", "svg", "frames")
SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
_Q = "{%s}" % SVG_NS
_SHAPES = ("polygon", "path", "ellipse", "polyline", "rect")
FONT = "Helvetica,sans-Serif"
FRAME_NAME = "frame_{:03d}.svg"
# Edges get a little more room than a static drawing, so gradient text fits beside them.
EXTRA_GRAPH_ATTRS = {"ranksep": "0.55"}
CAPTION_CHARS = 96  # a caption line wraps after about this many characters
CAPTION_LINE = 17.0
CAPTION_FONT = 13

# State styles. Shapes keep their own colours unless a state names one; text
# overlays are hidden until their step. "fill" only touches filled shapes and
# "stroke*" only stroked ones, so a table's border and background stay apart.
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
_SHAPE_PROPS = ("fill", "stroke", "stroke-width", "stroke-dasharray", "opacity")
_TEXT_PROPS = ("visibility", "fill", "font-weight")


class AnimationError(GraphtraceError, ValueError):
    """The animation cannot be made from what was given."""


# -- captions -------------------------------------------------------------------

def _short_op(name: str) -> str:
    return re.sub(r"Backward\d*$", "", name).lower() or name


def _tensor_children(graph, function_node):
    return [t for _, t, kind in graph.out_edges(function_node, data="kind") if kind == "grad_fn"]


def _value_name(graph, function_node) -> str:
    """What a Function's output is called: the named tensor it produced, else a short op name."""
    data = graph.nodes[function_node]
    if data["kind"] == "accumulate":
        for source, _, kind in graph.in_edges(function_node, data="kind"):
            if kind == "variable":
                return graph.nodes[source].get("name") or "leaf"
        return "leaf"
    for tensor in _tensor_children(graph, function_node):
        if graph.nodes[tensor].get("name"):
            return graph.nodes[tensor]["name"]
    return f"({_short_op(data['name'])})"


def _local_rules(graph, step, operands, out):
    """The course's local derivative of the op for each input slot, in the operands' names, or None."""
    name = step.name
    attrs = graph.nodes[step.node].get("attrs") or {}
    a = operands[0] if operands else None
    b = operands[1] if len(operands) > 1 else None
    if name == "AddBackward0":
        alpha = attrs.get("alpha", 1)
        return ["1", "1" if alpha == 1 else f"{alpha}"]
    if name == "SubBackward0":
        alpha = attrs.get("alpha", 1)
        return ["1", "-1" if alpha == 1 else f"-{alpha}"]
    if name == "MulBackward0" and a and b:
        return [b, a]
    if name == "DivBackward0" and a and b:
        return [f"1/{b}", f"-{a}/{b}²"]
    if name == "SigmoidBackward0":
        return [f"σ({a})(1-σ({a}))" if a and not a.startswith("(") else "σ(1-σ)"]
    if name == "TanhBackward0":
        return ["1-tanh²"]
    if name == "ExpBackward0":
        return [f"exp({a})" if a else "exp"]
    if name == "NegBackward0":
        return ["-1"]
    if name in ("SumBackward0", "SumBackward1"):
        return ["1"]
    if name in ("MeanBackward0", "MeanBackward1"):
        return ["1/n"]
    if name == "PowBackward0" and "exponent" in attrs:
        e = attrs["exponent"]
        return [f"{_num(e)}·{a or 'x'}^{_num(e - 1)}" if isinstance(e, (int, float)) else None]
    if name == "MseLossBackward0" and a:
        return [f"2({a}-{b or 'y'})/n", f"-2({a}-{b or 'y'})/n"]
    return None


def _num(x) -> str:
    return format_summary({"shape": [], "values": [float(x)], "norm": abs(float(x))})


def _step_caption(graph, step, loss, out_is_loss, operand_names) -> str:
    parts = []
    for write in step.writes:
        if graph.nodes[step.node]["kind"] != "accumulate":
            parts.append(f"{write.name or 'tensor'} retains grad: {write.name or 'tensor'}.grad = {format_summary(write.after)}.")
    if graph.nodes[step.node]["kind"] == "accumulate":
        for write in step.writes:
            who = write.name or "leaf"
            if write.before is None:
                parts.append(f"AccumulateGrad: {who}.grad = {format_summary(write.after)} (was None).")
            else:
                parts.append(
                    f"AccumulateGrad: {who}.grad = {format_summary(write.before)} + "
                    f"{format_summary(step.grad_outputs[0] if step.grad_outputs else None)} = "
                    f"{format_summary(write.after)} (added to the existing .grad)."
                )
        if not step.writes:
            parts.append("AccumulateGrad runs (its leaf was not asked for; .grad unchanged).")
        return " ".join(parts)
    out = _value_name(graph, step.node)
    rules = _local_rules(graph, step, operand_names, out) or []
    upstream = "" if out_is_loss else f"∂{loss}/∂{out}·"
    terms = []
    for slot, (grad, target) in enumerate(zip(step.grad_inputs, step.next)):
        if grad is None or target is None:
            continue
        rule = rules[slot] if slot < len(rules) else None
        name = operand_names[slot] or "input"
        if rule:
            terms.append(f"∂{loss}/∂{name} = {upstream}{rule} = {format_summary(grad)}")
        else:
            terms.append(f"∂{loss}/∂{name} = {format_summary(grad)}")
    if not terms:
        terms.append("passes no gradient on")
    parts.append(f"{step.name}: " + ", ".join(terms))
    return " ".join(parts)


def captions(recording) -> list:
    """One caption per frame: the start, each step, the end; said as in the course (∂f/∂q = z = -4)."""
    graph = recording.graph
    outputs = graph.graph.get("outputs") or []
    loss = (graph.nodes[outputs[0]].get("name") if outputs else None) or "f"
    root_ops = {source for o in outputs for source, _, kind in graph.in_edges(o, data="kind") if kind == "grad_fn"}
    texts = []
    if recording.steps:
        first = recording.steps[0]
        seed = format_summary(first.grad_outputs[0] if first.grad_outputs else None)
        texts.append(f"backward() starts at {loss}: ∂{loss}/∂{loss} = {seed} goes to {first.name}.")
    else:
        texts.append(f"backward() on {loss}: the engine ran no Function.")
    for step in recording.steps:
        operands = [None if t is None else _value_name(graph, t) for t in step.next]
        texts.append(_step_caption(graph, step, loss, step.node in root_ops, operands))
    written = {}
    for step in recording.steps:
        for write in step.writes:
            written[write.name or write.tensor] = write.after
    end = "Done."
    if written:
        shown = list(written.items())
        listed = ", ".join(f"{n}.grad = {format_summary(s)}" for n, s in shown[:6])
        end += f" {listed}" + (f" and {len(shown) - 6} more" if len(shown) > 6 else "") + "."
    if recording.freed:
        end += f" {len(recording.freed)} saved tensor{'s' if len(recording.freed) != 1 else ''} freed (retain_graph=False)."
    elif not recording.retain_graph:
        end += " Nothing was saved for backward."
    else:
        end += " Saved tensors kept (retain_graph=True)."
    texts.append(end)
    return [f"Step {i}/{len(texts) - 2}: {t}" if 0 < i < len(texts) - 1 else t for i, t in enumerate(texts)]


# -- timelines: what state each drawn thing is in, frame by frame ----------------

def _timelines(recording):
    """({node id: changes}, {(u, v): changes}, [edge texts], {tensor id: grad changes}, frame count).

    A change is (frame, state). Frame 0 is the start, frame i+1 is step i,
    the last frame is the end (saved tensors freed).
    """
    graph = recording.graph
    steps = recording.steps
    last = len(steps) + 1
    nodes, edges, edge_texts, grads = {}, {}, [], {}

    def mark(table, key, frame, state, after=None):
        changes = table.setdefault(key, [])
        changes.append((frame, state))
        if after is not None and frame + 1 <= last:
            changes.append((frame + 1, after))

    outputs = graph.graph.get("outputs") or []
    for output in outputs:
        mark(nodes, output, 0, "current", "done")
        for source, _, kind in graph.in_edges(output, data="kind"):
            if kind == "grad_fn" and steps:
                mark(edges, (source, output), 0, "current", "done")
                edge_texts.append(((source, output), 0, format_summary(steps[0].grad_outputs[0] if steps[0].grad_outputs else None)))
    for i, step in enumerate(steps):
        frame = i + 1
        mark(nodes, step.node, frame, "current", "done")
        by_target = {}
        for slot, (grad, target) in enumerate(zip(step.grad_inputs, step.next)):
            if target is not None and grad is not None:
                by_target.setdefault(target, []).append(format_summary(grad))
        for target, texts in by_target.items():
            if graph.has_edge(target, step.node):
                mark(edges, (target, step.node), frame, "current", "done")
                edge_texts.append(((target, step.node), frame, " + ".join(texts) if len(texts) > 1 else texts[0]))
        for write in step.writes:
            mark(nodes, write.tensor, frame, "written", "filled")
            grads.setdefault(write.tensor, []).append((frame, write.after))
            if graph.has_edge(write.tensor, step.node):  # leaf -> its AccumulateGrad
                mark(edges, (write.tensor, step.node), frame, "current", "done")
            elif graph.has_edge(step.node, write.tensor):  # op -> the tensor that retains grad
                mark(edges, (step.node, write.tensor), frame, "current", "done")
    for saved in recording.freed:
        mark(nodes, saved, last, "freed")
    return nodes, edges, edge_texts, grads, last + 1


# -- the laid-out scene --------------------------------------------------------------

def _numbers(text):
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text or "")]


def _points(element):
    tag = element.tag.replace(_Q, "")
    if tag == "ellipse":
        cx, cy = float(element.get("cx", 0)), float(element.get("cy", 0))
        rx, ry = float(element.get("rx", 0)), float(element.get("ry", 0))
        return [(cx - rx, cy - ry), (cx + rx, cy + ry)]
    if tag == "rect":
        x, y = float(element.get("x", 0)), float(element.get("y", 0))
        return [(x, y), (x + float(element.get("width", 0)), y + float(element.get("height", 0)))]
    values = _numbers(element.get("points") if tag in ("polygon", "polyline") else element.get("d"))
    return list(zip(values[0::2], values[1::2]))


def _bbox(elements):
    points = [p for e in elements for p in _points(e)]
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


class _Styled:
    """An element of the laid-out SVG whose style follows a timeline."""

    __slots__ = ("element", "base", "changes", "kind", "key")

    def __init__(self, element, changes, kind="shape"):
        self.element, self.changes, self.kind = element, changes, kind
        self.base = {p: element.get(p) for p in _SHAPE_PROPS}
        self.key = tuple(self.base.values())


class _Text:
    """A text drawn over the SVG (gradient, caption) visible on some frames."""

    __slots__ = ("x", "y", "lines", "attrs", "changes", "container", "base")

    def __init__(self, x, y, lines, attrs, changes, container="overlay"):
        self.x, self.y, self.lines, self.attrs, self.changes, self.container = x, y, lines, attrs, changes, container
        self.base = {"fill": attrs.get("fill", "#111827"), "font-weight": attrs.get("font-weight", "normal")}


def _state_at(changes, frame, default):
    state = default
    for when, what in changes:
        if when <= frame:
            state = what
        else:
            break
    return state


def _shape_css(item, state) -> str:
    key = (item.key, state)
    css = _CSS_MEMO.get(key)
    if css is None:
        css = _CSS_MEMO[key] = _build_shape_css(item, state)
    return css


_CSS_MEMO = {}  # shapes share a handful of (base colours, state) pairs


def _build_shape_css(item, state) -> str:
    wanted = SHAPE_STATES[state]
    props = []
    for prop in _SHAPE_PROPS:
        base = item.base.get(prop)
        if prop == "fill" and base in (None, "none"):
            continue  # an outline stays an outline
        if prop.startswith("stroke") and item.base.get("stroke") in (None, "none", "transparent"):
            continue  # a background fill gets no border
        value = wanted.get(prop, base if base is not None else {"stroke-width": "1", "stroke-dasharray": "none", "opacity": "1"}.get(prop))
        if value is not None:
            props.append(f"{prop}:{value}")
    return ";".join(props)


def _text_css(item, state) -> str:
    wanted = TEXT_STATES[state]
    values = {"visibility": "hidden", **item.base, **wanted}
    return ";".join(f"{p}:{values[p]}" for p in _TEXT_PROPS)


def _text_markup(item, state, ident=None) -> str:
    attrs = {"x": f"{item.x:.2f}", "y": f"{item.y:.2f}", **item.attrs}
    if ident:
        attrs["id"] = ident
    attrs["style"] = _text_css(item, state)
    attrs["data-gt-state"] = state
    head = " ".join(f'{k}="{html.escape(str(v), quote=True)}"' for k, v in attrs.items())
    if len(item.lines) == 1:
        body = html.escape(item.lines[0], quote=False)
    else:
        body = "".join(
            f'<tspan x="{item.x:.2f}" dy="{0 if i == 0 else CAPTION_LINE}">{html.escape(line, quote=False)}</tspan>'
            for i, line in enumerate(item.lines)
        )
    return f"<text {head}>{body}</text>"


def _wrap(text, width=CAPTION_CHARS):
    words, lines, line = text.split(" "), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return lines


class _Scene:
    """The SVG laid out once, cut into static text and slots that each frame fills."""

    def __init__(self, recording, svg_bytes, placeholders, caption_texts):
        nodes, edges, edge_texts, grads, self.frame_count = _timelines(recording)
        graph = recording.graph
        root = ET.fromstring(svg_bytes)
        graph_group = next(g for g in root.iter(_Q + "g") if g.get("class") == "graph")
        groups = {g.get("id"): g for g in graph_group.iter(_Q + "g") if g.get("class") in ("node", "edge")}
        self.styled, self.texts = [], []
        for node, data in graph.nodes(data=True):
            group = groups.get(node)
            if group is None:
                continue
            if node not in nodes and node not in placeholders:
                continue  # drawn once, never changes
            shapes = [e for e in group if e.tag.replace(_Q, "") in _SHAPES]
            for shape in shapes if node in nodes else ():
                self.styled.append(_Styled(shape, nodes[node]))
            if node in placeholders:
                self._slot_texts(group, node, placeholders[node], _bbox(shapes), grads, data, recording)
        midpoints = {}
        for key in edges.keys() | {k for k, _, _ in edge_texts}:
            group = groups.get(f"{key[0]}_{key[1]}")
            if group is None:
                continue
            parts = [e for e in group if e.tag.replace(_Q, "") in _SHAPES]
            for part in parts if key in edges else ():
                self.styled.append(_Styled(part, edges[key], "edge"))
            lines = [p for p in parts if p.tag == _Q + "path"]
            points = _points(lines[0]) if lines else []
            label = group.find(_Q + "text")
            if label is not None and label.get("x") is not None:
                # The edge already has a label (the input slot): write the gradient just after it.
                width = 0.6 * float(label.get("font-size", 9)) * len(label.text or "")
                midpoints[key] = (float(label.get("x")) + width / 2 + 1, float(label.get("y")) - 3)
            elif points:
                midpoints[key] = points[len(points) // 2]
        self._edge_texts(edge_texts, midpoints)
        self._captions(root, graph_group, caption_texts)
        self._cut(root, graph_group)

    # Grad fields inside labels become overlay texts at the same place, one per value shown.
    def _slot_texts(self, group, node, placeholder, box, grads, data, recording):
        if placeholder is None or box is None:
            return
        target = next((t for t in group.iter(_Q + "text") if (t.text or "") == placeholder), None)
        if target is None:
            return
        group.remove(target)
        x = (box[0] + box[2]) / 2
        y = float(target.get("y", 0))
        attrs = {"text-anchor": "middle", "font-family": target.get("font-family", FONT),
                 "font-size": target.get("font-size", "11.00"), "fill": target.get("fill", "#111827")}
        last = self.frame_count - 1
        if data["kind"] == "saved":
            value = "= " + format_summary(data.get("value"))
            self.texts.append(_Text(x, y, [value], attrs, [(0, "shown"), (last, "hidden")]))
            self.texts.append(_Text(x, y, ["(freed by backward)"], attrs, [(last, "current")]))
            return
        changes = grads.get(node, [])
        first_hidden = changes[0][0] if changes else None
        start = [(0, "shown")] + ([(first_hidden, "hidden")] if first_hidden is not None else [])
        self.texts.append(_Text(x, y, ["grad = " + format_summary(data.get("grad"))], attrs, start))
        for i, (frame, summary) in enumerate(changes):
            timeline = [(frame, "current")]
            following = changes[i + 1][0] if i + 1 < len(changes) else None
            if following is None or following > frame + 1:
                timeline.append((frame + 1, "done"))
            if following is not None:
                timeline.append((following, "hidden"))
            self.texts.append(_Text(x, y, ["grad = " + format_summary(summary)], attrs, [c for c in timeline if c[0] <= last]))

    def _edge_texts(self, edge_texts, midpoints):
        attrs = {"text-anchor": "start", "font-family": FONT, "font-size": "10", "stroke": "white",
                 "stroke-width": "3", "paint-order": "stroke", "fill": "#111827"}
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
                self.texts.append(_Text(x + 4, y + 3, [text], attrs, [c for c in timeline if c[0] <= last]))

    def _captions(self, root, graph_group, caption_texts):
        width, height = _numbers(root.get("viewBox"))[2:4]
        wrapped = [_wrap(t) for t in caption_texts]
        lines = max(len(w) for w in wrapped)
        longest = max(len(line) for w in wrapped for line in w)
        block = CAPTION_LINE * lines + 14
        new_width = max(width, longest * CAPTION_FONT * 0.55 + 20)
        new_height = height + block
        root.set("viewBox", f"0.00 0.00 {new_width:.2f} {new_height:.2f}")
        root.set("width", f"{new_width:.0f}pt")
        root.set("height", f"{new_height:.0f}pt")
        # A white page behind everything, caption strip included.
        background = ET.Element(_Q + "rect", {"x": "0", "y": "0", "width": f"{new_width:.2f}", "height": f"{new_height:.2f}", "fill": "white"})
        root.insert(list(root).index(graph_group), background)
        attrs = {"font-family": FONT, "font-size": str(CAPTION_FONT), "text-anchor": "start", "fill": "#111827"}
        for frame, lines_of_caption in enumerate(wrapped):
            timeline = [(frame, "shown")] + ([(frame + 1, "hidden")] if frame + 1 < len(wrapped) else [])
            self.texts.append(_Text(10, height + CAPTION_LINE, lines_of_caption, attrs, timeline, container="caption"))

    def _cut(self, root, graph_group):
        """Serialize once with markers, then split: a frame is a join, not a new SVG build."""
        for i, item in enumerate(self.styled):
            item.element.set("style", f"GTS{i}GT")
        ET.SubElement(root, _Q + "style").text = "GTCSSGT"
        overlay = ET.SubElement(graph_group, _Q + "g", {"id": "gt-overlay"})
        overlay.text = "GTOVERLAYGT"
        caption = ET.SubElement(root, _Q + "g", {"id": "gt-caption-svg"})
        caption.text = "GTCAPTIONGT"
        text = ET.tostring(root, encoding="unicode")
        self.pieces = re.split(r'style="GTS(\d+)GT"|(GTCSSGT|GTOVERLAYGT|GTCAPTIONGT)', text)

    # -- output forms -----------------------------------------------------------
    def _fill(self, style_of, container_of, css=""):
        out = []
        pieces = self.pieces
        # re.split with two groups yields: text, index-or-None, marker-or-None, text, ...
        for i in range(0, len(pieces), 3):
            out.append(pieces[i])
            if i + 2 >= len(pieces):
                break
            index, marker = pieces[i + 1], pieces[i + 2]
            if index is not None:
                out.append(style_of(int(index)))
            elif marker == "GTCSSGT":
                out.append(css)
            elif marker == "GTOVERLAYGT":
                out.append(container_of("overlay"))
            else:
                out.append(container_of("caption"))
        return "".join(out)

    def frames(self) -> list:
        """Every frame's SVG. States change by events, and each (element, state) text is built once."""
        events = {}
        for i, item in enumerate(self.styled):
            for frame, state in item.changes:
                events.setdefault(frame, []).append((0, i, state))
        for j, item in enumerate(self.texts):
            for frame, state in item.changes:
                events.setdefault(frame, []).append((1, j, state))
        text_cache = {}
        visible = {"overlay": {}, "caption": {}}
        # One list of pieces, edited in place as states change; a frame is then a single join.
        parts, style_at, container_at = [], {}, {}
        pieces = self.pieces
        for n in range(0, len(pieces), 3):
            parts.append(pieces[n])
            if n + 2 >= len(pieces):
                break
            index, marker = pieces[n + 1], pieces[n + 2]
            if index is not None:
                style_at[int(index)] = len(parts)
                parts.append(self._style_attr(int(index), "pending"))
            else:
                container_at[marker] = len(parts)
                parts.append("")
        result = []
        for k in range(self.frame_count):
            for what, index, state in events.get(k, ()):
                if what == 0:
                    parts[style_at[index]] = self._style_attr(index, state)
                    continue
                item = self.texts[index]
                if state == "hidden":
                    visible[item.container].pop(index, None)
                else:
                    key = (index, state)
                    if key not in text_cache:
                        text_cache[key] = _text_markup(item, state)
                    visible[item.container][index] = text_cache[key]
            for marker, name in (("GTOVERLAYGT", "overlay"), ("GTCAPTIONGT", "caption")):
                if marker in container_at:
                    parts[container_at[marker]] = "".join(visible[name][j] for j in sorted(visible[name]))
            result.append(_XML_HEAD + "".join(parts))
        return result

    def _style_attr(self, i, state):
        return f'style="{_shape_css(self.styled[i], state)}" data-gt-state="{state}"'

    def frame(self, k) -> str:
        def style_of(i):
            item = self.styled[i]
            state = _state_at(item.changes, k, "pending")
            return f'style="{_shape_css(item, state)}" data-gt-state="{state}"'

        def container_of(name):
            shown = []
            for item in self.texts:
                if item.container == name:
                    state = _state_at(item.changes, k, "hidden")
                    if state != "hidden":
                        shown.append(_text_markup(item, state))
            return "".join(shown)

        return _XML_HEAD + self._fill(style_of, container_of)

    def interactive(self):
        """The SVG with every element and text present and id'd (for the player), plus its timelines."""
        css_table, css_index = [], {}

        def css_id(css):
            if css not in css_index:
                css_index[css] = len(css_table)
                css_table.append(css)
            return css_index[css]

        items = []
        for i, item in enumerate(self.styled):
            items.append([f"gt-d{i}", [[f, css_id(_shape_css(item, s)), s] for f, s in item.changes],
                          css_id(_shape_css(item, "pending")), "pending"])
        for j, item in enumerate(self.texts):
            items.append([f"gt-t{j}", [[f, css_id(_text_css(item, s)), s] for f, s in item.changes],
                          css_id(_text_css(item, "hidden")), "hidden"])

        def style_of(i):
            item = self.styled[i]
            state = _state_at(item.changes, 0, "pending")
            return f'id="gt-d{i}" style="{_shape_css(item, state)}" data-gt-state="{state}"'

        def container_of(name):
            return "".join(
                _text_markup(item, _state_at(item.changes, 0, "hidden"), f"gt-t{j}")
                for j, item in enumerate(self.texts) if item.container == name
            )

        return self._fill(style_of, container_of), {"styles": css_table, "items": items}

    def animated(self, seconds_per_frame) -> str:
        total = seconds_per_frame * self.frame_count
        rules = []

        def keyframes(name, changes, css_of, default):
            stops = {0.0: css_of(default)}
            for frame, state in changes:
                stops[100.0 * frame / self.frame_count] = css_of(state)
            body = "".join(f"{pct:.4f}%{{{css}}}" for pct, css in sorted(stops.items()))
            rules.append(f"@keyframes {name}{{{body}}}#{name[3:]}{{animation:{name} {total:.3f}s step-end infinite}}")

        for i, item in enumerate(self.styled):
            keyframes(f"gk-gt-d{i}", item.changes, lambda s, item=item: _shape_css(item, s), "pending")
        for j, item in enumerate(self.texts):
            keyframes(f"gk-gt-t{j}", item.changes, lambda s, item=item: _text_css(item, s), "hidden")

        def style_of(i):
            return f'id="gt-d{i}"'

        def container_of(name):
            return "".join(
                _text_markup(item, _state_at(item.changes, 0, "hidden"), f"gt-t{j}")
                for j, item in enumerate(self.texts) if item.container == name
            )

        return _XML_HEAD + self._fill(style_of, container_of, "".join(rules))


_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'


# -- building an animation ----------------------------------------------------------

def _placeholders(recording):
    """{node id: text} for the label fields that change: the widest text each will show, so the layout keeps room."""
    graph = recording.graph
    wanted = {}
    for step in recording.steps:
        for write in step.writes:
            wanted.setdefault(write.tensor, ["grad = " + format_summary(graph.nodes[write.tensor].get("grad"))])
            wanted[write.tensor].append("grad = " + format_summary(write.after))
    overrides, placeholders = {}, {}
    for node, texts in wanted.items():
        widest = max(texts, key=len)
        overrides[node] = {"grad": widest}
        placeholders[node] = widest
    for node in recording.freed:
        texts = [format_summary(graph.nodes[node].get("value")), "(freed by backward)"]
        widest = max(texts, key=len)
        overrides[node] = {"value": widest}
        placeholders[node] = "= " + widest
    return overrides, placeholders


class Animation:
    """A recorded backward pass drawn frame by frame on one layout.

    ``frames``: one SVG text per frame (start, each step, end). ``captions``:
    the text under each frame. ``save(path)`` writes .html (player), .svg
    (animated SVG, no script) or a folder of frame_000.svg ...
    """

    def __init__(self, recording, *, seconds_per_step: float = 1.2, **style):
        if not hasattr(recording, "steps") or not hasattr(recording, "graph"):
            raise AnimationError(
                f"animate needs a Recording (graphtrace.record(loss)) or a tensor, got {type(recording).__name__}"
            )
        if not (isinstance(seconds_per_step, (int, float)) and math.isfinite(seconds_per_step) and seconds_per_step > 0):
            raise AnimationError(f"seconds_per_step must be a positive number of seconds, not {seconds_per_step!r}")
        from .dot import to_dot

        self.recording = recording
        self.seconds_per_step = float(seconds_per_step)
        self.captions = captions(recording)
        overrides, placeholders = _placeholders(recording)
        style = dict(style)
        style["field_overrides"] = {**overrides, **(style.get("field_overrides") or {})}
        style["graph_attrs"] = {**EXTRA_GRAPH_ATTRS, **(style.get("graph_attrs") or {})}
        source = to_dot(recording.graph, **style)
        # The one layout of this animation; every frame reuses its coordinates.
        svg = _layout.run_layout(source, "svg")
        self._scene = _Scene(recording, svg, placeholders, self.captions)
        self._frames = None

    @property
    def frames(self) -> list:
        if self._frames is None:
            self._frames = self._scene.frames()
        return self._frames

    def __len__(self) -> int:
        return self._scene.frame_count

    def frame(self, k: int) -> str:
        """The SVG of frame ``k`` (0 = start, len-1 = end)."""
        return self._scene.frame(k)

    def to_svg(self) -> str:
        """One animated SVG (CSS keyframes, no script): plays inside <img>, loops."""
        return self._scene.animated(self.seconds_per_step)

    def to_html(self, title: str = "graphtrace: backward pass") -> str:
        """One self-contained HTML page: play/pause, step, slider, arrow keys; no network needed."""
        svg, data = self._scene.interactive()
        data["captions"] = self.captions
        data["current"] = [None] + [s.node for s in self.recording.steps] + [None]
        data["interval"] = int(self.seconds_per_step * 1000)
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        # Inside <script>, "<" could close the element; JSON lets us write it as \u003c.
        payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        template = _asset("player.html")
        page = template.replace("{{TITLE}}", html.escape(title))
        page = page.replace("{{CSS}}", _asset("player.css")).replace("{{JS}}", _asset("player.js"))
        page = page.replace("{{FRAMES}}", str(self._scene.frame_count))
        page = page.replace("{{CAPTION}}", html.escape(self.captions[0]))
        return page.replace("{{SVG}}", svg).replace("{{DATA}}", payload)

    def _repr_html_(self) -> str:
        # An iframe keeps each player's ids and script apart from the notebook and other players.
        page = html.escape(self.to_html(), quote=True)
        return (f'<iframe srcdoc="{page}" style="width:100%;height:640px;border:1px solid #e5e7eb" '
                'title="graphtrace backward animation"></iframe>')

    def save(self, path, format=None) -> Path:
        """Write .html, .svg or a frames folder (chosen by ``format`` or the path); whole or not at all."""
        path = Path(path)
        fmt = resolve_animation_format(path, format)
        check_animation_path(path, fmt)
        if fmt == "frames":
            _write_frames(path, self.frames)
        else:
            from .files import write_atomically

            data = self.to_html() if fmt == "html" else self.to_svg()
            write_atomically(path, data.encode("utf-8"))
        return path


def _asset(name) -> str:
    return resources.files("graphtrace").joinpath("render", "player", name).read_text(encoding="utf-8")


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
        from .files import check_writable

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
    parent = path.parent if str(path.parent) else Path(".")
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=parent))
    old = None
    try:
        for k, svg in enumerate(frames):
            (staging / FRAME_NAME.format(k)).write_text(svg, encoding="utf-8")
        os.chmod(staging, 0o777 & ~_umask())
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=parent))
            os.replace(path, old / "frames")
        os.replace(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and (old / "frames").exists() and not path.exists():
            os.replace(old / "frames", path)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def animate(recording_or_tensor, path=None, format=None, *, seconds_per_step: float = 1.2, gradient=None,
            retain_graph: bool = False, params=None, names=None, **style) -> Animation:
    """An Animation of a backward pass; with ``path``, also saved there (.html, .svg or a folder of frames).

    Give a Recording (graphtrace.record(loss)), or the output tensor itself:
    then its backward pass is run and recorded here (``gradient``,
    ``retain_graph``, ``params``, ``names`` as in graphtrace.record). Style
    options are those of graphtrace.to_dot. The graph is laid out once.
    """
    if path is not None:
        path = Path(path)
        check_animation_path(path, resolve_animation_format(path, format))
    recording = recording_or_tensor
    if not hasattr(recording, "steps"):
        from ..recorder import record

        # record() names tensors from the first caller outside graphtrace: the user's variables.
        recording = record(recording_or_tensor, gradient=gradient, retain_graph=retain_graph, params=params, names=names)
    animation = Animation(recording, seconds_per_step=seconds_per_step, **style)
    if path is not None:
        animation.save(path, format=format)
    return animation


def save_animation(recording, path, format=None, **style) -> Path:
    """Write the animation of ``recording`` to ``path`` (for the CLI's --animate); returns the path."""
    path = Path(path)
    fmt = resolve_animation_format(path, format)
    check_animation_path(path, fmt)
    return Animation(recording, **style).save(path, format=fmt)
