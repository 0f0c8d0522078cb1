"""Build the same expression in torch (float64 0-d tensors) and in graphtrace.scalar, and compare them."""

import math

import torch

from graphtrace.scalar import Value

D = torch.float64


def torch_leaf(x, requires_grad=True):
    return torch.tensor(x, dtype=D, requires_grad=requires_grad)


def value_leaf(x, requires_grad=True):
    return Value(x, requires_grad=requires_grad)


def number(t):
    return t.item() if isinstance(t, torch.Tensor) else t.data


def same_float(a, b, rel=1e-9, abs_tol=1e-12):
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)


def saved_names(node):
    return sorted(a for a in dir(node) if a.startswith("_saved_"))


# ---------------------------------------------------------------------------
# A tiny program language, run by Python's own operators, so both engines get the same calls.
# An operand is ("v", index into the environment) or ("n", a Python number).

UNARY = ("neg", "exp", "log", "tanh", "sigmoid", "relu")
BINARY = ("add", "sub", "mul", "div", "pow")


def _operand(env, ref):
    kind, x = ref
    return env[x] if kind == "v" else x


def apply_op(op, env):
    name = op[0]
    if name in UNARY:
        a = env[op[1]]
        return -a if name == "neg" else getattr(a, name)()
    a, b = _operand(env, op[1]), _operand(env, op[2])
    if name == "add":
        return a + b
    if name == "sub":
        return a - b
    if name == "mul":
        return a * b
    if name == "div":
        return a / b
    return a ** b


def run(program, make_leaf):
    """program = (leaves [(value, requires_grad)], ops); returns the environment (leaves then results)."""
    leaves, ops = program
    env = [make_leaf(x, rg) for x, rg in leaves]
    for op in ops:
        env.append(apply_op(op, env))
    return env


# ---------------------------------------------------------------------------
# Walking both graphs side by side, with an explicit stack.

def walk_pairs(t_root, v_root):
    """Pairs (torch node, our node) reached from both roots in the same way.

    Asserts names, next_functions shapes, None slots and saved attribute names agree, and that
    sharing agrees: a torch node met twice pairs with the same node of ours both times.
    """
    pairs, seen_t, seen_v = [], {}, {}
    stack = [(t_root, v_root)]
    while stack:
        t, v = stack.pop()
        if t is None or v is None:
            assert t is None and v is None, (t, v)
            continue
        if id(t) in seen_t:
            assert seen_t[id(t)] is v, "torch shares %s here, we do not" % t.name()
            continue
        assert id(v) not in seen_v, "we share %s here, torch does not" % v.name()
        seen_t[id(t)], seen_v[id(v)] = v, t
        pairs.append((t, v))
        assert v.name() == t.name()
        assert type(v).__name__ == type(t).__name__
        assert saved_names(v) == saved_names(t), (t.name(), saved_names(v), saved_names(t))
        assert len(v.next_functions) == len(t.next_functions), t.name()
        for (tn, tnr), (vn, vnr) in zip(t.next_functions, v.next_functions):
            assert (tn is None) == (vn is None), t.name()
            assert tnr == vnr
            stack.append((tn, vn))
    return pairs


def hook_all(pairs):
    """Pre-hooks on every node of both graphs; returns the two logs of node indices in run order."""
    t_log, v_log = [], []
    for i, (t, v) in enumerate(pairs):
        t.register_prehook(lambda grads, i=i: t_log.append(i))
        v.register_prehook(lambda grads, i=i: v_log.append(i))
    return t_log, v_log
