"""The traced op and AccumulateGrad nodes are exactly the Functions torch can reach."""

import pytest
import torch
from oracles import reachable_functions
from torch import nn

import graphtrace


def assert_same_functions(*outputs):
    graph, index = graphtrace.trace_with_index(list(outputs), names={})
    expected = reachable_functions(*outputs)
    assert {id(f) for f in index} == {id(f) for f in expected}
    function_nodes = [n for n, k in graph.nodes(data="kind") if k in ("op", "accumulate")]
    assert sorted(function_nodes) == sorted(index.values())
    for function, node in index.items():
        expected_name = "AccumulateGrad" if hasattr(function, "variable") else function.name()
        assert graph.nodes[node]["name"] == expected_name
    # every next_functions link is an edge with the right slot
    for function, node in index.items():
        for slot, (child, _) in enumerate(function.next_functions):
            if child is not None:
                assert slot in graph.edges[index[child], node]["slots"]
    return graph


def _custom_function_output():
    class ScaleAndKeepNone(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, None)
            ctx.factor = 3
            return a * b * 3

        @staticmethod
        def backward(ctx, grad):
            a, _ = ctx.saved_tensors
            return grad * 3, grad * a * 3

    a = torch.randn(3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    return ScaleAndKeepNone.apply(a * 2, b).sum()


def _lstm_cell_output():
    cell = nn.LSTMCell(4, 3)
    h, c = cell(torch.randn(2, 4))
    return (h.sum() + c.sum())


MODELS = {
    "linear": lambda: nn.Linear(4, 3)(torch.randn(2, 4)).sum(),
    "sigmoid": lambda: nn.Sequential(nn.Linear(4, 3), nn.Sigmoid())(torch.randn(2, 4)).sum(),
    "tanh": lambda: nn.Sequential(nn.Linear(4, 3), nn.Tanh())(torch.randn(2, 4)).sum(),
    "relu": lambda: nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))(torch.randn(2, 4)).sum(),
    "conv2d": lambda: nn.Conv2d(2, 3, 3)(torch.randn(1, 2, 5, 5)).mean(),
    "batchnorm": lambda: nn.BatchNorm1d(3)(nn.Linear(4, 3)(torch.randn(5, 4))).sum(),
    "layernorm": lambda: nn.LayerNorm(4)(torch.randn(2, 4, requires_grad=True)).sum(),
    "embedding": lambda: nn.Embedding(10, 3)(torch.tensor([1, 2, 2])).sum(),
    "lstm_cell": _lstm_cell_output,
    "mse_loss": lambda: nn.MSELoss()(nn.Linear(2, 1)(torch.randn(4, 2)), torch.randn(4, 1)),
    "cross_entropy": lambda: nn.CrossEntropyLoss()(nn.Linear(3, 4)(torch.randn(5, 3)), torch.tensor([0, 1, 2, 3, 0])),
    "custom_function": _custom_function_output,
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_traced_functions_equal_torchs_reachable_set(name):
    torch.manual_seed(0)
    output = MODELS[name]()
    graph = assert_same_functions(output)
    assert graph.nodes_of_kind("accumulate")


def test_several_outputs_share_one_graph():
    torch.manual_seed(0)
    x = torch.randn(3, requires_grad=True)
    a, b = (x * 2).sum(), (x.exp()).mean()
    graph = assert_same_functions(a, b)
    assert len(graph.graph["outputs"]) == 2
    assert len(graph.nodes_of_kind("accumulate")) == 1


def test_custom_function_saved_none_and_ctx_attributes():
    graph = graphtrace.trace(_custom_function_output(), names={})
    (node,) = [n for n, d in graph.nodes(data=True) if d["name"] == "ScaleAndKeepNoneBackward"]
    saved = {graph.nodes[s]["name"]: graph.nodes[s] for s, _ in graph.in_edges(node) if graph.nodes[s]["kind"] == "saved"}
    assert set(saved) == {"saved_tensors[0]", "saved_tensors[1]"}
    assert saved["saved_tensors[1]"]["shape"] is None
    assert saved["saved_tensors[0]"]["shape"] == [3]
    assert graph.nodes[node]["attrs"]["factor"] == 3


def test_custom_function_after_backward_is_marked_freed():
    output = _custom_function_output()
    output.backward()
    graph = graphtrace.trace(output, names={})
    saved = [d for _, d in graph.nodes(data=True) if d["kind"] == "saved"]
    custom = [d for d in saved if d["name"].startswith("saved_tensors")]
    assert custom and all(d["freed"] for d in custom)
