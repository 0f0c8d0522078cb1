"""record names tensors exactly as trace does, even when a local and a global share a name."""

import torch

import graphtrace
from graphtrace.recorder import record, recording

# A global `loss` that is not the tensor recorded below.
loss = torch.tensor(1.0, requires_grad=True) * 3


def output_name(graph):
    (output,) = graph.graph["outputs"]
    return graph.nodes[output]["name"]


def test_local_name_wins_over_a_global_of_the_same_name():
    w = torch.tensor(2.0, requires_grad=True)
    hidden = w * 5
    hidden.retain_grad()
    loss = hidden * w  # shadows the module's global `loss`
    traced = graphtrace.trace(loss)
    assert output_name(traced) == "loss"
    rec = record(loss)
    assert output_name(rec.graph) == "loss"
    assert sorted(rec.graph.nodes(data="name")) == sorted(traced.nodes(data="name"))
    # The retained intermediate is still found, by object, and written.
    (hidden_write,) = [w_ for s in rec.steps for w_ in s.writes if w_.name == "hidden"]
    assert hidden_write.after["values"] == [2.0]


def test_context_manager_names_as_trace_does():
    w = torch.tensor(2.0, requires_grad=True)
    loss = w * w
    with recording(loss) as recorder:
        loss.backward()
    assert output_name(recorder.recording.graph) == "loss"
    assert {w_.name for s in recorder.recording.steps for w_ in s.writes} == {"w"}


def test_two_tensors_with_one_name_in_names_keep_apart():
    a = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(2.0, requires_grad=True)
    out = a * b
    # params and names may name two tensors alike; both keep that name, as in trace.
    rec = record(out, params={"p": a}, names={"p": b, "out": out})
    traced = graphtrace.trace(a * b, params={"p": a}, names={"p": b})
    leaves = sorted(d["name"] for _, d in rec.graph.nodes(data=True) if d.get("role") == "leaf")
    assert leaves == sorted(d["name"] for _, d in traced.nodes(data=True) if d.get("role") == "leaf") == ["p", "p"]
