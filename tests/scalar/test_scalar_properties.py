"""Random expressions built in torch and in graphtrace.scalar agree on data, graph, grads and run order."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scalar_twins import BINARY, UNARY, hook_all, number, run, same_float, torch_leaf, value_leaf, walk_pairs

NUMBERS = st.sampled_from([0.0, 1.0, 2.0, 3.0, -1.0, 0.5, -2.5, 1.5])
EXPONENTS = st.sampled_from([0, 1, 2, 3, -1, -2, 0.5, -0.5, 1.5])
BASES = st.sampled_from([2.0, 0.5, 3.0, 0.0, -2.0])


@st.composite
def programs(draw):
    n_leaves = draw(st.integers(1, 3))
    values = st.one_of(st.floats(-3, 3), st.sampled_from([0.0, -0.0, 1.0, -1.0]))
    requires = st.sampled_from([True, True, True, False])
    leaves = [(draw(values), draw(requires)) for _ in range(n_leaves)]
    ops = []
    for k in range(draw(st.integers(1, 10))):
        index = st.integers(0, n_leaves + k - 1)
        name = draw(st.sampled_from(UNARY + BINARY))
        if name in UNARY:
            ops.append((name, draw(index)))
            continue
        side = draw(st.sampled_from(["vv", "vn", "nv"]))
        numbers = EXPONENTS if name == "pow" else NUMBERS
        a = ("v", draw(index)) if side != "nv" else ("n", draw(BASES if name == "pow" else numbers))
        b = ("v", draw(index)) if side != "vn" else ("n", draw(numbers))
        ops.append((name, a, b))
    return leaves, ops


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_random_expressions_match_torch(program):
    t_env, v_env = run(program, torch_leaf), run(program, value_leaf)
    for t, v in zip(t_env, v_env):
        assert same_float(number(v), number(t)), (program, number(v), number(t))
        assert v.requires_grad == t.requires_grad and v.is_leaf == t.is_leaf
    t_out, v_out = t_env[-1], v_env[-1]
    if not t_out.requires_grad:
        with pytest.raises(RuntimeError) as t_err:
            t_out.backward()
        with pytest.raises(RuntimeError) as v_err:
            v_out.backward()
        assert str(v_err.value) == str(t_err.value)
        return
    root_t = t_out.grad_fn or t_out  # a bare leaf has no grad_fn in either engine
    pairs = walk_pairs(t_out.grad_fn, v_out.grad_fn) if t_out.grad_fn is not None else []
    assert root_t is not None
    t_log, v_log = hook_all(pairs)
    t_out.backward()
    v_out.backward()
    assert v_log == t_log, program
    n_leaves = len(program[0])
    for t, v in zip(t_env[:n_leaves], v_env[:n_leaves]):
        if t.grad is None:
            assert v.grad is None
        else:
            assert same_float(v.grad.data, t.grad.item()), (program, v.grad.data, t.grad.item())
