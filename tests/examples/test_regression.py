"""Polynomial regression, linear regression and the tanh network: autograd against hand-derived gradients."""

import pytest
import torch

from graphtrace import examples
from graphtrace.examples.regression import (
    least_squares,
    linear_regression_data,
    polynomial_coefficients,
    polynomial_data,
    polynomial_forward,
    polynomial_loss,
    polynomial_manual_gradients,
)
from graphtrace.examples.tanhnet import tanh_data, tanh_forward, tanh_loss, tanh_manual_gradients


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_polynomial_manual_gradients_equal_autograd(seed):
    x, y = polynomial_data(dtype=torch.float64)
    a, b, c, d = polynomial_coefficients(seed, dtype=torch.float64)
    polynomial_loss(polynomial_forward(x, a, b, c, d), y).backward()
    manual = polynomial_manual_gradients(x, y, a, b, c, d)
    for name, p in zip("abcd", (a, b, c, d)):
        assert torch.allclose(manual[name], p.grad, rtol=1e-10), name


def test_polynomial_build_and_data():
    b = examples.get("polynomial").build_torch()
    assert b["x"].shape == (2000,)
    assert b["x"][0].item() == pytest.approx(-torch.pi) and b["x"][-1].item() == pytest.approx(torch.pi)
    assert torch.allclose(b["y"], torch.sin(b["x"]))
    assert all(b[k].shape == () and b[k].requires_grad for k in "abcd")


def test_polynomial_training_moves_towards_sin():
    result = examples.train("polynomial", device="cpu", epochs=300, progress=False)
    assert result.lr == 1e-6
    assert result.losses[-1] < result.losses[0] / 10


def test_linear_regression_reaches_the_pseudo_inverse_solution():
    result = examples.train("linear-regression", device="cpu", progress=False)
    assert result.epochs == 100 and result.lr == 0.1
    X, y = result.data["X"], result.data["y"]
    w_opt = least_squares(X, y)
    # The course's closed form agrees with the pseudo-inverse.
    assert torch.allclose(torch.linalg.inv(X.T @ X) @ (X.T @ y), w_opt, atol=1e-5)
    assert torch.allclose(result.params["w"], w_opt, atol=1e-4)
    final = ((X @ w_opt - y) ** 2).mean().item()
    assert result.losses[-1] == pytest.approx(final, rel=1e-4)


def test_linear_regression_data_is_seeded():
    X0, y0, w0 = linear_regression_data(0)
    X1, _, _ = linear_regression_data(0)
    X2, _, _ = linear_regression_data(1)
    assert torch.equal(X0, X1) and not torch.equal(X0, X2)
    assert X0.shape == (100, 10) and y0.shape == (100,) and w0.requires_grad and w0.is_leaf


@pytest.mark.parametrize("seed", [0, 3])
def test_tanh_network_autograd_equals_the_hand_derived_gradients(seed):
    X, y, W, w = tanh_data(seed)
    assert X.shape == (100, 50) and W.shape == (50, 11) and w.shape == (11,)
    assert set(y.unique().tolist()) <= {-1.0, 1.0}
    _, _, y_pred = tanh_forward(X, W, w)
    tanh_loss(y_pred, y).backward()
    grad_W, grad_w = tanh_manual_gradients(X, y, W, w)
    # The course's own check, torch.allclose with its default tolerances.
    assert torch.allclose(W.grad, grad_W)
    assert torch.allclose(w.grad, grad_w)


def test_tanh_network_build_names_the_course_tensors():
    b = examples.get("tanh-network").build_torch()
    assert list(b) == ["X", "W", "h", "phi_h", "w", "y_pred", "y", "delta", "loss"]
    assert torch.allclose(b["phi_h"], torch.tanh(b["h"]))
    assert b["loss"].item() == pytest.approx(0.5 * (b["delta"] ** 2).mean().item())


def test_tanh_network_trains():
    result = examples.train("tanh-network", device="cpu", epochs=100, progress=False)
    assert result.losses[-1] < result.losses[0] / 2
