"""Record a real backward pass: which Function the engine ran when, and the gradients it received and passed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from .errors import GraphtraceError
from .summary import MAX_VALUES, safe_summarize
from .tracing import describe
from .tracing.naming import build_names, caller_namespace
from .tracing.walk import _trace

__all__ = ["record", "recording", "Recorder", "Recording", "Step", "GradWrite", "RecordError"]


class RecordError(GraphtraceError, RuntimeError):
    """The backward pass cannot be recorded; the message is torch's own, plus what to do."""


@dataclass(frozen=True)
class GradWrite:
    """One ``.grad`` written during a step: a leaf by AccumulateGrad, or a tensor that retains grad."""

    tensor: str  # node id of the tensor node in Recording.graph
    name: "str | None"
    before: "dict | None"  # summary of .grad before this step (None: .grad was None)
    after: "dict | None"


@dataclass(frozen=True)
class Step:
    """One Function the engine executed, in execution order."""

    index: int
    node: str  # node id in Recording.graph
    name: str  # "MulBackward0", "AccumulateGrad"
    grad_outputs: tuple  # summaries of the gradients the Function received (one per output)
    grad_inputs: tuple  # summaries of the gradients it passed, one per next_functions slot
    next: tuple  # node id (or None) that each grad_inputs slot was passed to
    writes: tuple  # GradWrite for each .grad written in this step


@dataclass(frozen=True)
class Recording:
    """A traced graph (taken before backward) plus the steps the engine executed on it."""

    graph: object  # graphtrace.graph.Graph
    steps: tuple
    freed: tuple  # node ids of saved tensors that backward released
    retain_graph: "bool | None"  # None: not known (a context manager could not tell)

    @property
    def order(self) -> list:
        """Node ids in the order the engine executed them."""
        return [step.node for step in self.steps]

    @property
    def names(self) -> list:
        """Function names in execution order."""
        return [step.name for step in self.steps]

    def __len__(self) -> int:
        return len(self.steps)

    def grads(self) -> dict:
        """{tensor node id: summary of its .grad after backward} for every .grad written."""
        final = {}
        for step in self.steps:
            for write in step.writes:
                final[write.tensor] = write.after
        return final

    def animate(self, **style):
        """An Animation of this recording (see graphtrace.animate)."""
        from .render.animate import animate

        return animate(self, **style)

    def _repr_html_(self):
        return self.animate()._repr_html_()


class _Building:
    """A step while the engine is inside it; frozen into a Step when recording ends."""

    __slots__ = ("node", "name", "grad_outputs", "grad_inputs", "writes")

    def __init__(self, node, name, grad_outputs):
        self.node, self.name, self.grad_outputs = node, name, grad_outputs
        self.grad_inputs = None
        self.writes = []


def _summary(grad, max_values):
    """A summary of a gradient given to a hook; no reference to the tensor is kept.

    Runs inside the user's backward pass, so it never raises: a gradient that
    gives no numbers (a fake or nested tensor, an odd subclass) is shown as None.
    """
    if grad is None:
        return None
    if describe.engine_of(grad) != "torch":
        try:
            # The scalar engine may hand Values to hooks; their number is .data.
            grad = float(grad.data if hasattr(grad, "data") and not isinstance(grad, (int, float)) else grad)
        except (TypeError, ValueError):
            return None
    return safe_summarize(grad, max_values)


def _read_grad(tensor, max_values):
    grad = tensor.grad
    return None if grad is None else _summary(grad, max_values)


def _as_list(outputs):
    if isinstance(outputs, (list, tuple)):
        return list(outputs)
    return [outputs]


