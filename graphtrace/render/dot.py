"""Turn a Graph into DOT text: labels, colours and the legend, nothing else."""

from __future__ import annotations

import html

from ..summary import format_summary

RANKDIRS = ("TB", "BT", "LR", "RL")
# Both layout programs measure DejaVu Sans alike (dot through fontconfig,
# graphviz-pure from built-in metrics); for Helvetica they differ by 10%. It is
# also among the widest sans fonts, so a viewer's fallback font never overflows
# a box (layout.py adds Verdana, as wide, and sans-serif as fallbacks in SVG).
FONT = "DejaVu Sans"

# One colour family per node kind, so the legend can explain them.
COLORS = {
    "op": ("#dbeafe", "#2563eb"),
    "accumulate": ("#e5e7eb", "#4b5563"),
    "leaf": ("#dcfce7", "#16a34a"),
    "output": ("#fef3c7", "#d97706"),
    "intermediate": ("#f3f4f6", "#6b7280"),
    "base": ("#f3f4f6", "#6b7280"),
    "saved": ("#ffedd5", "#ea580c"),
    "freed": ("#f5f5f5", "#a3a3a3"),
}
EDGE_STYLES = {
    "next": {"color": "#374151"},
    "variable": {"color": "#16a34a"},
    "grad_fn": {"color": "#d97706"},
    "saved": {"color": "#ea580c", "style": "dashed", "arrowsize": "0.5"},
    # Links are drawn but do not pull the layout: the saved tensor stays by its op.
    "alias": {"color": "#ea580c", "style": "dotted", "dir": "none", "constraint": "false"},
    "base": {"color": "#6b7280", "style": "dotted", "label": "view of"},
}


def escape_text(text) -> str:
    """Text safe inside an HTML-like DOT label (and so in SVG): markup and control characters shown literally."""
    text = str(text)
    shown = []
    for char in text:
        code = ord(char)
        if char == "\n":
            shown.append("\\n")
        elif char == "\t":
            shown.append("\\t")
        elif code < 32 or code == 127:
            shown.append(f"\\x{code:02x}")
        else:
            shown.append(char)
    return html.escape("".join(shown), quote=True)


def to_dot(
    graph,
    *,
    rankdir: str = "TB",
    show_saved: bool = True,
    show_attrs: bool = False,
    show_values: bool = True,
    show_grads: bool = True,
    legend: bool = True,
    field_overrides: dict | None = None,
    graph_attrs: dict | None = None,
) -> str:
    """DOT source for a Graph.

    ``rankdir``: TB (inputs on top), BT, LR or RL. ``show_saved``: draw tensors
    saved for backward. ``show_attrs``: list each op's non-tensor saved
    attributes. ``show_values`` / ``show_grads``: print tensor data and .grad.
    ``legend``: add a small key of the node kinds. ``field_overrides``: {node id:
    {"value": text, "grad": text}} replaces those fields' text (animations use it
    to reserve room for gradients that appear later). ``graph_attrs``: extra
    Graphviz graph attributes, e.g. {"ranksep": "0.6"}.
    """
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, not {rankdir!r}")
    overrides = field_overrides or {}
    lines = [
        "digraph {",
        f"\tgraph {_attributes({'rankdir': rankdir, 'fontname': FONT, 'nodesep': '0.3', 'ranksep': '0.4', 'bgcolor': 'white', **(graph_attrs or {})})}",
        f"\tnode {_attributes({'fontname': FONT, 'fontsize': '11', 'penwidth': '1.2'})}",
        f"\tedge {_attributes({'fontname': FONT, 'fontsize': '9', 'arrowsize': '0.7', 'penwidth': '1.1'})}",
    ]
    shown = set()
    aliases = _alias_names(graph)
    for node, data in graph.nodes(data=True):
        if data["kind"] == "saved" and not show_saved:
            continue
        shown.add(node)
        override = dict(overrides.get(node, {}))
        if node in aliases:
            override.setdefault("alias", aliases[node])
        label = _node_label(data, show_attrs, show_values, show_grads, override)
        lines.append(f"\t{node} {_attributes({'label': _Html(label), 'id': node, **_node_style(data)})}")
    input_counts = _input_slot_counts(graph)
    for source, target, data in graph.edges(data=True):
        if source not in shown or target not in shown:
            continue
        attrs = dict(EDGE_STYLES[data["kind"]])
        if data["kind"] == "next" and input_counts.get(target, 0) > 1:
            # Slot numbers tell which input of a two-input op an edge feeds (self=0, other=1).
            attrs["label"] = ",".join(str(s) for s in data["slots"])
        lines.append(f"\t{source} -> {target} {_attributes({'id': f'{source}_{target}', **attrs})}")
    if legend:
        lines.append(f"\tlegend {_attributes({'label': _Html(_legend_label(graph, show_saved)), 'shape': 'plain', 'id': 'legend'})}")
    lines.append("}")
    return "\n".join(lines) + "\n"


class _Html(str):
    """A label written as an HTML-like DOT label, <...>, instead of a quoted string."""


def _attributes(attrs: dict) -> str:
    """[key="value" ...] in the given order; values quoted, backslashes and quotes escaped."""
    parts = []
    for key, value in attrs.items():
        if isinstance(value, _Html):
            parts.append(f"{key}=<{value}>")
        else:
            text = str(value).replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'{key}="{text}"')
    return "[" + " ".join(parts) + "]"


