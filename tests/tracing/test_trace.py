"""trace(): the schema, names, saved tensors, views, errors, and deep graphs."""

import warnings

import pytest
import torch

import graphtrace
from graphtrace.errors import DeepGraphWarning, NoGradFnError, NotATensorError


def names_of(graph, kind="tensor"):
    return {d["name"] for _, d in graph.nodes(data=True) if d["kind"] == kind and d.get("name")}


def test_add_mul_names_come_from_the_callers_variables():
    x = torch.tensor(-2.0, requires_grad=True)
    y = torch.tensor(5.0, requires_grad=True)
    z = torch.tensor(-4.0, requires_grad=True)
    q = x + y
    f = q * z
    graph = graphtrace.trace(f)
    assert names_of(graph) == {"x", "y", "z", "q", "f"}
    q_node, f_node = graph.find("q"), graph.find("f")
    assert graph.nodes[q_node]["role"] == "intermediate"
    assert graph.nodes[f_node]["role"] == "output"
    assert graph.graph["outputs"] == [f_node]
    # a named intermediate hangs off the op that produced it
    (producer,) = [s for s, _, k in graph.in_edges(q_node, data="kind") if k == "grad_fn"]
    assert graph.nodes[producer]["name"] == "AddBackward0"
    assert graph.nodes[graph.find("f")]["value"]["values"] == [-12.0]
    assert graph.nodes[q_node]["value"]["values"] == [3.0]


def test_node_ids_follow_visit_order(add_mul):
    graph = graphtrace.trace(add_mul["f"], names=add_mul)
    assert list(graph.nodes) == [f"n{i}" for i in range(graph.number_of_nodes())]
    assert graph.nodes["n0"]["name"] == "f"
    assert graph.nodes["n1"]["name"] == "MulBackward0"


def test_names_off_with_empty_dict(add_mul):
    graph = graphtrace.trace(add_mul["f"], names={})
    assert names_of(graph) == set()


def test_dict_outputs_and_params_from_a_module(small_mlp):
    graph = graphtrace.trace({"loss": small_mlp["loss"]}, params=small_mlp["model"], names={})
    assert names_of(graph) == {"loss", "0.weight", "0.bias", "2.weight", "2.bias"}
    assert graph.function_names().count("AccumulateGrad") == 4
    assert "MseLossBackward0" in graph.function_names()


def test_module_variables_name_parameters_when_names_are_found(small_mlp):
    model, loss = small_mlp["model"], small_mlp["loss"]  # noqa: F841 -- found by name in this frame
    graph = graphtrace.trace(loss)
    assert {"model.0.weight", "model.2.bias", "loss"} <= names_of(graph)


def test_non_tensor_saved_attributes_are_kept(small_mlp):
    graph = graphtrace.trace(small_mlp["loss"], names={})
    (mse,) = [d for _, d in graph.nodes(data=True) if d.get("name") == "MseLossBackward0"]
    assert mse["attrs"]["reduction"] == 1
    x = torch.randn(2, 3, requires_grad=True)
    graph = graphtrace.trace(x.sum(dim=1).sum(), names={})
    (summed,) = [d for _, d in graph.nodes(data=True) if d.get("name") == "SumBackward1"]
    assert summed["attrs"]["dim"] == [1]


def test_saved_tensors_link_to_the_tensor_they_are_never_merged(add_mul):
    graph = graphtrace.trace(add_mul["f"], names=add_mul)
    saved = {d["name"]: n for n, d in graph.nodes(data=True) if d["kind"] == "saved"}
    assert set(saved) == {"self", "other"}
    alias = {
        graph.nodes[s]["name"]: graph.nodes[t]["name"]
        for s, t, kind in graph.edges(data="kind") if kind == "alias"
    }
    # f = q * z: MulBackward0 saves self=q and other=z
    assert alias == {"self": "q", "other": "z"}
    assert graph.nodes[graph.find("z")]["kind"] == "tensor"
    assert saved["other"] != graph.find("z")