class Recorder:
    """Context manager: hooks every Function of the graph behind ``outputs`` while the body runs backward.

    ``with Recorder(loss) as recorder: loss.backward()`` then ``recorder.recording``.
    The graph is traced on entry, before backward frees saved tensors. Every hook
    is removed on exit, whatever happens; the hooks return None, so no gradient
    changes.
    """

    def __init__(self, outputs, *, params=None, names=None, max_values: int = MAX_VALUES, _namespace=None,
                 _checked=False):
        self._outputs = _as_list(outputs)
        if not _checked:  # record() has already checked them
            for output in self._outputs:
                _check_output(output)
        namespace = _namespace if _namespace is not None else (caller_namespace() if names is None else [])
        # Names are found once, as graphtrace.trace finds them; the tracer gets the
        # resolved (name, tensor) pairs, so two tensors sharing a name (a local and
        # a global `loss`) keep apart exactly as they do in trace.
        found = build_names(params, names, namespace)
        traced = self._outputs[0] if len(self._outputs) == 1 else self._outputs
        self.graph, index = _trace(traced, None, None, list(found.items()), max_values)
        _check_not_freed(self.graph, index)
        self._max_values = max_values
        self._index = index
        self._functions = {node: function for function, node in index.items()}
        self._retained = _retained_tensors(self.graph, self._outputs, found, index)
        self._handles = []
        self._building = []
        self.recording = None
        self.retain_graph = None  # record() sets it; a context manager infers it where it can (_infer_retain_graph)

    # -- hooks (each returns None: the engine keeps its own gradients) --------
    def _on_prehook(self, node, grad_outputs):
        step = _Building(node, self.graph.nodes[node]["name"], tuple(_summary(g, self._max_values) for g in grad_outputs))
        self._building.append(step)
        function = self._functions[node]
        if self.graph.nodes[node]["kind"] == "accumulate":
            leaf_node = self._leaf_of[node]
            before = _read_grad(function.variable, self._max_values)
            step.writes.append([leaf_node, before, before])
        for tensor_node, tensor, before in self._retained_by_function.get(node, ()):
            # Node pre-hooks run after the engine's retain_grad hooks, so .grad is already written.
            step.writes.append([tensor_node, before, _read_grad(tensor, self._max_values)])

    def _on_hook(self, node, grad_inputs, grad_outputs):
        step = self._current(node)
        if step is not None:
            step.grad_inputs = tuple(_summary(g, self._max_values) for g in grad_inputs)

    def _on_accumulated(self, node, leaf):
        step = self._current(node)
        if step is not None and step.writes:
            step.writes[0][2] = _read_grad(leaf, self._max_values)

    def _current(self, node):
        # The engine finishes a Function before it starts another on this thread,
        # but search back anyway so a re-entrant backward cannot mislabel a step.
        for step in reversed(self._building):
            if step.node == node:
                return step
        return None

    # -- context manager ----------------------------------------------------
    def __enter__(self):
        self._leaf_of = {}
        self._retained_by_function = {}
        for tensor_node, tensor in self._retained:
            function_node = self._index[tensor.grad_fn]
            before = _read_grad(tensor, self._max_values)
            self._retained_by_function.setdefault(function_node, []).append((tensor_node, tensor, before))
        try:
            for node, function in self._functions.items():
                self._handles.append(function.register_prehook(partial(self._on_prehook, node)))
                self._handles.append(function.register_hook(partial(self._on_hook, node)))
                if self.graph.nodes[node]["kind"] == "accumulate":
                    self._leaf_of[node] = _leaf_node(self.graph, node)
                    self._handles.append(function.variable.register_post_accumulate_grad_hook(partial(self._on_accumulated, node)))
        except BaseException:
            self._remove_hooks()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        self._remove_hooks()
        freed = _probe_freed(self.graph, self._functions)
        steps = tuple(self._freeze(i, s) for i, s in enumerate(self._building))
        retain_graph = self.retain_graph
        if retain_graph is None:
            retain_graph = _infer_retain_graph(self.graph, steps, freed)
        self.recording = Recording(graph=self.graph, steps=steps, freed=freed, retain_graph=retain_graph)
        # Drop every engine object so saved tensors and gradients can be freed.
        self._functions = self._index = self._retained = self._retained_by_function = None
        self._outputs = None
        return False

    def _remove_hooks(self):
        handles, self._handles = self._handles, []
        for handle in handles:
            handle.remove()

    def _freeze(self, index, step):
        function_node = step.node
        next_ids = tuple(
            None if child is None else self._index.get(child)
            for child, _ in self._functions[function_node].next_functions
        )
        grad_inputs = step.grad_inputs if step.grad_inputs is not None else tuple(None for _ in next_ids)
        writes = tuple(
            GradWrite(tensor=t, name=self.graph.nodes[t].get("name"), before=b, after=a) for t, b, a in step.writes
        )
        return Step(index=index, node=function_node, name=step.name, grad_outputs=step.grad_outputs,
                    grad_inputs=grad_inputs, next=next_ids, writes=writes)


