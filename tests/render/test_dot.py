"""to_dot: golden files for the course graphs, byte-identical output, escaping, style options."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import graphtrace

GOLDEN = Path(__file__).parent.parent / "golden"
UPDATE = os.environ.get("GRAPHTRACE_UPDATE_GOLDEN") == "1"


def check_golden(name, text):
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden {path}; run with GRAPHTRACE_UPDATE_GOLDEN=1 once and review it"
    assert text == path.read_text(encoding="utf-8")


def test_golden_add_mul(add_mul):
    check_golden("add_mul.dot", graphtrace.to_dot(graphtrace.trace(add_mul["f"], names=add_mul)))


def test_golden_add_mul_after_backward(add_mul):
    add_mul["f"].backward()
    check_golden("add_mul_backward.dot", graphtrace.to_dot(graphtrace.trace(add_mul["f"], names=add_mul)))


def test_golden_sigmoid_neuron(sigmoid_neuron):
    graph = graphtrace.trace(sigmoid_neuron["loss"], names=sigmoid_neuron)
    check_golden("sigmoid_neuron.dot", graphtrace.to_dot(graph))


def test_golden_mlp_with_mse_loss(small_mlp):
    graph = graphtrace.trace({"loss": small_mlp["loss"]}, params=small_mlp["model"], names={})
    check_golden("mlp_mse.dot", graphtrace.to_dot(graph, show_attrs=True))


PROGRAM = """
import torch, graphtrace
torch.manual_seed(0)
x = torch.tensor([1.0, 2.0], requires_grad=True)
w = torch.nn.Linear(2, 2)
torch.nn.init.constant_(w.weight, 0.5)
loss = (w(x).tanh() * x).sum()
print(graphtrace.to_dot(graphtrace.trace(loss)))
"""


def test_same_program_gives_byte_identical_dot_across_processes():
    outputs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, env=env, check=True)
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert b"TanhBackward0" in outputs[0] and b"w.weight" in outputs[0]


def test_names_are_escaped_in_dot(add_mul):
    evil = '<script>"x"\n'
    graph = graphtrace.trace(add_mul["f"], names={evil: add_mul["x"]})
    dot = graphtrace.to_dot(graph)
    assert "&lt;script&gt;&quot;x&quot;\\n" in dot
    assert "<script>" not in dot


def test_style_options_change_what_is_drawn(add_mul):
    graph = graphtrace.trace(add_mul["f"], names=add_mul)
    full = graphtrace.to_dot(graph)
    assert "saved" in full and "data = -12" in full and "grad = None" in full and "legend" in full
    bare = graphtrace.to_dot(graph, show_saved=False, show_values=False, show_grads=False, legend=False)
    assert "saved" not in bare and "data =" not in bare and "grad" not in bare and "legend" not in bare
    assert 'rankdir="LR"' in graphtrace.to_dot(graph, rankdir="LR")
    assert "alpha = 1" in graphtrace.to_dot(graph, show_attrs=True) and "alpha" not in full
    with pytest.raises(ValueError, match="rankdir"):
        graphtrace.to_dot(graph, rankdir="sideways")


def test_saved_tensor_label_names_what_it_is(add_mul):
    dot = graphtrace.to_dot(graphtrace.trace(add_mul["f"], names=add_mul))
    assert "<I>saved</I> <B>other</B> <I>is</I> <B>z</B>" in dot
    assert "<I>saved</I> <B>self</B> <I>is</I> <B>q</B>" in dot


def test_to_graphviz_hands_the_same_source_to_the_graphviz_package(add_mul):
    import graphviz

    graph = graphtrace.trace(add_mul["f"], names=add_mul)
    source = graph.to_graphviz(rankdir="LR")
    assert isinstance(source, graphviz.Source)
    assert source.source == graph.to_dot(rankdir="LR")