def test_a_saved_result_links_to_the_output_even_as_a_new_object():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    e = a.exp()
    graph = graphtrace.trace(e, names={"a": a, "e": e})
    (result,) = [n for n, d in graph.nodes(data=True) if d["kind"] == "saved"]
    assert graph.nodes[result]["name"] == "result"
    assert set(graph.successors(result)) == {graph.nodes_of_kind("op")[0], graph.find("e")}


def test_tracing_after_backward_marks_saved_freed_and_never_raises(add_mul):
    add_mul["f"].backward()
    graph = graphtrace.trace(add_mul["f"], names=add_mul)
    saved = [d for _, d in graph.nodes(data=True) if d["kind"] == "saved"]
    assert saved and all(d["freed"] for d in saved)
    assert graph.nodes[graph.find("x")]["grad"]["values"] == [-4.0]
    assert graph.nodes[graph.find("z")]["grad"]["values"] == [3.0]
    assert graph.nodes[graph.find("q")]["grad"] is None


def test_retain_graph_keeps_saved_tensors(add_mul):
    add_mul["f"].backward(retain_graph=True)
    graph = graphtrace.trace(add_mul["f"], names=add_mul)
    assert not any(d["freed"] for _, d in graph.nodes(data=True) if d["kind"] == "saved")


def test_retain_grad_state_and_large_grad_summary():
    w = torch.ones(40, requires_grad=True)
    y = w * 3
    y.retain_grad()
    z = y.mean()
    z.backward()
    graph = graphtrace.trace(z, names={"w": w, "y": y, "z": z})
    y_data = graph.nodes[graph.find("y")]
    assert y_data["retains_grad"] and not y_data["is_leaf"]
    assert y_data["grad"]["shape"] == [40] and "values" not in y_data["grad"]
    assert y_data["grad"]["norm"] == pytest.approx((40 * (1 / 40) ** 2) ** 0.5)
    w_data = graph.nodes[graph.find("w")]
    assert w_data["grad"]["norm"] == pytest.approx((40 * 9 / 1600) ** 0.5)


def test_a_views_base_is_shown():
    v = torch.randn(3, 4, requires_grad=True)
    base = v * 1
    row = base[0]
    graph = graphtrace.trace(row.sum(), names={"v": v, "base": base, "row": row})
    assert graph.nodes[graph.find("row")]["role"] == "intermediate"
    base_edges = [(s, t) for s, t, k in graph.edges(data="kind") if k == "base"]
    assert base_edges == [(graph.find("base"), graph.find("row"))]


def test_tensor_subclass_with_endless_base_chain_does_not_hang():
    class Endless(torch.Tensor):
        @property
        def _base(self):
            return torch.Tensor._make_subclass(Endless, torch.zeros(1), True)

    x = torch.Tensor._make_subclass(Endless, torch.ones(2), True)
    graph = graphtrace.trace(x, names={})
    assert graph.number_of_nodes() == 2


