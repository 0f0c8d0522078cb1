"""The Graph model every tracer writes and every renderer reads.

A Graph is a networkx.DiGraph whose nodes and edges carry a small, fixed set of
attributes (the schema below). Tracers only write this schema; renderers only
read it, so the two sides can be tested apart.

Node ids are "n0", "n1", ... in the order the tracer first visited the node,
never derived from id(), so the same program always gives the same graph.

Graph attributes: ``outputs`` (ids of the output tensor nodes) and ``engine``
("torch" or "scalar").

Node attributes (every node has ``kind`` and ``label``):

- ``kind="op"``: a backward Function. ``name`` as torch names it
  ("MulBackward0"), ``attrs``: its non-tensor saved attributes (alpha, dim,
  reduction, ...), JSON-able.
- ``kind="accumulate"``: an AccumulateGrad node; ``name="AccumulateGrad"``.
- ``kind="tensor"``: a leaf, an output, a named intermediate or a view's base.
  ``name`` (str or None), ``role`` ("leaf", "output", "intermediate", "base"),
  ``shape`` (list), ``dtype``, ``device`` (str), ``requires_grad``,
  ``is_leaf``, ``retains_grad`` (bool), ``value`` and ``grad`` (summary or None).
- ``kind="saved"``: a tensor saved for backward. ``name`` ("self", "other",
  "result", "saved_tensors[0]", ...), ``shape``, ``dtype``, ``freed`` (bool:
  released by a backward without retain_graph), ``modified`` (bool: changed by
  an in-place op after it was saved, so backward would fail), ``value`` (summary
  or None).

A summary is ``{"shape": [...], "norm": float, "values": [...]}``; ``values``
is present only for small tensors.

Edge attributes: ``kind`` is one of

- ``"next"``: input Function -> consumer Function (torch's next_functions, drawn
  in the forward direction). ``slots``: the consumer's input slots it feeds
  (``x * x`` feeds both 0 and 1), ``output_nr``: which output of the input.
- ``"variable"``: leaf tensor -> its AccumulateGrad.
- ``"grad_fn"``: op -> a tensor it produced (an output or named intermediate);
  ``output_nr``: which of the op's outputs it is.
- ``"saved"``: saved tensor -> the op that saved it.
- ``"alias"``: saved tensor -> the visible tensor it is (linked, never merged).
- ``"base"``: a view's base tensor -> the view.
"""

from __future__ import annotations

import copy
import json

import networkx as nx

NODE_KINDS = ("op", "accumulate", "tensor", "saved")
EDGE_KINDS = ("next", "variable", "grad_fn", "saved", "alias", "base")


class Graph(nx.DiGraph):
    """An autograd graph in graphtrace's schema; displays itself in notebooks."""

    # -- queries -----------------------------------------------------------
    def nodes_of_kind(self, kind: str) -> list:
        """Ids of the nodes of one kind, in visit order."""
        if kind not in NODE_KINDS:
            raise ValueError(f"unknown node kind {kind!r}; use one of {', '.join(NODE_KINDS)}")
        return [n for n, k in self.nodes(data="kind") if k == kind]

    def function_names(self) -> list:
        """Names of the op and AccumulateGrad nodes, in visit order."""
        return [d["name"] for _, d in self.nodes(data=True) if d["kind"] in ("op", "accumulate")]

    def find(self, name: str) -> str:
        """Id of the tensor node with this name; KeyError listing the names otherwise."""
        for node, data in self.nodes(data=True):
            if data["kind"] == "tensor" and data.get("name") == name:
                return node
        known = sorted(d["name"] for _, d in self.nodes(data=True) if d["kind"] == "tensor" and d.get("name"))
        raise KeyError(f"no tensor named {name!r} in this graph; named tensors: {', '.join(known) or 'none'}")

    # -- rendering (imported when used, so `import graphtrace` stays light) --
    def to_dot(self, **style) -> str:
        """DOT source for this graph; see graphtrace.to_dot for the style options."""
        from .render.dot import to_dot

        return to_dot(self, **style)

    def to_graphviz(self, **style):
        """A graphviz.Source of this graph, for the graphviz package's own view()/pipe() tools."""
        import graphviz

        return graphviz.Source(self.to_dot(**style))

    def render(self, path, format=None, **style):
        """Write this graph to ``path`` (svg, png, pdf, dot or json); see graphtrace.render."""
        from .render.files import render

        return render(self, path, format=format, **style)

    def _repr_mimebundle_(self, include=None, exclude=None):
        from .render.notebook import mimebundle

        return mimebundle(self)

    def _repr_svg_(self):
        from .render.notebook import svg_or_none

        return svg_or_none(self)

    # -- export ------------------------------------------------------------
    def to_networkx(self) -> nx.DiGraph:
        """A plain networkx.DiGraph copy with the same nodes, edges and attributes."""
        # A deep copy: attribute lists (shape, slots, attrs) must not be shared with this Graph.
        plain = nx.DiGraph()
        plain.graph.update(copy.deepcopy(self.graph))
        plain.add_nodes_from((n, copy.deepcopy(d)) for n, d in self.nodes(data=True))
        plain.add_edges_from((u, v, copy.deepcopy(d)) for u, v, d in self.edges(data=True))
        return plain

    def to_json(self) -> str:
        """Node-link JSON (networkx's format, edges under "edges"); loads back with from_json."""
        data = nx.node_link_data(self, edges="edges")
        return json.dumps(data, indent=1, sort_keys=False)

    @classmethod
    def from_json(cls, text: str) -> "Graph":
        """The Graph that to_json wrote."""
        data = json.loads(text)
        return cls(nx.node_link_graph(data, directed=True, multigraph=False, edges="edges"))
