"""The registry: names, lookup errors, and that every example builds, draws and runs backward."""

import re

import pytest
import torch

from graphtrace import examples
from graphtrace.errors import GraphtraceError
from graphtrace.examples import Built, Example, ExampleError, UnknownExampleError

REQUIRED = [
    "add-mul", "tensor-backward", "retain-grad", "detach", "no-grad", "grad-accumulation", "mse-loss",
    "sigmoid-neuron", "mlp", "linear-sigmoid", "tanh-network", "polynomial", "linear-regression",
]  # fmt: skip


def test_names_cover_the_course_and_are_unique():
    names = examples.names()
    assert len(names) == len(set(names))
    assert set(REQUIRED) <= set(names)
    assert [e.name for e in examples.all()] == names == [e.name for e in examples.all_examples()]
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", n) for n in names)


def test_all_is_not_star_exported():
    assert "all" not in examples.__all__
    namespace = {}
    exec("from graphtrace.examples import *", namespace)
    assert namespace.get("all", all) is all


@pytest.mark.parametrize("name", examples.names())
def test_every_example_is_described_and_sourced(name):
    ex = examples.get(name)
    assert isinstance(ex, Example) and ex.name == name
    assert ex.title.strip() and len(ex.caption) > 40
    assert re.fullmatch(r"00[0-4]_[0-9a-f]{16}\.txt", ex.source)


@pytest.mark.parametrize("name", examples.names())
def test_every_example_builds_with_named_outputs_that_have_a_graph(name):
    ex = examples.get(name)
    built = ex.build_torch(device="cpu")
    assert isinstance(built, Built) and built.outputs
    for out in built.output_tensors():
        assert isinstance(out, torch.Tensor) and out.grad_fn is not None
    assert all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in built.items())
    assert set(built.inputs()) == set(built) - set(built.outputs)
    # At least one named leaf that backward will write a gradient into.
    leaves = [t for t in built.inputs().values() if t.is_leaf and t.requires_grad]
    assert leaves
    built.backward()
    assert all(t.grad is not None for t in leaves)


@pytest.mark.parametrize("name", examples.names())
def test_builds_are_deterministic(name):
    a = examples.get(name).build_torch()
    b = examples.get(name).build_torch()
    assert list(a) == list(b)
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_scalar_builds_exist_where_the_example_is_scalar():
    with_scalar = {e.name for e in examples.all() if e.has_scalar}
    assert {"add-mul", "sigmoid-neuron"} <= with_scalar
    assert examples.get("tensor-backward").build_scalar() is None
    assert examples.get("tensor-backward").has_scalar is False


def test_trainable_examples():
    trainable = examples.trainable_names()
    assert {"sigmoid-neuron", "mlp", "polynomial", "linear-regression", "tanh-network"} <= set(trainable)
    assert {"sigmoid-neuron", "mlp"} <= set(examples.trainable_names("scalar"))
    assert examples.get("add-mul").train is None
    assert callable(examples.get("mlp").train)
    assert examples.get("mlp").train(epochs=2, progress=False, device="cpu").name == "mlp"


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(UnknownExampleError) as info:
        examples.get("add-mull")
    message = str(info.value)
    assert "'add-mull'" in message and "did you mean 'add-mul'?" in message
    for name in examples.names():
        assert name in message
    assert isinstance(info.value, ExampleError) and isinstance(info.value, GraphtraceError)
    assert isinstance(info.value, ValueError)


def test_names_forgive_case_and_underscores():
    assert examples.get("Add_Mul").name == "add-mul"
    assert examples.get(examples.get("mlp")) is examples.get("mlp")


def test_a_name_that_is_not_a_string_is_a_clear_error():
    with pytest.raises(UnknownExampleError, match="an example name is a string, not int"):
        examples.get(3)


def test_built_refuses_outputs_it_does_not_hold():
    with pytest.raises(ValueError, match="must name built tensors"):
        Built({"x": torch.ones(1)}, outputs=["y"])