def test_tracing_changes_nothing_the_user_owns(add_mul):
    calls = []
    add_mul["x"].register_hook(lambda g: calls.append(float(g)))
    add_mul["x"].grad = torch.tensor(10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reading a non-leaf's .grad would warn
        graphtrace.trace(add_mul["f"], names=add_mul)
    assert add_mul["x"].grad.item() == 10.0
    assert add_mul["q"].grad_fn is not None and not add_mul["q"].retains_grad
    add_mul["f"].backward()
    assert calls == [-4.0] and add_mul["x"].grad.item() == 6.0


def test_scalar_torch_graph_is_json_round_trip_equal(add_mul):
    import networkx as nx

    graph = graphtrace.trace(add_mul["f"], names=add_mul)
    loaded = graphtrace.Graph.from_json(graph.to_json())
    assert nx.utils.graphs_equal(loaded, graph)
    plain = graph.to_networkx()
    assert type(plain) is nx.DiGraph and nx.utils.graphs_equal(plain, graph)


@pytest.mark.parametrize(
    "bad, error, words",
    [
        (3.0, NotATensorError, "got float"),
        ([], NotATensorError, "empty"),
        (torch.ones(2), NoGradFnError, "requires_grad=True"),
    ],
)
def test_bad_input_names_the_fix(bad, error, words):
    with pytest.raises(error, match=words):
        graphtrace.trace(bad)


def test_no_grad_result_explains_no_grad():
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        y = x * 2
    with pytest.raises(NoGradFnError, match="no_grad"):
        graphtrace.trace(y)


def test_a_100000_op_chain_traces_without_recursion_and_warns():
    def build_and_trace():
        x = torch.tensor(1.0, requires_grad=True)
        y = x
        for _ in range(100_000):
            y = y * 1.0
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            graph = graphtrace.trace(y, names={}, max_values=0)
        return graph.number_of_nodes(), [w.category for w in caught]

    # built, traced and freed on a large stack: freeing a walked chain this long overflows a normal one
    nodes, categories = graphtrace.run_with_large_stack(build_and_trace)
    assert nodes == 1 + 100_000 * 2 + 2  # output, ops and their saved self, AccumulateGrad, leaf
    assert DeepGraphWarning in categories


def test_a_saved_tensor_changed_in_place_is_marked_modified_not_freed():
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    z = y * y
    y.add_(1)
    graph = graphtrace.trace(z, names={"x": x, "y": y, "z": z})
    z_op = graph.nodes_of_kind("op")[0]  # MulBackward0 of y * y saved y twice
    saved = [graph.nodes[s] for s, _, k in graph.in_edges(z_op, data="kind") if k == "saved"]
    assert len(saved) == 2 and all(d["modified"] and not d["freed"] for d in saved)
    assert "modified in place since saved" in graphtrace.to_dot(graph)


def test_grad_fn_edges_say_which_output_of_the_op_a_tensor_is():
    x = torch.ones(3, requires_grad=True)
    first, second, third = (x * 2).unbind()
    graph = graphtrace.trace(second, names={"x": x, "first": first, "second": second})
    edges = {graph.nodes[t]["name"]: nr for s, t, nr in graph.edges(data="output_nr") if graph.edges[s, t]["kind"] == "grad_fn"}
    assert edges == {"second": 1, "first": 0}


def _odd_outputs():
    def nested():
        nt = torch.nested.nested_tensor([torch.randn(2, 3), torch.randn(3, 3)], requires_grad=True)
        return nt * 2

    return {
        "nested": nested,
        "complex": lambda: (torch.randn(20, dtype=torch.complex64, requires_grad=True) * 2).abs().sum(),
        "meta": lambda: (torch.randn(20, device="meta", requires_grad=True) * 2).sum(),
        "sparse": lambda: torch.sparse.sum(torch.randn(4, 4).to_sparse().requires_grad_() * 2),
        "integer index": lambda: torch.randn(20, requires_grad=True).repeat(2)[torch.arange(30)].sum(),
        "float16": lambda: (torch.randn(40, dtype=torch.float16, requires_grad=True) * 2).sum(),
    }


@pytest.mark.parametrize("kind", sorted(_odd_outputs()))
def test_odd_tensors_trace_and_draw(kind):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nested tensors warn that they are a prototype
        output = _odd_outputs()[kind]()
    graph = graphtrace.trace(output, names={})
    assert graph.nodes_of_kind("op") and graph.nodes_of_kind("accumulate")
    assert graphtrace.to_dot(graph).startswith("digraph {")


def test_to_networkx_is_a_deep_copy(add_mul):
    graph = graphtrace.trace(add_mul["f"], names=add_mul)
    plain = graph.to_networkx()
    plain.nodes["n0"]["shape"].append(99)
    plain.edges["n4", "n1"]["slots"].append(7)
    assert graph.nodes["n0"]["shape"] == [] and graph.edges["n4", "n1"]["slots"] == [0]
