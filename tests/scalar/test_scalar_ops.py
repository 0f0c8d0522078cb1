"""Every op, built in torch and in graphtrace.scalar: node names, edges, saved values, data and grads."""

import math
import re

import pytest
import torch

from graphtrace import scalar
from graphtrace.scalar import Value
from scalar_twins import same_float, saved_names, torch_leaf, value_leaf, walk_pairs

# Each case gets (x, y, c): two leaves that require grad and a constant, from one engine.
CASES = {
    "x + y": lambda x, y, c: x + y,
    "x + 3": lambda x, y, c: x + 3,
    "3 + x": lambda x, y, c: 3 + x,
    "x + 2.5": lambda x, y, c: x + 2.5,
    "x + c": lambda x, y, c: x + c,
    "c + x": lambda x, y, c: c + x,
    "x - y": lambda x, y, c: x - y,
    "x - 3": lambda x, y, c: x - 3,
    "3 - x": lambda x, y, c: 3 - x,
    "c - x": lambda x, y, c: c - x,
    "x * y": lambda x, y, c: x * y,
    "x * 3": lambda x, y, c: x * 3,
    "3 * x": lambda x, y, c: 3 * x,
    "x * c": lambda x, y, c: x * c,
    "c * x": lambda x, y, c: c * x,
    "x * x": lambda x, y, c: x * x,
    "x / y": lambda x, y, c: x / y,
    "x / 3": lambda x, y, c: x / 3,
    "3 / x": lambda x, y, c: 3 / x,
    "1 / x": lambda x, y, c: 1 / x,
    "c / x": lambda x, y, c: c / x,
    "x / c": lambda x, y, c: x / c,
    "x ** 2": lambda x, y, c: x ** 2,
    "x ** 2.5": lambda x, y, c: x ** 2.5,
    "x ** 0": lambda x, y, c: x ** 0,
    "x ** 1": lambda x, y, c: x ** 1,
    "x ** -1": lambda x, y, c: x ** -1,
    "x ** 0.5": lambda x, y, c: x ** 0.5,
    "x ** y": lambda x, y, c: x ** y,
    "x ** c": lambda x, y, c: x ** c,
    "c ** x": lambda x, y, c: c ** x,
    "2 ** x": lambda x, y, c: 2 ** x,
    "-x": lambda x, y, c: -x,
    "exp": lambda x, y, c: x.exp(),
    "log": lambda x, y, c: x.log(),
    "tanh": lambda x, y, c: x.tanh(),
    "sigmoid": lambda x, y, c: x.sigmoid(),
    "relu": lambda x, y, c: x.relu(),
    "reciprocal": lambda x, y, c: x.reciprocal(),
    "chain": lambda x, y, c: ((x * y + 3).tanh() - x / y) ** 2 + 2 ** (x - c),
}


def build_both(expr, x=0.7, y=1.9, c=1.3):
    t = expr(torch_leaf(x), torch_leaf(y), torch_leaf(c, False))
    v = expr(value_leaf(x), value_leaf(y), value_leaf(c, False))
    return t, v


@pytest.mark.parametrize("name", sorted(CASES))
def test_graph_matches_torch(name):
    t, v = build_both(CASES[name])
    pairs = walk_pairs(t.grad_fn, v.grad_fn)
    assert pairs, "no graph"
    for tn, vn in pairs:
        for attr in saved_names(tn):
            tv, vv = getattr(tn, attr), getattr(vn, attr)
            if isinstance(tv, torch.Tensor):
                assert isinstance(vv, Value) and same_float(vv.data, tv.item()), (attr, vv, tv)
            else:
                assert vv == tv and type(vv) is type(tv), (attr, vv, tv)


@pytest.mark.parametrize("name", sorted(CASES))
def test_data_and_grads_match_torch(name):
    xs = [torch_leaf(0.7), torch_leaf(1.9), torch_leaf(1.3, False)]
    vs = [value_leaf(0.7), value_leaf(1.9), value_leaf(1.3, False)]
    t, v = CASES[name](*xs), CASES[name](*vs)
    assert same_float(v.data, t.item(), rel=1e-15)
    t.backward()
    v.backward()
    for a, b in zip(xs, vs):
        assert (a.grad is None) == (b.grad is None)
        if a.grad is not None:
            assert same_float(b.grad.data, a.grad.item(), rel=1e-13)


def test_saved_leaf_is_the_leaf_itself_and_result_is_a_new_value():
    x = value_leaf(2.0)
    y = x * x
    assert y.grad_fn._saved_self is x and y.grad_fn._saved_other is x
    e = x.exp()
    r = e.grad_fn._saved_result
    assert r is not e and r.data == e.data and r.grad_fn is e.grad_fn
    assert (x * 3).grad_fn._saved_self is None  # torch saves self only if other needs a grad
    assert (x * 3).grad_fn._saved_other.data == 3.0


def test_sequence_numbers_increase_and_accumulate_grad_is_max():
    x = value_leaf(1.0)
    a, b = x * 2, x + 1
    assert a.grad_fn._sequence_nr() < b.grad_fn._sequence_nr()
    acc = a.grad_fn.next_functions[0][0]
    assert acc._sequence_nr() == 2 ** 64 - 1 == torch_leaf(1.0).mul(2).grad_fn.next_functions[0][0]._sequence_nr()