def record(output, gradient=None, retain_graph: bool = False, inputs=None, *, params=None, names=None,
           max_values: int = MAX_VALUES) -> Recording:
    """Run ``output``'s backward pass with a hook on every Function and return what the engine did.

    ``gradient``, ``retain_graph`` and ``inputs`` mean what they mean for
    torch.autograd.backward. ``params`` / ``names`` name tensors as in
    graphtrace.trace (by default, from the caller's variables). Gradients are
    kept as summaries (values when at most ``max_values`` elements, shape and
    norm otherwise). ``.grad`` ends up exactly as a plain backward leaves it.
    """
    outputs = _as_list(output)
    for item in outputs:
        _check_output(item)
    _check_gradient(outputs, gradient)
    _check_scalar_backward(outputs, inputs)
    namespace = caller_namespace() if names is None else []
    recorder = Recorder(output, params=params, names=names, max_values=max_values, _namespace=namespace,
                        _checked=True)
    recorder.retain_graph = bool(retain_graph)
    with recorder:
        _run_backward(outputs, gradient, retain_graph, inputs)
    return recorder.recording


def recording(outputs, *, params=None, names=None, max_values: int = MAX_VALUES) -> Recorder:
    """``with graphtrace.recording(loss) as r: loss.backward()``; then ``r.recording``."""
    namespace = caller_namespace() if names is None else []
    return Recorder(outputs, params=params, names=names, max_values=max_values, _namespace=namespace)


def _run_backward(outputs, gradient, retain_graph, inputs):
    if describe.engine_of(outputs[0]) == "torch":
        import torch

        torch.autograd.backward(outputs, grad_tensors=gradient, retain_graph=retain_graph, inputs=inputs)
        return
    # _check_scalar_backward let through one output and no inputs=: the scalar
    # engine's backward has one root and no inputs argument.
    (item,) = outputs
    grad = gradient[0] if isinstance(gradient, (list, tuple)) and len(gradient) == 1 else gradient
    if grad is None:
        item.backward(retain_graph=retain_graph)
    else:
        item.backward(gradient=grad, retain_graph=retain_graph)


# -- checks made before anything runs (torch's own words, then what to do) ----

def _torch_message(output, gradient=None):
    """The message torch's backward gives for this output; only called where torch raises before running."""
    try:
        if describe.engine_of(output) == "torch":
            import torch

            torch.autograd.backward([output], grad_tensors=gradient)
        else:
            output.backward()
    except RuntimeError as error:
        return str(error)
    return None


def _check_output(output):
    if not describe.is_tensor_like(output):
        from .errors import NotATensorError

        raise NotATensorError(
            f"graphtrace.record needs a torch.Tensor or graphtrace.scalar.Value, got {type(output).__name__}; "
            "pass the loss (the tensor you would call .backward() on)"
        )
    if not output.requires_grad:
        message = _torch_message(output) or "element 0 of tensors does not require grad and does not have a grad_fn"
        raise RecordError(
            f"{message}. To record a backward pass, compute the output from tensors created with "
            "requires_grad=True (or call x.requires_grad_() on the inputs), outside torch.no_grad() and "
            "without .detach()."
        )


def _check_gradient(outputs, gradient):
    if gradient is not None:
        return
    for output in outputs:
        if describe.engine_of(output) == "torch" and output.numel() != 1:
            message = _torch_message(output) or "grad can be implicitly created only for scalar outputs"
            raise RecordError(
                f"{message}. This output has shape {tuple(output.shape)}: reduce it to a scalar first "
                "(e.g. graphtrace.record(y.sum())) or pass gradient=torch.ones_like(y)."
            )


def _check_scalar_backward(outputs, inputs):
    """The scalar engine's backward takes one root and no inputs=; say so before anything runs."""
    if describe.engine_of(outputs[0]) == "torch":
        return
    if len(outputs) > 1:
        raise RecordError(
            f"graphtrace.record got {len(outputs)} scalar-engine Values, but the scalar engine's backward "
            "starts from one Value (it has no torch.autograd.backward over several outputs). Sum them into "
            "one Value first: record(m1 + m2), which gives every leaf the same .grad as backward on each."
        )
    if inputs is not None:
        raise RecordError(
            "graphtrace.record got inputs= for a scalar-engine Value, but the scalar engine's backward has "
            "no inputs argument: it writes .grad into every leaf. Leave inputs out (and read the .grad "
            "you want), or use torch tensors if you need inputs=."
        )


