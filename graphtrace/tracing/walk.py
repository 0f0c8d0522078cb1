"""Walk grad_fn chains (torch or the scalar engine) into a Graph, iteratively, in a fixed order."""

from __future__ import annotations

import functools
import warnings

from ..errors import DeepGraphWarning, NoGradFnError, NotATensorError
from ..graph import Graph
from ..summary import MAX_VALUES
from . import describe
from .naming import build_names, caller_namespace

# Freeing a graph this deep, after Python has walked it, can overflow the C
# stack (pytorch issues #5534, #109948, #155322); we warn well before that.
DEEP_GRAPH_WARNING_DEPTH = 25_000


def trace(outputs, *, params=None, names=None, max_values: int = MAX_VALUES) -> Graph:
    """Trace the autograd graph behind ``outputs`` into a Graph.

    ``outputs``: a tensor (or scalar Value), or a tuple/list/dict of them; dict
    keys name the outputs. ``params``: a dict of name -> tensor or an nn.Module
    whose named_parameters() name the leaves. ``names``: a dict of name ->
    tensor for any tensor; when None, names come from the caller's variables
    (pass ``names={}`` to turn that off). ``max_values``: tensors with at most
    this many elements show their values, larger ones their shape and norm.
    """
    namespace = caller_namespace() if names is None else []
    graph, _ = _trace(outputs, params, names, namespace, max_values)
    return graph


def trace_with_index(outputs, *, params=None, names=None, max_values: int = MAX_VALUES):
    """Like trace, and also ``{Function object: node id}`` for every op and AccumulateGrad reached.

    A recorder uses the index to put what the engine did onto the traced graph.
    """
    namespace = caller_namespace() if names is None else []
    return _trace(outputs, params, names, namespace, max_values)


def _trace(outputs, params, names, namespace, max_values):
    roots = _output_list(outputs)
    found_names = build_names(params, names, namespace)
    builder = _GraphBuilder(found_names, max_values, describe.engine_of(roots[0][1]))
    for name, tensor in roots:
        builder.add_output(name, tensor)
    builder.link_saved_aliases()
    if builder.max_depth >= DEEP_GRAPH_WARNING_DEPTH:
        warnings.warn(
            f"this autograd graph is {builder.max_depth:,} Functions deep. Once Python has walked a "
            "graph this deep, freeing it can overflow the C stack and kill the process (pytorch "
            "issue #5534). Run the code that builds, traces and frees it in a thread with a large "
            "stack: graphtrace.run_with_large_stack(fn) (the `graphtrace render` command does this).",
            DeepGraphWarning,
            stacklevel=3,
        )
    return builder.graph, builder.function_ids


def _output_list(outputs):
    """[(name or None, tensor)] from a tensor, a sequence or a dict; clear errors otherwise."""
    if isinstance(outputs, dict):
        pairs = [(str(k), v) for k, v in outputs.items()]
    elif isinstance(outputs, (list, tuple)):
        pairs = [(None, v) for v in outputs]
    else:
        pairs = [(None, outputs)]
    if not pairs:
        raise NotATensorError("nothing to trace: the collection of outputs is empty; pass the tensor(s) to draw")
    for name, value in pairs:
        where = f" (output {name!r})" if name else ""
        if not describe.is_tensor_like(value):
            raise NotATensorError(
                f"graphtrace.trace needs a torch.Tensor or graphtrace.scalar.Value{where}, "
                f"got {type(value).__name__}. Pass the tensor your computation produced, "
                "e.g. graphtrace.trace(loss), or a tuple/list/dict of tensors."
            )
        if value.grad_fn is None and not value.requires_grad:
            raise NoGradFnError(
                f"this tensor{where} has no grad_fn and requires_grad=False, so autograd recorded no "
                "graph for it. It was computed from inputs that do not require grad, inside "
                "torch.no_grad()/inference_mode, or after .detach(). Create the inputs with "
                "requires_grad=True (or call x.requires_grad_()) and compute it outside no_grad."
            )
    engines = {describe.engine_of(v) for _, v in pairs}
    if len(engines) > 1:
        raise NotATensorError("cannot trace torch tensors and scalar Values into one graph; trace them apart")
    return pairs


