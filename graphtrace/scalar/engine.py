"""A scalar autograd engine that mirrors torch.autograd for 0-d float64 tensors."""

import functools
import heapq
import itertools
import math
import numbers
import warnings
import weakref

__all__ = [
    "Value", "Node", "AccumulateGrad", "RemovableHandle",
    "no_grad", "enable_grad", "is_grad_enabled",
    "exp", "log", "tanh", "sigmoid", "relu",
]

# ---------------------------------------------------------------------------
# Torch's own words, so that errors read the same in both engines.

_FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved "
    "tensors after they have already been freed). Saved intermediate values of the "
    "graph are freed when you call .backward() or autograd.grad(). Specify "
    "retain_graph=True if you need to backward through the graph a second time or "
    "if you need to access saved tensors after calling backward.")
_NO_GRAD_FN_MSG = "element 0 of tensors does not require grad and does not have a grad_fn"
_NONLEAF_RG_MSG = (
    "you can only change requires_grad flags of leaf variables. If you want to use a "
    "computed variable in a subgraph that doesn't require differentiation use "
    "var_no_grad = var.detach().")
_LEAF_INPLACE_MSG = "a leaf Variable that requires grad is being used in an in-place operation."
_NO_HOOK_MSG = "cannot register a hook on a tensor that doesn't require gradient"
_NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
    ".grad attribute won't be populated during autograd.backward(). If you indeed want "
    "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
    "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access "
    "the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more "
    "information.")


def _version_error(version, expected, fn):
    # torch: "[torch.DoubleTensor []], which is output 0 of Mul, is at version 1; ..."
    which = ""
    if fn is not None:
        name = fn.name()
        which = ", which is output 0 of %s," % name[:name.rfind("Backward")]
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        "inplace operation: [graphtrace.scalar.Value []]%s is at version %d; expected "
        "version %d instead. Hint: the value was changed in place (e.g. `w -= lr * w.grad` "
        "under no_grad) after this graph was built; run the forward pass again after "
        "updating it." % (which, version, expected))


# ---------------------------------------------------------------------------
# Grad mode. torch keeps it per thread; one flag is enough for a teaching engine.

_grad_mode = True


def is_grad_enabled():
    """torch.is_grad_enabled: whether new operations record a graph."""
    return _grad_mode


class no_grad:
    """torch.no_grad: a context manager and decorator under which operations record no graph."""

    __slots__ = ("_prev",)
    _mode = False

    def __new__(cls, func=None):
        # Like torch, `@no_grad` works without parentheses as well as `@no_grad()`.
        self = super().__new__(cls)
        return self if func is None else self(func)

    def __enter__(self):
        global _grad_mode
        self._prev, _grad_mode = _grad_mode, self._mode

    def __exit__(self, *exc_info):
        global _grad_mode
        _grad_mode = self._prev

    def __call__(self, func):
        mode = type(self)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with mode():
                return func(*args, **kwargs)
        return wrapper


class enable_grad(no_grad):
    """torch.enable_grad: turn graph recording back on inside a no_grad block."""

    __slots__ = ()
    _mode = True


# ---------------------------------------------------------------------------
# Float arithmetic with IEEE results (inf/nan) where Python's math would raise,
# because torch's C++ kernels never raise on these inputs.