def _check_not_freed(graph, index):
    """Raise, before anything runs, if a saved tensor was freed or changed in place: backward would fail."""
    functions = {node: function for function, node in index.items()}
    saved = [(node, data) for node, data in graph.nodes(data=True) if data["kind"] == "saved"]
    for node, data in saved:
        if data.get("freed"):
            op = _saving_op(graph, node)
            message = _saved_error(functions[op], data["name"]) or "Trying to backward through the graph a second time"
            raise RecordError(
                f"{message}\nThis graph was already freed by an earlier backward() (saved tensor "
                f"{data['name']!r} of {graph.nodes[op]['name']} is gone). Recompute the output (run the "
                "forward pass again) and record that, or pass retain_graph=True to the earlier backward()."
            )
    for node, data in saved:
        if data.get("modified"):
            op = _saving_op(graph, node)
            message = _saved_error(functions[op], data["name"]) or (
                "one of the variables needed for gradient computation has been modified by an inplace operation"
            )
            raise RecordError(
                f"{message}\nThe tensor that {graph.nodes[op]['name']} saved as {data['name']!r} was changed in "
                "place after it was saved, so backward cannot use it. Run the forward pass again after the "
                "in-place change, or do the in-place op on a clone() (y = x.clone(); y.add_(1)) so the "
                "saved tensor stays as it was."
            )


def _saving_op(graph, saved_node):
    return next(target for _, target, kind in graph.out_edges(saved_node, data="kind") if kind == "saved")


def _saved_error(function, name):
    """torch's RuntimeError text when reading this saved tensor, or None if it is readable."""
    try:
        if name.startswith("saved_tensors"):
            # A custom Function's ctx.save_for_backward tensors: "saved_tensors[i]", or
            # "saved_tensors" once torch no longer says how many there were.
            function.saved_tensors
        else:
            getattr(function, "_saved_" + name.split("[", 1)[0])
    except RuntimeError as error:
        return str(error)
    return None


def _probe_freed(graph, functions) -> tuple:
    """Ids of the saved-tensor nodes whose tensor backward has released (probed, not guessed)."""
    freed = []
    for node, data in graph.nodes(data=True):
        if data["kind"] != "saved" or data.get("freed") or data.get("shape") is None:
            continue
        if _saved_error(functions[_saving_op(graph, node)], data["name"]) is not None:
            freed.append(node)
    return tuple(freed)


def _infer_retain_graph(graph, steps, freed):
    """What a context manager can tell of the user's retain_graph: False, True, or None (not known).

    Backward without retain_graph frees a Function's saved tensors as soon as it
    has run it. So anything freed means False; a Function that ran and still
    holds its saved tensors means True; with nothing saved (or nothing that
    saved anything run) there is no telling.
    """
    if freed:
        return False
    ran = {step.node for step in steps}
    for node, data in graph.nodes(data=True):
        if data["kind"] == "saved" and data.get("shape") is not None and _saving_op(graph, node) in ran:
            return True
    return None


def _leaf_node(graph, accumulate_node):
    for source, _, kind in graph.in_edges(accumulate_node, data="kind"):
        if kind == "variable":
            return source
    raise GraphtraceError(f"AccumulateGrad node {accumulate_node} has no leaf in the traced graph")


def _retained_tensors(graph, outputs, found_names, index):
    """[(tensor node id, tensor)] for the non-leaf tensors in the graph that retain grad."""
    result = []
    seen = set()
    candidates = list(zip(graph.graph["outputs"], outputs))
    # A named intermediate is the tensor node its grad_fn produced under its name:
    # matched by object, never by name alone (two tensors may share a name).
    produced = {}
    for source, target, data in graph.edges(data=True):
        if data["kind"] == "grad_fn" and graph.nodes[target].get("role") == "intermediate":
            produced[(source, data.get("output_nr", 0), graph.nodes[target].get("name"))] = target
    for name, obj in found_names.items():
        grad_fn = getattr(obj, "grad_fn", None)
        if grad_fn is None or grad_fn not in index:
            continue
        node = produced.get((index[grad_fn], getattr(obj, "output_nr", 0), name))
        if node is not None:
            candidates.append((node, obj))
    for node, tensor in candidates:
        if node in seen or tensor.is_leaf or not tensor.retains_grad or tensor.grad_fn not in index:
            continue
        seen.add(node)
        result.append((node, tensor))
    return result