def _alias_names(graph) -> dict:
    """{saved node: the name of the visible tensor it is}, for the "is x" line."""
    names = {}
    for source, target, kind in graph.edges(data="kind"):
        if kind == "alias":
            target_data = graph.nodes[target]
            names[source] = target_data.get("name") or target_data.get("role", "tensor")
    return names


def _input_slot_counts(graph) -> dict:
    counts = {}
    for _, target, data in graph.edges(data=True):
        if data["kind"] == "next":
            counts[target] = counts.get(target, 0) + len(data["slots"])
    return counts


def _node_style(data) -> dict:
    kind = data["kind"]
    if kind in ("op", "accumulate"):
        fill, line = COLORS[kind]
        return {"shape": "box", "style": "rounded,filled", "fillcolor": fill, "color": line}
    return {"shape": "plain"}


def _node_label(data, show_attrs, show_values, show_grads, override) -> str:
    kind = data["kind"]
    if kind == "op":
        rows = [f"<B>{escape_text(data['name'])}</B>"]
        if show_attrs:
            rows += [
                f'<FONT POINT-SIZE="9">{escape_text(k)} = {escape_text(_short(v))}</FONT>'
                for k, v in sorted(data["attrs"].items())
            ]
        return "<BR/>".join(rows)
    if kind == "accumulate":
        return '<FONT POINT-SIZE="10">AccumulateGrad</FONT>'
    if kind == "tensor":
        return _tensor_table(data, show_values, show_grads, override)
    return _saved_table(data, show_values, override)


def _short(value, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shape_text(data) -> str:
    shape = data.get("shape")
    if shape is None:
        return ""
    dims = "scalar" if not shape else "(" + ", ".join(str(d) for d in shape) + ")"
    device = data.get("device", "cpu")
    return " ".join(p for p in (dims, data.get("dtype") or "", "" if device == "cpu" else device) if p)


def _tensor_table(data, show_values, show_grads, override) -> str:
    fill, line = COLORS[data["role"]]
    title = escape_text(data["name"]) if data["name"] else f"<I>{data['role']}</I>"
    rows = [f"<B>{title}</B>", f'<FONT POINT-SIZE="9">{escape_text(_shape_text(data))}</FONT>']
    if show_values:
        rows.append("data = " + escape_text(override.get("value", format_summary(data["value"]))))
    if show_grads and data["requires_grad"]:
        rows.append(escape_text(override.get("grad", _grad_text(data))))
    return _table(rows, fill, line, rounded=data["role"] == "leaf")


def _grad_text(data) -> str:
    if data["is_leaf"] or data["retains_grad"]:
        return "grad = " + format_summary(data["grad"])
    return "grad not kept (non-leaf)"


def _saved_table(data, show_values, override) -> str:
    freed = data["freed"] or data.get("modified", False)
    fill, line = COLORS["freed" if freed else "saved"]
    rows = [f"<I>saved</I> <B>{escape_text(data['name'])}</B>"]
    if "alias" in override:
        rows[0] += f" <I>is</I> <B>{escape_text(override['alias'])}</B>"
    if data.get("modified"):
        rows.append('<FONT POINT-SIZE="9">modified in place since saved</FONT>')
    elif freed:
        rows.append('<FONT POINT-SIZE="9">freed by backward</FONT>')
    elif data["shape"] is None:
        rows.append('<FONT POINT-SIZE="9">None</FONT>')
    else:
        rows.append(f'<FONT POINT-SIZE="9">{escape_text(_shape_text(data))}</FONT>')
        if show_values:
            rows.append("= " + escape_text(override.get("value", format_summary(data["value"]))))
    return _table(rows, fill, line, dashed=True, small=True)


def _table(rows, fill, line, *, rounded=False, dashed=False, small=False) -> str:
    style = ' STYLE="ROUNDED"' if rounded else (' STYLE="DASHED"' if dashed else "")
    size = ' POINT-SIZE="10"' if small else ""
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    return (
        f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" BGCOLOR="{fill}" '
        f'COLOR="{line}"{style}><TR><TD><FONT{size} COLOR="#111827">'
        f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>'
        "</FONT></TD></TR></TABLE>"
    )


def _legend_label(graph, show_saved) -> str:
    kinds = {d["kind"] for _, d in graph.nodes(data=True)}
    roles = {d.get("role") for _, d in graph.nodes(data=True) if d["kind"] == "tensor"}
    entries = []
    if "op" in kinds:
        entries.append(("op", "backward Function"))
    if "accumulate" in kinds:
        entries.append(("accumulate", "AccumulateGrad: writes .grad"))
    for role, text in (("leaf", "leaf tensor"), ("output", "output"), ("intermediate", "named intermediate")):
        if role in roles:
            entries.append((role, text))
    if show_saved and "saved" in kinds:
        entries.append(("saved", "saved for backward"))
    cells = "".join(
        f'<TR><TD BGCOLOR="{COLORS[key][0]}" COLOR="{COLORS[key][1]}" BORDER="1" WIDTH="14"> </TD>'
        f'<TD ALIGN="LEFT"><FONT POINT-SIZE="9">{text}</FONT></TD></TR>'
        for key, text in entries
    )
    return f'<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="2">{cells}</TABLE>'