def _div(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _odd_integer(y):
    return math.isfinite(y) and y == int(y) and int(y) % 2 == 1


def _pow(a, b):
    """C's pow (what torch calls for tensor exponents): IEEE results instead of exceptions."""
    try:
        return math.pow(a, b)
    except OverflowError:
        return -math.inf if a < 0 and _odd_integer(b) else math.inf
    except ValueError:
        if a == 0:  # 0 ** negative is a pole; its sign follows an odd exponent
            return math.copysign(math.inf, a) if _odd_integer(b) else math.inf
        return math.nan  # negative base, fractional exponent


def _pow_scalar(a, e):
    """torch's pow(tensor, python_number): special-cased exponents are computed exactly as torch does."""
    if e == 2:
        return a * a
    if e == 0:
        return 1.0
    if e == 1:
        return a
    if e == 3:
        return a * a * a
    if e == 0.5:
        return _sqrt(a)
    if e == -0.5:
        return _div(1.0, _sqrt(a))
    if e == -1:
        return _div(1.0, a)
    if e == -2:
        return _div(1.0, a * a)
    return _pow(a, e)


def _sqrt(a):
    return math.sqrt(a) if a >= 0 else math.nan  # sqrt(-0.0) is -0.0, as in C


def _exp(a):
    try:
        return math.exp(a)
    except OverflowError:
        return math.inf


def _log(a):
    if a > 0:
        return math.log(a)
    return -math.inf if a == 0 else math.nan


def _sigmoid(a):
    # torch's kernel: 1 / (1 + exp(-x)); exp overflowing to inf gives exactly 0.
    return 1.0 / (1.0 + _exp(-a))


# ---------------------------------------------------------------------------
# Hook handles.

class RemovableHandle:
    """torch.utils.hooks.RemovableHandle: `handle.remove()` unregisters the hook."""

    __slots__ = ("_hooks", "id")
    _next_id = itertools.count()

    def __init__(self, hooks, hook):
        self._hooks = hooks
        self.id = next(RemovableHandle._next_id)
        hooks[self.id] = hook

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()


# ---------------------------------------------------------------------------
# The graph: Nodes (torch's grad_fn objects) and the edges between them.

_sequence = itertools.count()   # torch numbers every Node it creates; higher runs first
_MAX_SEQUENCE_NR = 2 ** 64 - 1  # torch gives AccumulateGrad UINT64_MAX so it runs as soon as ready
_FREED = object()               # what a saved slot holds once backward has released it


def _edge(v):
    """The Node a gradient for `v` flows into (torch's gradient_edge), or None for a constant."""
    if not isinstance(v, Value) or not v._rg:
        return None
    fn = v.grad_fn
    return fn if fn is not None else _accumulator(v)


def _accumulator(v):
    # torch keeps a weak pointer from a leaf to its AccumulateGrad: reused while a graph
    # holds it, rebuilt once every graph that used it is gone.
    acc = v._acc() if v._acc is not None else None
    if acc is None:
        acc = AccumulateGrad(v)
        v._acc = weakref.ref(acc)
    return acc


def _save(v):
    """torch's SavedVariable: the value plus its version now, so later in-place edits are caught."""
    if isinstance(v, Value):
        return (v, v._version)
    return (v, None)  # a Python number (torch saves it as a wrapped-number tensor)


def _saved_tensor(slot):
    """Property for grad_fn._saved_<name>: the saved Value, None if never saved, error once freed."""
    def get(self):
        saved = getattr(self, slot)
        if saved is None:
            return None
        if saved is _FREED:
            raise RuntimeError(_FREED_MSG)
        value, version = saved
        if version is None:
            return Value(value)
        if value._version != version:
            raise _version_error(value._version, version, value.grad_fn)
        return value
    return property(get)


def _saved_result(self):
    """grad_fn._saved_result: like torch, a new Value holding the output, whose grad_fn is this node."""
    out = Value(self._unpack_result())
    out.grad_fn, out._rg = self, True
    return out


class Node:
    """torch.autograd.graph.Node: one backward function in the graph (a tensor's grad_fn).

    `_next` holds the Nodes the gradients flow on to (None for a constant input);
    `next_functions` shows it as torch does. Rarely used state (hooks, metadata)
    lives in the instance __dict__ so that an ordinary node costs two slot writes.
    """

    __slots__ = ("_next", "_seq", "__dict__")
    _FREEABLE = ()            # slots holding saved values that backward frees
    _pre_hooks = None         # Node.register_prehook: fn(grad_outputs)
    _hooks = None             # Node.register_hook: fn(grad_inputs, grad_outputs)
    _tensor_pre_hooks = None  # Value.register_hook on the output: tuple of hook dicts
    _retain = None            # weakref to the output Value that called retain_grad()
    _metadata = None
    _out_version = 0          # bumped when the output Value is changed in place

    def name(self):
        return type(self).__name__

    @property
    def next_functions(self):
        return tuple((fn, 0) for fn in self._next)

    @property
    def metadata(self):
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def _sequence_nr(self):
        return self._seq

    def register_prehook(self, fn):
        """fn(grad_outputs) -> tuple | None runs before this node; a tuple replaces grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        return RemovableHandle(self._pre_hooks, fn)

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) -> tuple | None runs after; a tuple replaces grad_inputs."""
        if self._hooks is None:
            self._hooks = {}
        return RemovableHandle(self._hooks, fn)

    def _release(self):
        # torch frees saved tensors once a node has run, unless retain_graph=True.
        for slot in self._FREEABLE:
            if getattr(self, slot) is not None:
                setattr(self, slot, _FREED)

    def _unpack(self, saved):
        """The float a saved value holds, checked like torch's SavedVariable::unpack."""
        if saved is _FREED:
            raise RuntimeError(_FREED_MSG)
        value, version = saved
        if version is None:
            return value
        if value._version != version:
            raise _version_error(value._version, version, value.grad_fn)
        return value._data

    def _unpack_result(self):
        result = self._result
        if result is _FREED:
            raise RuntimeError(_FREED_MSG)
        if self._out_version:
            raise _version_error(self._out_version, 0, self)
        return result

    def __lt__(self, other):
        # Only reached when two ready nodes share a sequence number (AccumulateGrads):
        # "not less" keeps heapq's tie order equal to C++ std::priority_queue's, as in torch.
        return False

    def __repr__(self):
        return "<%s object at %#x>" % (type(self).__name__, id(self))


class AccumulateGrad(Node):
    """torch's AccumulateGrad: the node that adds a leaf's gradient into `leaf.grad`."""

    __slots__ = ("variable", "__weakref__")

    def __init__(self, variable):
        self._next = ()
        self._seq = _MAX_SEQUENCE_NR
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"

    @property
    def _tensor_pre_hooks(self):
        # torch keeps a leaf's tensor hooks on the leaf and runs them as this node's pre-hooks.
        hooks = self.variable._hooks
        return None if hooks is None else (hooks,)

    def apply(self, grad):
        v = self.variable
        if not v._rg:
            return ()
        if v._grad is None:
            v._grad = _new(grad)
        else:  # torch adds in place (grad += new), so .grad stays the same object
            old = v._grad
            old._data += grad
            old._version += 1
        if v._post_acc_hooks:
            for hook in list(v._post_acc_hooks.values()):
                hook(v)
        return ()


class AddBackward0(Node):
    """a + b (also b + a, a + 3): the gradient passes through unchanged to both inputs."""

    __slots__ = ()
    _saved_alpha = 1

    def __init__(self, a, b):
        self._next = (_edge(a), _edge(b))
        self._seq = next(_sequence)

    def apply(self, g):
        a, b = self._next
        return (None if a is None else g, None if b is None else g)


class SubBackward0(Node):
    """a - b: grad for a, -grad for b."""

    __slots__ = ()
    _saved_alpha = 1

    def __init__(self, a, b):
        self._next = (_edge(a), _edge(b))
        self._seq = next(_sequence)

    def apply(self, g):
        a, b = self._next
        return (None if a is None else g, None if b is None else -g)


class RsubBackward1(Node):
    """3 - a: torch's rsub(a, 3) has one input, whose gradient is -grad."""

    __slots__ = ()
    _saved_alpha = 1

    def __init__(self, a):
        self._next = (_edge(a),)
        self._seq = next(_sequence)

    def apply(self, g):
        return (-g,)


class MulBackward0(Node):
    """a * b: grad * b for a, grad * a for b. torch saves each only if the other side needs it."""

    __slots__ = ("_self", "_other")
    _FREEABLE = ("_self", "_other")
    _saved_self = _saved_tensor("_self")
    _saved_other = _saved_tensor("_other")

    def __init__(self, a, b):
        ea, eb = _edge(a), _edge(b)
        self._next = (ea, eb)
        self._seq = next(_sequence)
        self._self = None if eb is None else _save(a)
        self._other = None if ea is None else _save(b)

    def apply(self, g):
        a, b = self._next
        return (None if a is None else g * self._unpack(self._other),
                None if b is None else g * self._unpack(self._self))


class DivBackward0(Node):
    """a / b: grad / b for a, -grad * ((a / b) / b) for b (torch's exact formulas)."""

    __slots__ = ("_self", "_other")
    _FREEABLE = ("_self", "_other")
    _saved_self = _saved_tensor("_self")
    _saved_other = _saved_tensor("_other")

    def __init__(self, a, b):
        ea, eb = _edge(a), _edge(b)
        self._next = (ea, eb)
        self._seq = next(_sequence)
        self._self = None if eb is None else _save(a)
        self._other = _save(b)

    def apply(self, g):
        a, b = self._next
        other = self._unpack(self._other)
        return (None if a is None else _div(g, other),
                None if b is None else -g * _div(_div(self._unpack(self._self), other), other))


class PowBackward0(Node):
    """a ** number: grad * (e * a ** (e - 1)), and exactly 0 when e == 0 (as torch)."""

    __slots__ = ("_self", "_exponent")
    _FREEABLE = ("_self",)
    _saved_self = _saved_tensor("_self")
    _saved_exponent = property(lambda self: self._exponent)

    def __init__(self, a, exponent):
        self._next = (_edge(a),)
        self._seq = next(_sequence)
        self._self = _save(a)
        self._exponent = exponent

    def apply(self, g):
        e = self._exponent
        s = self._unpack(self._self)
        if e == 0:
            return (0.0,)
        return (g * (e * _pow_scalar(s, e - 1.0)),)


def _pow_exponent_grad(g, base, exponent, result):
    # torch's pow_backward_exponent: 0 where base == 0 and exponent >= 0, else result * log(base).
    if base == 0 and exponent >= 0:
        return g * 0.0
    return g * (result * _log(base))


class PowBackward1(Node):
    """a ** b with b a Value: both inputs get gradients; torch saves self, exponent and result."""

    __slots__ = ("_self", "_exponent", "_result")
    _FREEABLE = ("_self", "_exponent", "_result")
    _saved_self = _saved_tensor("_self")
    _saved_exponent = _saved_tensor("_exponent")
    _saved_result = property(_saved_result)

    def __init__(self, a, b, result):
        self._next = (_edge(a), _edge(b))
        self._seq = next(_sequence)
        self._self, self._exponent, self._result = _save(a), _save(b), result

    def apply(self, g):
        a, b = self._next
        s, e = self._unpack(self._self), self._unpack(self._exponent)
        result = self._unpack_result()
        ga = gb = None
        if a is not None:
            ga = 0.0 if e == 0 else g * (e * _pow(s, e - 1.0))
        if b is not None:
            gb = _pow_exponent_grad(g, s, e, result)
        return (ga, gb)


class PowBackward2(Node):
    """number ** a: grad * result * log(number); torch saves the number as `_saved_self`."""

    __slots__ = ("_base", "_exponent", "_result")
    _FREEABLE = ("_exponent", "_result")
    _saved_self = property(lambda self: self._base)
    _saved_exponent = _saved_tensor("_exponent")
    _saved_result = property(_saved_result)

    def __init__(self, base, a, result):
        self._next = (_edge(a),)
        self._seq = next(_sequence)
        self._base, self._exponent, self._result = base, _save(a), result

    def apply(self, g):
        e = self._unpack(self._exponent)
        return (_pow_exponent_grad(g, self._base, e, self._unpack_result()),)


class NegBackward0(Node):
    """-a: -grad."""

    __slots__ = ()

    def __init__(self, a, result=None):
        self._next = (_edge(a),)
        self._seq = next(_sequence)

    def apply(self, g):
        return (-g,)


class _ResultNode(Node):
    """Base for unary ops whose backward needs only their own output (torch saves `result`)."""

    __slots__ = ("_result",)
    _FREEABLE = ("_result",)
    _saved_result = property(_saved_result)

    def __init__(self, a, result):
        self._next = (_edge(a),)
        self._seq = next(_sequence)
        self._result = result


class ExpBackward0(_ResultNode):
    """exp(a): grad * result."""

    __slots__ = ()

    def apply(self, g):
        return (g * self._unpack_result(),)


class TanhBackward0(_ResultNode):
    """tanh(a): grad * (1 - result * result)."""

    __slots__ = ()

    def apply(self, g):
        r = self._unpack_result()
        return (g * (1.0 - r * r),)


class SigmoidBackward0(_ResultNode):
    """sigmoid(a): grad * (1 - result) * result."""

    __slots__ = ()

    def apply(self, g):
        r = self._unpack_result()
        return (g * (1.0 - r) * r,)


class ReluBackward0(_ResultNode):
    """relu(a): grad where result > 0, else 0 (torch's threshold_backward; nan passes grad)."""

    __slots__ = ()

    def apply(self, g):
        return (0.0 if self._unpack_result() <= 0 else g,)


class ReciprocalBackward0(_ResultNode):
    """1 / a (reached through `1 / a`): -grad * (result * result)."""

    __slots__ = ()

    def apply(self, g):
        r = self._unpack_result()
        return (-g * (r * r),)


class LogBackward0(Node):
    """log(a): grad / a."""

    __slots__ = ("_self",)
    _FREEABLE = ("_self",)
    _saved_self = _saved_tensor("_self")

    def __init__(self, a, result=None):
        self._next = (_edge(a),)
        self._seq = next(_sequence)
        self._self = _save(a)

    def apply(self, g):
        return (_div(g, self._unpack(self._self)),)


# ---------------------------------------------------------------------------
# The backward pass: torch's engine, single-threaded.

def _wrap(g):
    return None if g is None else _new(g)


def _unwrap(v, where):
    if v is None or isinstance(v, Value):
        return None if v is None else v._data
    raise TypeError("%s must return a Value or None, got %s" % (where, type(v).__name__))


def _replace(old, new, where):
    if len(new) != len(old):
        raise RuntimeError("hook '%s' has returned an incorrect number of values (got %d, but "
                           "expected %d)" % (getattr(where, "__name__", where), len(new), len(old)))
    return tuple(new)


def _call(fn, grad):
    """torch's call_function: tensor hooks, retain_grad, node pre-hooks, apply, node post-hooks."""
    tensor_hooks, retain, pre, post = fn._tensor_pre_hooks, fn._retain, fn._pre_hooks, fn._hooks
    if not (tensor_hooks or retain or pre or post):
        return fn.apply(grad) if grad is not None else (None,) * len(fn._next)
    gv = _wrap(grad)
    for hooks in tensor_hooks or ():
        for hook in list(hooks.values()):
            new = hook(gv)
            if new is not None:
                gv = _new(_unwrap(new, "a tensor hook"))
    if retain is not None:
        out = retain()
        if out is not None and gv is not None:  # torch: clone the first time, then grad + new
            out._grad = _new(gv._data if out._grad is None else out._grad._data + gv._data)
    grad_outputs = (gv,)
    for hook in list((pre or {}).values()):
        new = hook(grad_outputs)
        if new is not None:
            grad_outputs = _replace(grad_outputs, new, hook)
    grad = _unwrap(grad_outputs[0], "a node pre-hook")
    grads = fn.apply(grad) if grad is not None else (None,) * len(fn._next)
    if post:
        grad_inputs = tuple(_wrap(g) for g in grads)
        for hook in list(post.values()):
            new = hook(grad_inputs, grad_outputs)
            if new is not None:
                grad_inputs = _replace(grad_inputs, new, hook)
        grads = tuple(_unwrap(g, "a node hook") for g in grad_inputs)
    return grads


def _run_backward(root, grad, retain_graph):
    """Run every node reachable from `root` in torch's order: a node is ready once all its
    consumers have run; among ready nodes the highest sequence number (newest) goes first."""
    global _grad_mode
    # 1. How many edges point at each node (torch: compute_dependencies), with a stack.
    dependencies = {}
    stack = [root]
    while stack:
        for fn in stack.pop()._next:
            if fn is not None:
                if fn in dependencies:
                    dependencies[fn] += 1
                else:
                    dependencies[fn] = 1
                    stack.append(fn)
    # 2. Pop ready nodes from a max-heap on sequence number (torch's ReadyQueue).
    buffers = {root: grad}   # summed incoming gradient per node (torch's InputBuffer)
    ready = [(-root._seq, root)]
    previous, _grad_mode = _grad_mode, False  # hooks run without recording, as in torch
    try:
        while ready:
            fn = heapq.heappop(ready)[1]
            grads = _call(fn, buffers.pop(fn))
            if not retain_graph and fn._FREEABLE:
                fn._release()
            for nxt, g in zip(fn._next, grads):
                if nxt is None:
                    continue
                if nxt in buffers:
                    old = buffers[nxt]
                    buffers[nxt] = g if old is None else (old if g is None else old + g)
                else:
                    buffers[nxt] = g
                left = dependencies[nxt] - 1
                dependencies[nxt] = left
                if left == 0:
                    heapq.heappush(ready, (-nxt._seq, nxt))
    finally:
        _grad_mode = previous


# ---------------------------------------------------------------------------
# Value: the 0-d tensor.

_object_new = object.__new__


def _new(data):
    """A fresh constant Value (the engine's fast constructor)."""
    v = _object_new(Value)
    v._data = data
    v.grad_fn = None
    v._rg = False
    return v


def _is_number(x):
    return isinstance(x, (float, int)) or isinstance(x, numbers.Real)


def _result(data, node_type, a, b):
    """Wrap `data`; record `node_type(a, b)` when grad mode is on and an input requires grad."""
    out = _new(data)
    if _grad_mode and ((isinstance(a, Value) and a._rg) or (isinstance(b, Value) and b._rg)):
        out._rg = True
        out.grad_fn = node_type(a, b)
    return out


def _unary(data, node_type, a):
    out = _new(data)
    if _grad_mode and a._rg:
        out._rg = True
        out.grad_fn = node_type(a, data)
    return out


class Value:
    """A scalar that behaves like a 0-d float64 torch tensor under autograd.

    Mirrors torch's `data`, `grad`, `requires_grad`, `grad_fn`, `is_leaf`, `retain_grad`,
    `backward`, `detach`, hooks and the version counter that catches in-place edits.
    `data` is a Python float (as in micrograd); `grad` is None or a Value (as in torch).
    """

    __slots__ = ("_data", "grad_fn", "_rg", "__dict__", "__weakref__")
    # Rare state: class defaults, set per instance only when used.
    _version = 0            # torch's version counter: +1 per in-place change
    _grad = None
    _retains = False
    _acc = None             # weakref to this leaf's AccumulateGrad
    _hooks = None           # register_hook: {handle id: fn}
    _post_acc_hooks = None  # register_post_accumulate_grad_hook
    shape = ()
    dtype = "float64"
    device = "cpu"
    ndim = 0

    def __init__(self, data, requires_grad=False):
        if isinstance(data, Value) or not _is_number(data):
            raise TypeError("Value() takes a real number, got %s" % type(data).__name__)
        self._data = float(data)
        self.grad_fn = None
        self._rg = bool(requires_grad)

    # -- torch's tensor attributes -------------------------------------------------

    @property
    def data(self):
        return self._data

    @data.setter
    def data(self, value):
        # Like torch's `x.data = ...`: no graph, no version bump (the unchecked escape hatch).
        # A Value is accepted so that `p.data -= lr * p.grad` works as in torch.
        if isinstance(value, Value):
            value = value._data
        elif not _is_number(value):
            raise TypeError("data must be a real number or a Value, got %s" % type(value).__name__)
        self._data = float(value)

    def item(self):
        return self._data

    def tolist(self):
        return self._data

    def numel(self):
        return 1

    def dim(self):
        return 0

    def __float__(self):
        return self._data

    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag):
        if self.grad_fn is not None:
            raise RuntimeError(_NONLEAF_RG_MSG if not flag else
                               "you can only change requires_grad flags of leaf variables.")
        self._rg = bool(flag)

    def requires_grad_(self, requires_grad=True):
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(_NONLEAF_RG_MSG)
            return self
        self._rg = bool(requires_grad)
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        if self.grad_fn is not None and not self._retains and self._grad is None:
            warnings.warn(_NONLEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None and not isinstance(value, Value):
            raise TypeError("assigned grad expected to be a Value or None but got grad of type %s"
                            % type(value).__name__)
        self._grad = value

    @property
    def retains_grad(self):
        return self._retains

    def retain_grad(self):
        """Keep this non-leaf's gradient in .grad during backward (a no-op on leaves, as in torch)."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains:
            return
        self._retains = True
        self.grad_fn._retain = weakref.ref(self)  # weak, as torch's hook holds the tensor

    def detach(self):
        """A new Value with the same number and no history. Unlike torch it shares no storage:
        an in-place change to the copy does not reach the original."""
        return _new(self._data)

    def register_hook(self, hook):
        """hook(grad) -> Value | None runs when this Value's gradient is computed."""
        if not self._rg:
            raise RuntimeError(_NO_HOOK_MSG)
        if self._hooks is None:
            self._hooks = {}
            if self.grad_fn is not None:  # torch attaches the dict to the grad_fn
                fn = self.grad_fn
                fn._tensor_pre_hooks = (fn._tensor_pre_hooks or ()) + (self._hooks,)
        return RemovableHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """hook(leaf) runs after AccumulateGrad has updated leaf.grad (leaves only)."""
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not self._rg:
            raise RuntimeError(_NO_HOOK_MSG)
        if self._post_acc_hooks is None:
            self._post_acc_hooks = {}
        return RemovableHandle(self._post_acc_hooks, hook)

    def backward(self, gradient=None, retain_graph=None):
        """Accumulate d(self)/d(leaf) * gradient into every leaf's .grad, as torch's backward."""
        if not self._rg:
            raise RuntimeError(_NO_GRAD_FN_MSG)
        if gradient is None:
            grad = 1.0
        elif isinstance(gradient, Value):
            grad = gradient._data
        else:  # torch raises TypeError here too (it expects a tensor)
            raise TypeError("gradient must be a Value or None, got %s" % type(gradient).__name__)
        root = self.grad_fn if self.grad_fn is not None else _accumulator(self)
        _run_backward(root, grad, bool(retain_graph))

    def __repr__(self):
        extra = ""
        if self.grad_fn is not None:
            extra = ", grad_fn=<%s>" % self.grad_fn.name()
        elif self._rg:
            extra = ", requires_grad=True"
        return "Value(%r%s)" % (self._data, extra)

    # -- arithmetic: each result records the node torch would record -------------------

    def __add__(self, other):
        if isinstance(other, Value):
            return _result(self._data + other._data, AddBackward0, self, other)
        if not _is_number(other):
            return NotImplemented
        return _result(self._data + other, AddBackward0, self, other)

    def __radd__(self, other):  # 3 + x is x.add(3) in torch: the Value stays input 0
        if not _is_number(other):
            return NotImplemented
        return _result(self._data + other, AddBackward0, self, other)

    def __sub__(self, other):
        if isinstance(other, Value):
            return _result(self._data - other._data, SubBackward0, self, other)
        if not _is_number(other):
            return NotImplemented
        return _result(self._data - other, SubBackward0, self, other)

    def __rsub__(self, other):  # 3 - x is torch.rsub(x, 3): RsubBackward1 with one input
        if not _is_number(other):
            return NotImplemented
        out = _new(other - self._data)
        if _grad_mode and self._rg:
            out._rg = True
            out.grad_fn = RsubBackward1(self)
        return out

    def __mul__(self, other):
        if isinstance(other, Value):
            return _result(self._data * other._data, MulBackward0, self, other)
        if not _is_number(other):
            return NotImplemented
        return _result(self._data * other, MulBackward0, self, other)

    __rmul__ = __mul__  # torch's __rmul__ is x.mul(3) as well

    def __truediv__(self, other):
        if isinstance(other, Value):
            return _result(_div(self._data, other._data), DivBackward0, self, other)
        if not _is_number(other):
            return NotImplemented
        return _result(_div(self._data, other), DivBackward0, self, other)

    def __rtruediv__(self, other):  # torch: 3 / x is x.reciprocal() * 3
        if not _is_number(other):
            return NotImplemented
        return self.reciprocal() * other

    def __pow__(self, other):
        if isinstance(other, Value):  # tensor ** tensor: PowBackward1, C pow
            data = _pow(self._data, other._data)
            out = _new(data)
            if _grad_mode and (self._rg or other._rg):
                out._rg = True
                out.grad_fn = PowBackward1(self, other, data)
            return out
        if not _is_number(other):
            return NotImplemented
        out = _new(_pow_scalar(self._data, other))
        if _grad_mode and self._rg:
            out._rg = True
            out.grad_fn = PowBackward0(self, other)
        return out

    def __rpow__(self, other):  # 2 ** x: torch's pow(Scalar, Tensor), PowBackward2
        if not _is_number(other):
            return NotImplemented
        data = _pow(other, self._data)
        out = _new(data)
        if _grad_mode and self._rg:
            out._rg = True
            out.grad_fn = PowBackward2(other, self, data)
        return out

    def __neg__(self):
        return _unary(-self._data, NegBackward0, self)

    def exp(self):
        return _unary(_exp(self._data), ExpBackward0, self)

    def log(self):
        return _unary(_log(self._data), LogBackward0, self)

    def tanh(self):
        return _unary(math.tanh(self._data), TanhBackward0, self)

    def sigmoid(self):
        return _unary(_sigmoid(self._data), SigmoidBackward0, self)

    def relu(self):
        x = self._data
        return _unary(0.0 if x < 0 else x, ReluBackward0, self)  # relu(-0.0) is -0.0, nan stays

    def reciprocal(self):
        return _unary(_div(1.0, self._data), ReciprocalBackward0, self)

    # -- in-place ops: same object, version + 1 ------------------------------------------

    def _inplace(self, other, op):
        if isinstance(other, Value):
            other_rg = other._rg
        elif _is_number(other):
            other_rg = False
        else:
            return NotImplemented
        if _grad_mode and (self._rg or other_rg):
            if self._rg and self.grad_fn is None:
                raise RuntimeError(_LEAF_INPLACE_MSG)
            # torch rebases the history: the new node takes the old value as its input.
            old = _new(self._data)
            old.grad_fn, old._rg = self.grad_fn, self._rg
            out = op(old, other)
            self._bump()
            if self._retains:  # torch moves retain_grad to the new grad_fn
                self.grad_fn._retain = None
                out.grad_fn._retain = weakref.ref(self)
            self._data, self.grad_fn, self._rg = out._data, out.grad_fn, True
        else:
            self._data = op(_new(self._data), other)._data
            self._bump()
        return self

    def _bump(self):
        self._version += 1
        if self.grad_fn is not None:  # a node that saved this output as its result must notice
            self.grad_fn._out_version = self._version

    def __iadd__(self, other):
        return self._inplace(other, Value.__add__)

    def __isub__(self, other):
        return self._inplace(other, Value.__sub__)

    def __imul__(self, other):
        return self._inplace(other, Value.__mul__)

    def __itruediv__(self, other):
        return self._inplace(other, Value.__truediv__)

    def copy_(self, src):
        """Overwrite the number in place (torch's copy_), e.g. to load weights under no_grad."""
        if isinstance(src, Value):
            src = src._data
        elif not _is_number(src):
            raise TypeError("copy_ takes a real number or a Value, got %s" % type(src).__name__)
        if _grad_mode and self._rg:
            raise RuntimeError(_LEAF_INPLACE_MSG if self.grad_fn is None else
                               "copy_ into a Value that is part of a graph: call it under no_grad()")
        self._data = float(src)
        self._bump()
        return self

    def zero_(self):
        """Set to 0 in place (torch's zero_, used as `w.grad.zero_()` under no_grad)."""
        # The checks and versioning of any in-place op. (On a non-leaf in grad mode torch records
        # ZeroBackward0; here the rebased node is x * 0, whose gradient is the same zero.)
        self._inplace(0.0, Value.__mul__)
        self._data = 0.0  # exactly 0 even where x * 0 would be nan
        return self


def _function(method):
    def f(x):
        if not isinstance(x, Value):
            raise TypeError("%s() expects a Value, got %s" % (method.__name__, type(x).__name__))
        return method(x)
    f.__name__ = method.__name__
    f.__doc__ = "torch.%s for a Value." % method.__name__
    return f


exp, log, tanh, sigmoid, relu = (_function(m) for m in (
    Value.exp, Value.log, Value.tanh, Value.sigmoid, Value.relu))