class _GraphBuilder:
    """Adds nodes in visit order; holds the objects it saw only while tracing."""

    def __init__(self, names, max_values, engine):
        self.graph = Graph(outputs=[], engine=engine)
        self.names = names
        self.max_values = max_values
        self.function_ids = {}
        self.max_depth = 0
        self._tensor_ids = {}  # id(tensor) -> node id; tensors kept alive in _keep
        self._keep = []
        self._saved = []  # (node id, live saved tensor) waiting for alias links
        self._named_by_function = {}
        for name, obj in names.items():
            if obj.grad_fn is not None:
                self._named_by_function.setdefault(obj.grad_fn, []).append(obj)

    def _new_id(self) -> str:
        return f"n{self.graph.number_of_nodes()}"

    # -- tensors -------------------------------------------------------------
    def tensor_node(self, tensor, role: str, name=None) -> str:
        """The node for this tensor object, created on first sight."""
        existing = self._tensor_ids.get(id(tensor))
        if existing is not None:
            if name and not self.graph.nodes[existing]["name"]:
                self.graph.nodes[existing]["name"] = self.graph.nodes[existing]["label"] = name
            return existing
        node = self._add_tensor(tensor, role, name)
        self._add_view_base(tensor, node)
        return node

    def _add_tensor(self, tensor, role: str, name=None) -> str:
        node = self._new_id()
        name = name or self.names.get(tensor)
        self.graph.add_node(
            node, kind="tensor", label=name or "", name=name, role=role,
            **describe.tensor_attributes(tensor, self.max_values),
        )
        self._tensor_ids[id(tensor)] = node
        self._keep.append(tensor)
        return node

    def _add_view_base(self, tensor, node):
        # One hop only: torch's _base is already the root base, and a tensor
        # subclass whose _base never ends must not make us loop.
        base = getattr(tensor, "_base", None)
        if base is None or not describe.is_tensor_like(base) or base is tensor:
            return
        base_node = self._tensor_ids.get(id(base))
        if base_node is None:
            base_node = self._add_tensor(base, "leaf" if base.is_leaf and base.requires_grad else "base")
        self.graph.add_edge(base_node, node, kind="base")

    def add_output(self, name, tensor):
        role = "output" if tensor.grad_fn is not None else "leaf"
        node = self.tensor_node(tensor, role, name)
        self.graph.graph["outputs"].append(node)
        if tensor.grad_fn is not None:
            function_node = self.walk(tensor.grad_fn)
            self._add_edge(function_node, node, kind="grad_fn", output_nr=_output_nr(tensor))

    # -- functions -------------------------------------------------------------
    def walk(self, root) -> str:
        """Visit every Function reachable from root, depth first, slot 0 first; return root's id."""
        pending_edges = []
        stack = [(root, 0)]
        while stack:
            function, depth = stack.pop()
            if function in self.function_ids:
                continue
            self.max_depth = max(self.max_depth, depth)
            self._add_function(function)
            inputs = [(slot, child, nr) for slot, (child, nr) in enumerate(function.next_functions) if child is not None]
            pending_edges.extend((child, function, slot, nr) for slot, child, nr in inputs)
            # Pushed last-slot first, so slot 0 is visited first.
            stack.extend((child, depth + 1) for _, child, _ in reversed(inputs))
        # Edges are added once every node has its id, in the consumers' visit order.
        for child, function, slot, output_nr in pending_edges:
            source, target = self.function_ids[child], self.function_ids[function]
            if self.graph.has_edge(source, target):
                self.graph.edges[source, target]["slots"].append(slot)
            else:
                self.graph.add_edge(source, target, kind="next", slots=[slot], output_nr=output_nr)
        return self.function_ids[root]

    def _add_function(self, function):
        node = self._new_id()
        self.function_ids[function] = node
        name = function.name()
        if hasattr(function, "variable"):
            self.graph.add_node(node, kind="accumulate", label="AccumulateGrad", name="AccumulateGrad")
            leaf = self.tensor_node(function.variable, "leaf")
            self._add_edge(leaf, node, kind="variable")
            return
        attrs, saved = _saved_values(function)
        self.graph.add_node(node, kind="op", label=name, name=name, attrs=attrs)
        for saved_name, value, unreadable in saved:
            saved_node = self._new_id()
            self.graph.add_node(saved_node, kind="saved", label=saved_name, name=saved_name,
                                **describe.saved_attributes(value, self.max_values))
            self.graph.nodes[saved_node]["freed"] = unreadable == "freed"
            self.graph.nodes[saved_node]["modified"] = unreadable == "modified"
            self.graph.add_edge(saved_node, node, kind="saved")
            if value is not None:
                self._saved.append((saved_node, value))
        for tensor in self._named_by_function.get(function, ()):
            tensor_node = self.tensor_node(tensor, "intermediate")
            self._add_edge(node, tensor_node, kind="grad_fn", output_nr=_output_nr(tensor))

    def _add_edge(self, source, target, **attrs):
        if not self.graph.has_edge(source, target):
            self.graph.add_edge(source, target, **attrs)

    def link_saved_aliases(self):
        """Link each saved tensor to the visible tensor it is, if any (never merge them)."""
        visible = {}
        for obj in self._keep:
            visible.setdefault(describe.alias_key(obj), self._tensor_ids[id(obj)])
        for saved_node, value in self._saved:
            target = self._tensor_ids.get(id(value)) or visible.get(describe.alias_key(value))
            if target is not None:
                self.graph.add_edge(saved_node, target, kind="alias")
        self._saved.clear()


