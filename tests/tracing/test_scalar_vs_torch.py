"""The scalar engine traced into the same schema as torch: equal graphs for the same expression."""

import math

import networkx as nx
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphtrace
from graphtrace.scalar import Value

UNARY = ["neg", "exp", "tanh", "sigmoid", "relu", "log_abs"]
BINARY = ["add", "sub", "mul", "div", "pow_const", "rsub_const", "radd_const", "rmul_const", "rdiv_const", "add_const"]


def apply(op, a, b, constant, engine):
    if op == "neg":
        return -a
    if op == "exp":
        return (a * 0.1).exp() if engine == "scalar" else torch.exp(a * 0.1)
    if op in ("tanh", "sigmoid", "relu"):
        return getattr(a, op)()
    if op == "log_abs":
        # log of a positive value: a*a + 1 keeps the domain valid in both engines
        positive = a * a + 1.0
        return positive.log()
    if op == "add":
        return a + b
    if op == "sub":
        return a - b
    if op == "mul":
        return a * b
    if op == "div":
        return a / (b * b + 1.0)
    if op == "pow_const":
        return a ** 2
    if op == "rsub_const":
        return constant - a
    if op == "radd_const":
        return constant + a
    if op == "rmul_const":
        return constant * a
    if op == "rdiv_const":
        return constant / (a * a + 1.0)
    if op == "add_const":
        return a + constant
    raise AssertionError(op)


programs = st.lists(
    st.tuples(st.sampled_from(UNARY + BINARY), st.integers(0, 50), st.integers(0, 50), st.sampled_from([0.5, 2.0, 3.0])),
    min_size=1, max_size=8,
)
leaf_values = st.lists(st.floats(-2, 2, allow_nan=False).filter(lambda v: abs(v) > 1e-3), min_size=3, max_size=3)


def build(program, values, engine):
    if engine == "torch":
        leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    else:
        leaves = [Value(v, requires_grad=True) for v in values]
    nodes = list(leaves)
    for op, i, j, constant in program:
        nodes.append(apply(op, nodes[i % len(nodes)], nodes[j % len(nodes)], constant, engine))
    names = {f"leaf{k}": leaf for k, leaf in enumerate(leaves)}
    names["out"] = nodes[-1]
    return nodes[-1], names


def comparable(graph):
    """The graph with values rounded, so float noise between the engines does not matter."""
    copy = nx.DiGraph(graph)
    for _, data in copy.nodes(data=True):
        for field in ("value", "grad"):
            summary = data.get(field)
            if summary and summary.get("values") is not None:
                data[field] = [None if math.isnan(v) else round(v, 6) for v in summary["values"]]
    return copy


def assert_same_graph(torch_graph, scalar_graph):
    left, right = comparable(torch_graph), comparable(scalar_graph)
    assert list(left.nodes) == list(right.nodes)
    for node in left.nodes:
        assert left.nodes[node] == right.nodes[node], node
    assert sorted(left.edges(data=True), key=str) == sorted(right.edges(data=True), key=str)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs, leaf_values, st.booleans())
def test_random_expressions_trace_to_equal_graphs_before_and_after_backward(program, values, retain):
    torch_out, torch_names = build(program, values, "torch")
    scalar_out, scalar_names = build(program, values, "scalar")
    if torch_out.grad_fn is None:
        return
    assert_same_graph(graphtrace.trace(torch_out, names=torch_names), graphtrace.trace(scalar_out, names=scalar_names))
    torch_out.backward(retain_graph=retain)
    scalar_out.backward(retain_graph=retain)
    assert_same_graph(graphtrace.trace(torch_out, names=torch_names), graphtrace.trace(scalar_out, names=scalar_names))


def test_retain_grad_state_is_the_same():
    def program(engine):
        make = (lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)) if engine == "torch" else (lambda v: Value(v, requires_grad=True))
        x, z = make(-2.0), make(-4.0)
        q = x + 5.0
        q.retain_grad()
        f = q * z
        f.backward()
        return f, {"x": x, "z": z, "q": q, "f": f}

    (tf, tn), (sf, sn) = program("torch"), program("scalar")
    assert_same_graph(graphtrace.trace(tf, names=tn), graphtrace.trace(sf, names=sn))
    scalar_q = graphtrace.trace(sf, names=sn)
    q = scalar_q.nodes[scalar_q.find("q")]
    assert q["retains_grad"] and q["grad"]["values"] == [-4.0]


@pytest.mark.layout
def test_scalar_graph_renders(tmp_path):
    x, y, z = Value(-2.0, requires_grad=True), Value(5.0, requires_grad=True), Value(-4.0, requires_grad=True)
    q = x + y
    f = q * z
    text = graphtrace.render(f, tmp_path / "f.svg").read_text()
    assert "MulBackward0" in text and "AccumulateGrad" in text
