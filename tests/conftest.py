"""Shared fixtures: the course graphs, and the layout/browser markers (skip locally, fail under CI=true)."""

import os
import shutil

import pytest
import torch

IN_CI = os.environ.get("CI", "").lower() == "true"


def _layout_available() -> bool:
    from graphtrace.errors import LayoutProgramNotFound
    from graphtrace.render.layout import find_layout_program

    try:
        find_layout_program()
        return True
    except LayoutProgramNotFound:
        return False


def _browser_available() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return bool(os.environ.get("GRAPHTRACE_CHROMIUM") or shutil.which("chromium"))


def pytest_collection_modifyitems(config, items):
    needs = {"layout": _layout_available, "browser": _browser_available}
    for marker, available in needs.items():
        marked = [item for item in items if marker in item.keywords]
        if not marked or available():
            continue
        if IN_CI:
            continue  # CI must prove these paths: the tests run, and fail without the program.
        for item in marked:
            item.add_marker(pytest.mark.skip(reason=f"needs a {marker} program; see README"))


@pytest.fixture
def add_mul():
    """f = (x + y) * z at x=-2, y=5, z=-4, as in the course."""
    x = torch.tensor(-2.0, requires_grad=True)
    y = torch.tensor(5.0, requires_grad=True)
    z = torch.tensor(-4.0, requires_grad=True)
    q = x + y
    f = q * z
    return {"x": x, "y": y, "z": z, "q": q, "f": f}


@pytest.fixture
def sigmoid_neuron():
    """One sample, two inputs: loss = (sigmoid(w·x + b) - target)²."""
    x = torch.tensor([0.5, 0.9])
    w = torch.tensor([1.0, 1.0], requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    target = torch.tensor(0.357)
    z = w @ x + b
    prediction = torch.sigmoid(z)
    loss = (prediction - target) ** 2
    return {"x": x, "w": w, "b": b, "target": target, "z": z, "prediction": prediction, "loss": loss}


@pytest.fixture
def small_mlp():
    """nn.Sequential(Linear(2,3), Sigmoid(), Linear(3,2)) with MSELoss, fixed weights."""
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sigmoid(), torch.nn.Linear(3, 2))
    with torch.no_grad():
        for index, parameter in enumerate(model.parameters()):
            values = torch.arange(parameter.numel(), dtype=torch.float32) * 0.1 - 0.2 * index
            parameter.copy_(values.reshape(parameter.shape))
    inputs = torch.tensor([[1.0, 2.0]])
    targets = torch.tensor([[0.5, -0.5]])
    loss = torch.nn.MSELoss()(model(inputs), targets)
    return {"model": model, "inputs": inputs, "targets": targets, "loss": loss}
