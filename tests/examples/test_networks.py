"""The torch.nn examples: Linear–Sigmoid–Linear with MSELoss, Linear(5,1)+Sigmoid, the SGD loop."""

import pytest
import torch

from graphtrace import examples
from graphtrace.examples.networks import mlp_data, mlp_model


def reachable_names(output):
    seen, names, stack = set(), [], [output.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.append(type(node).__name__)
        stack.extend(fn for fn, _ in node.next_functions)
    return names


def test_mlp_build_names_the_course_steps_and_parameters():
    b = examples.get("mlp").build_torch()
    assert list(b) == [
        "x", "model[0].weight", "model[0].bias", "xi", "h",
        "model[2].weight", "model[2].bias", "f", "y", "loss",
    ]  # fmt: skip
    assert b["model[0].weight"].shape == (3, 2)
    assert b["model[2].weight"].shape == (2, 3)
    assert b["xi"].shape == (1, 3) and b["f"].shape == (1, 2)
    assert torch.equal(b["h"], torch.sigmoid(b["xi"]))
    names = reachable_names(b["loss"])
    assert names[0] == "MseLossBackward0"
    assert names.count("AddmmBackward0") == 2 and names.count("AccumulateGrad") == 4
    assert "SigmoidBackward0" in names


def test_mlp_gradients_equal_a_hand_written_forward():
    b = examples.get("mlp").build_torch()
    b.backward()
    # The oracle: the same network written out with plain tensor ops.
    W1, b1, W2, b2 = (b[k].detach().clone().requires_grad_() for k in
                      ("model[0].weight", "model[0].bias", "model[2].weight", "model[2].bias"))  # fmt: skip
    f = torch.sigmoid(b["x"] @ W1.T + b1) @ W2.T + b2
    ((f - b["y"]) ** 2).mean().backward()
    for mine, ref in zip(("model[0].weight", "model[0].bias", "model[2].weight", "model[2].bias"), (W1, b1, W2, b2)):
        assert torch.allclose(b[mine].grad, ref.grad, atol=1e-7)


def test_mlp_model_and_data_are_seeded_and_leave_the_global_rng_alone():
    state = torch.random.get_rng_state()
    m1, m2, m3 = mlp_model(0), mlp_model(0), mlp_model(1)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert all(torch.equal(p, q) for p, q in zip(m1.parameters(), m2.parameters()))
    assert not torch.equal(m1[0].weight, m3[0].weight)
    x, y = mlp_data(0)
    assert x.shape == (32, 2) and y.shape == (32, 2)
    assert x.abs().max() <= 1


def test_linear_sigmoid_on_one_to_five():
    b = examples.get("linear-sigmoid").build_torch()
    assert b["input"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert b["output"].shape == (1,)
    W, bias = b["net[0].weight"], b["net[0].bias"]
    expected = torch.sigmoid(W @ b["input"] + bias)
    assert torch.allclose(b["output"], expected)
    names = reachable_names(b["output"])
    assert names[0] == "SigmoidBackward0"
    assert set(names) == {"SigmoidBackward0", "ViewBackward0", "AddmmBackward0", "TBackward0", "AccumulateGrad"}
    b.backward()
    # d sigmoid(w·x + b)/dw = σ'(·)·x
    s = b["output"].detach()
    assert torch.allclose(W.grad, (s * (1 - s)) * b["input"][None, :])


def test_linear_stack_trains_for_the_course_ten_epochs():
    result = examples.train("linear-stack", device="cpu", progress=False)
    assert result.epochs == 10 and result.lr == 0.01
    assert len(result.losses) == 10
    assert all(b < a for a, b in zip(result.losses, result.losses[1:]))


def test_mlp_training_lowers_the_loss():
    result = examples.train("mlp", device="cpu", epochs=60, progress=False)
    assert result.losses[-1] < result.losses[0]
    assert set(result.params) == {"model[0].weight", "model[0].bias", "model[2].weight", "model[2].bias"}


def test_mlp_scalar_build_matches_torch_weight_by_weight():
    s = examples.get("mlp").build_scalar()
    t = examples.get("mlp").build_torch()
    t64 = {k: v.double() if v.is_floating_point() else v for k, v in t.items()}
    assert s["loss"].item() == pytest.approx(t64["loss"].item(), rel=1e-6)
    for j in range(3):
        assert s[f"h[{j}]"].item() == pytest.approx(t["h"][0, j].item(), rel=1e-6)
    s.backward()
    t.backward()
    for layer, (rows, cols) in (("model[0]", (3, 2)), ("model[2]", (2, 3))):
        grad_w = t[f"{layer}.weight"].grad
        for j in range(rows):
            assert s[f"{layer}.bias[{j}]"].grad.item() == pytest.approx(t[f"{layer}.bias"].grad[j].item(), abs=1e-6)
            for k in range(cols):
                assert s[f"{layer}.weight[{j},{k}]"].grad.item() == pytest.approx(grad_w[j, k].item(), abs=1e-6)
