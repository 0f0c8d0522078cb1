"""Regression by gradient descent: y = sin(x) by a cubic polynomial, and linear regression X @ w."""

from __future__ import annotations

import math

import torch

from .example import Built, Example, Fit, Recipe
from .seeding import generator

COURSE_001 = "001_c70a97b292bf2c61.txt"
COURSE_004 = "004_f725d8341b584cce.txt"

POLY_POINTS = 2000
LINREG_M, LINREG_N = 100, 10


def polynomial_data(device="cpu", dtype=torch.float32):
    """(x, y): 2000 points of y = sin(x) on [-π, π]."""
    x = torch.linspace(-math.pi, math.pi, POLY_POINTS, dtype=dtype, device=device)
    return x, torch.sin(x)


def polynomial_coefficients(seed: int = 0, device="cpu", dtype=torch.float32):
    """a, b, c, d: random scalars that require grad, as the course creates them."""
    g = generator(seed)
    return tuple(torch.randn((), generator=g, dtype=dtype).to(device).requires_grad_() for _ in range(4))


def polynomial_forward(x, a, b, c, d):
    return a + b * x + c * x**2 + d * x**3


def polynomial_loss(y_pred, y):
    """The course's summed squared error (not a mean: the tiny learning rate makes up for it)."""
    return (y_pred - y).pow(2).sum()


def polynomial_manual_gradients(x, y, a, b, c, d) -> dict:
    """∂loss/∂a..d by hand, as in the numpy version: grad_y_pred = 2(y_pred − y), times 1, x, x², x³."""
    with torch.no_grad():
        y_pred = polynomial_forward(x, a, b, c, d)
        grad_y_pred = 2.0 * (y_pred - y)
        return {
            "a": grad_y_pred.sum(),
            "b": (grad_y_pred * x).sum(),
            "c": (grad_y_pred * x**2).sum(),
            "d": (grad_y_pred * x**3).sum(),
        }


def polynomial_torch(device="cpu") -> Built:
    x, y = polynomial_data(device)
    a, b, c, d = polynomial_coefficients(0, device)
    y_pred = polynomial_forward(x, a, b, c, d)
    loss = polynomial_loss(y_pred, y)
    return Built(
        {"x": x, "a": a, "b": b, "c": c, "d": d, "y_pred": y_pred, "y": y, "loss": loss}, outputs=["loss"]
    )


def _fit_polynomial(*, device, dtype, epochs, lr, seed, step) -> Fit:
    x, y = polynomial_data(device, dtype)
    coefficients = polynomial_coefficients(seed, device, dtype)
    losses = torch.empty(epochs, device=device, dtype=dtype)
    for epoch in range(epochs):
        loss = polynomial_loss(polynomial_forward(x, *coefficients), y)
        losses[epoch] = loss.detach()
        loss.backward()
        # The update itself must not become part of the next graph.
        with torch.no_grad():
            for p in coefficients:
                p -= lr * p.grad
                p.grad = None
        step()
    params = {k: p.detach().cpu() for k, p in zip("abcd", coefficients)}
    return Fit(losses.tolist(), params, {"x": x.cpu(), "y": y.cpu()})


def linear_regression_data(seed: int = 0, device="cpu", dtype=torch.float32):
    """(X, y, w): 100 random patterns of 10 features, random targets, random initial weights."""
    g = generator(seed)
    X = torch.randn(LINREG_M, LINREG_N, generator=g, dtype=dtype)
    y = torch.randn(LINREG_M, generator=g, dtype=dtype)
    w = torch.randn(LINREG_N, generator=g, dtype=dtype)
    return X.to(device), y.to(device), w.to(device).requires_grad_()


def least_squares(X, y):
    """The weights that minimise mean((X @ w − y)²): the pseudo-inverse solution pinv(X) @ y."""
    return torch.linalg.pinv(X) @ y


def linear_regression_torch(device="cpu") -> Built:
    X, y, w = linear_regression_data(0, device)
    y_pred = X @ w
    loss = ((y_pred - y) ** 2).mean()
    return Built({"X": X, "w": w, "y_pred": y_pred, "y": y, "loss": loss}, outputs=["loss"])


def _fit_linear_regression(*, device, dtype, epochs, lr, seed, step) -> Fit:
    X, y, w = linear_regression_data(seed, device, dtype)
    losses = torch.empty(epochs, device=device, dtype=dtype)
    for epoch in range(epochs):
        loss = ((X @ w - y) ** 2).mean()
        losses[epoch] = loss.detach()
        w.grad = None
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        step()
    return Fit(losses.tolist(), {"w": w.detach().cpu()}, {"X": X.cpu(), "y": y.cpu()})


EXAMPLES = (
    Example(
        name="polynomial",
        title="y = sin(x) fitted by a + bx + cx² + dx³",
        caption=(
            "Four scalar weights a, b, c, d meet 2000 points of x in one expression; the summed "
            "squared error against sin(x) is the loss. The gradients autograd finds are the ones "
            "worked out by hand, 2Σ(ŷ − y)·(1, x, x², x³), and a tiny learning rate (1e-6) "
            "walks the cubic towards the sine."
        ),
        source=COURSE_001,
        torch_builder=polynomial_torch,
        recipe=Recipe(fit=_fit_polynomial, epochs=2000, lr=1e-6, loss="sum of squared errors"),
    ),
    Example(
        name="linear-regression",
        title="linear regression y ≈ X @ w",
        caption=(
            "The simplest learning problem: 100 random patterns, 10 weights, mean squared error. "
            "A hundred gradient steps with lr = 0.1 land on the same weights as the closed-form "
            "pseudo-inverse solution."
        ),
        source=COURSE_004,
        torch_builder=linear_regression_torch,
        recipe=Recipe(fit=_fit_linear_regression, epochs=100, lr=0.1, loss="mse"),
    ),
)