def test_accumulate_grad_is_one_per_leaf_and_reused():
    x = value_leaf(1.0)
    a, b = x * 2, x.exp()
    acc = a.grad_fn.next_functions[0][0]
    assert b.grad_fn.next_functions[0][0] is acc
    assert acc.variable is x and acc.next_functions == ()
    assert acc.name() == "torch::autograd::AccumulateGrad" and type(acc).__name__ == "AccumulateGrad"
    assert isinstance(acc.metadata, dict) and acc.metadata is acc.metadata


# ---------------------------------------------------------------------------
# Edge values: torch gives inf / nan (and matching gradients) where Python's math would raise.

SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.0, -8.0, 0.5, math.inf, -math.inf, math.nan, 1000.0, -1000.0]
EXPONENTS = [0, 1, 2, 3, -1, -2, 0.5, -0.5, 1 / 3, 2.5, 400, -1074, math.inf, math.nan]


def _compare_unary(f, x):
    tx, vx = torch_leaf(x), value_leaf(x)
    t, v = f(tx), f(vx)
    assert same_float(v.data, t.item(), rel=1e-15), (x, v.data, t.item())
    if t.requires_grad:
        t.backward()
        v.backward()
        assert same_float(vx.grad.data, tx.grad.item(), rel=1e-13), (x, vx.grad.data, tx.grad.item())


@pytest.mark.parametrize("x", SPECIAL)
@pytest.mark.parametrize("op", ["exp", "log", "tanh", "sigmoid", "relu", "reciprocal", "neg", "rdiv", "div0"])
def test_unary_edge_values(op, x):
    f = {
        "neg": lambda a: -a,
        "rdiv": lambda a: 1 / a,
        "div0": lambda a: a / 0.0,
    }.get(op, lambda a: getattr(a, op)())
    _compare_unary(f, x)


@pytest.mark.parametrize("base", SPECIAL)
@pytest.mark.parametrize("exponent", EXPONENTS)
def test_pow_edge_values(base, exponent):
    _compare_unary(lambda a: a ** exponent, base)       # PowBackward0
    _compare_unary(lambda a: base ** a, exponent)       # PowBackward2
    tb, te, vb, ve = torch_leaf(base), torch_leaf(exponent), value_leaf(base), value_leaf(exponent)
    t, v = tb ** te, vb ** ve                           # PowBackward1
    assert same_float(v.data, t.item(), rel=1e-15)
    t.backward()
    v.backward()
    assert same_float(vb.grad.data, tb.grad.item(), rel=1e-13), ("base", vb.grad.data, tb.grad.item())
    assert same_float(ve.grad.data, te.grad.item(), rel=1e-13), ("exp", ve.grad.data, te.grad.item())


@pytest.mark.parametrize("a", [1.0, -1.0, 0.0, -0.0, math.inf, math.nan])
@pytest.mark.parametrize("b", [0.0, -0.0, 2.0, math.inf])
def test_division_edge_values(a, b):
    ta, tb, va, vb = torch_leaf(a), torch_leaf(b), value_leaf(a), value_leaf(b)
    t, v = ta / tb, va / vb
    assert same_float(v.data, t.item())
    assert math.copysign(1, v.data) == math.copysign(1, t.item()) or math.isnan(v.data)
    t.backward()
    v.backward()
    assert same_float(va.grad.data, ta.grad.item()) and same_float(vb.grad.data, tb.grad.item())


def test_relu_of_negative_zero_keeps_the_sign():
    assert math.copysign(1, value_leaf(-0.0).relu().data) == math.copysign(1, torch_leaf(-0.0).relu().item())


# ---------------------------------------------------------------------------
# Bad operands.

@pytest.mark.parametrize("op, symbol", [
    (lambda a, b: a + b, "+"), (lambda a, b: a - b, "-"), (lambda a, b: a * b, "*"),
    (lambda a, b: a / b, "/"), (lambda a, b: a ** b, "** or pow()"),
])
def test_unsupported_operand_types_name_both(op, symbol):
    x = Value(1.0)
    with pytest.raises(TypeError, match=re.escape("unsupported operand type(s) for %s: 'Value' and 'object'"
                                                  % symbol)):
        op(x, object())
    with pytest.raises(TypeError, match="'NoneType' and 'Value'"):
        op(None, x)
    with pytest.raises(TypeError):
        op(x, 1j)


def test_adding_a_string_names_both_types():
    with pytest.raises(TypeError, match=re.escape("unsupported operand type(s) for +: 'Value' and 'str'")):
        Value(1.0) + "a"


def test_in_place_with_bad_operand_raises_type_error():
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \+=: 'Value' and 'list'"):
        x += []


def test_constructor_and_functions_reject_non_numbers():
    with pytest.raises(TypeError, match="real number"):
        Value("1")
    with pytest.raises(TypeError, match="exp"):
        scalar.exp(1.0)


def test_module_level_functions_match_methods():
    x = value_leaf(0.3)
    for name in ("exp", "log", "tanh", "sigmoid", "relu"):
        out = getattr(scalar, name)(x)
        assert out.data == getattr(x, name)().data
        assert out.grad_fn.name() == getattr(torch, name)(torch_leaf(0.3)).grad_fn.name()


def test_tensor_protocol_attributes():
    x = value_leaf(2.5)
    assert x.shape == () and str(x.dtype) == "float64" and x.device == "cpu"
    assert x.item() == 2.5 and float(x) == 2.5 and x._version == 0 and x.numel() == 1
    assert x.is_leaf and x.requires_grad and not x.retains_grad and x.grad_fn is None
    assert repr(x) == "Value(2.5, requires_grad=True)"
    assert repr(x * 2) == "Value(5.0, grad_fn=<MulBackward0>)"
    assert repr((x * 2).grad_fn).startswith("<MulBackward0 object at 0x")