def _output_nr(tensor) -> int:
    """Which output of its grad_fn a tensor is (multi-output ops such as unbind have several)."""
    return getattr(tensor, "output_nr", 0)


def _saved_values(function):
    """(non-tensor attrs, [(name, tensor or None, why unreadable)]) saved on a backward Function.

    "Why unreadable" is None for a live tensor, "freed" once backward released it,
    "modified" when an in-place op changed it after it was saved.
    """
    attrs, saved = {}, []
    for attribute in _saved_attribute_names(type(function)):
        name = attribute[len("_saved_"):]
        try:
            value = getattr(function, attribute)
        except RuntimeError as error:
            # Only saved tensors raise; record that one existed, and why it cannot be read.
            saved.append((name, None, _unreadable_reason(error)))
            continue
        if describe.is_tensor_like(value):
            saved.append((name, value, None))
        elif isinstance(value, (list, tuple)) and value and all(describe.is_tensor_like(v) for v in value):
            saved.extend((f"{name}[{i}]", v, None) for i, v in enumerate(value))
        else:
            attrs[name] = _jsonable(value)
    saved.extend(_custom_function_saved(function))
    for key, value in sorted(getattr(function, "__dict__", {}).items()):
        # A custom Function's ctx attributes (ctx.k = 3) live on the node itself.
        if not key.startswith("_") and not callable(value):
            attrs[key] = _jsonable(value)
    return attrs, saved


@functools.lru_cache(maxsize=None)
def _saved_attribute_names(function_type) -> tuple:
    """The ``_saved_*`` attribute names of a Function class (dir() is slow, and fixed per class)."""
    return tuple(sorted(a for a in dir(function_type) if a.startswith("_saved_")))


@functools.lru_cache(maxsize=None)
def _is_custom_function(function_type) -> bool:
    """True for the backward node of a custom torch.autograd.Function (it has ctx.saved_tensors)."""
    return "saved_tensors" in dir(function_type)


def _custom_function_saved(function):
    """Tensors a custom torch.autograd.Function saved with ctx.save_for_backward (None included)."""
    # Look on the class: reading the attribute itself raises once the graph is freed.
    if not _is_custom_function(type(function)):
        return []
    try:
        values = function.saved_tensors
    except RuntimeError as error:
        reason = _unreadable_reason(error)
        try:
            count = len(function._raw_saved_tensors)
        except RuntimeError:
            # After backward torch no longer says how many there were.
            return [("saved_tensors", None, reason)]
        return [(f"saved_tensors[{i}]", None, reason) for i in range(count)]
    return [(f"saved_tensors[{i}]", value, None) for i, value in enumerate(values)]


def _unreadable_reason(error: RuntimeError) -> str:
    """"modified" for torch's (and the scalar engine's) in-place version error, else "freed"."""
    return "modified" if "modified by an inplace operation" in str(error) else "freed"


def _jsonable(value):
    """A JSON-able form of a saved attribute (ints, floats, lists, strings)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    try:
        return int(value)  # SymInt and friends
    except (TypeError, ValueError):
        return str(value)
