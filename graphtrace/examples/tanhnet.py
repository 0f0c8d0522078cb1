"""A one-hidden-layer tanh network on random ±1 labels whose autograd gradients are checked by hand."""

from __future__ import annotations

import torch

from .example import Built, Example, Fit, Recipe
from .seeding import generator

COURSE_004 = "004_f725d8341b584cce.txt"

N_INPUTS, M_PATTERNS, K_HIDDEN = 50, 100, 11


def tanh_data(seed: int = 0, device="cpu", dtype=torch.float32):
    """(X, y, W, w): inputs (100, 50), labels ±1 (100,), first-layer W (50, 11), readout w (11,)."""
    g = generator(seed)
    X = torch.randn(M_PATTERNS, N_INPUTS, generator=g, dtype=dtype)
    y = 2.0 * torch.randint(2, size=(M_PATTERNS,), generator=g).to(dtype) - 1
    W = torch.randn(N_INPUTS, K_HIDDEN, generator=g, dtype=dtype)
    w = torch.randn(K_HIDDEN, generator=g, dtype=dtype)
    return X.to(device), y.to(device), W.to(device).requires_grad_(), w.to(device).requires_grad_()


def tanh_forward(X, W, w):
    """(h, phi_h, y_pred): preactivation X @ W, tanh, linear readout phi_h @ w."""
    h = X @ W
    phi_h = torch.tanh(h)
    return h, phi_h, phi_h @ w


def tanh_loss(y_pred, y):
    """½ · mean squared error."""
    return 0.5 * ((y_pred - y) ** 2).mean()


def tanh_manual_gradients(X, y, W, w):
    """(∂L/∂W, ∂L/∂w) from the hand-derived formulas: (1/M) Σ δ·φ'(h)·w·x and (1/M) Σ δ·tanh(h)."""
    with torch.no_grad():
        _, phi_h, y_pred = tanh_forward(X, W, w)
        delta = y_pred - y
        dphi_h = 1.0 - phi_h**2  # tanh' written with its own output
        grad_W = (X.T @ (torch.outer(delta, w) * dphi_h)) / len(X)
        grad_w = (delta[:, None] * phi_h).mean(0)
    return grad_W, grad_w


def tanh_torch(device="cpu") -> Built:
    X, y, W, w = tanh_data(0, device)
    h, phi_h, y_pred = tanh_forward(X, W, w)
    delta = y_pred - y
    loss = 0.5 * (delta**2).mean()
    return Built(
        {"X": X, "W": W, "h": h, "phi_h": phi_h, "w": w, "y_pred": y_pred, "y": y, "delta": delta, "loss": loss},
        outputs=["loss"],
    )


def _fit_tanh(*, device, dtype, epochs, lr, seed, step) -> Fit:
    X, y, W, w = tanh_data(seed, device, dtype)
    losses = torch.empty(epochs, device=device, dtype=dtype)
    for epoch in range(epochs):
        _, _, y_pred = tanh_forward(X, W, w)
        loss = tanh_loss(y_pred, y)
        losses[epoch] = loss.detach()
        W.grad = None
        w.grad = None
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            w -= lr * w.grad
        step()
    return Fit(losses.tolist(), {"W": W.detach().cpu(), "w": w.detach().cpu()}, {"X": X.cpu(), "y": y.cpu()})


EXAMPLES = (
    Example(
        name="tanh-network",
        title="one hidden tanh layer, checked by hand",
        caption=(
            "50 inputs, 11 tanh units, a linear readout, 100 random ±1 labels, loss ½·mean((ŷ − y)²). "
            "The graph is two matrix products around a tanh; the gradients backward leaves in W "
            "and w equal the formulas derived by hand, δ·(1 − tanh²h)·w·x and δ·tanh h, averaged."
        ),
        source=COURSE_004,
        torch_builder=tanh_torch,
        recipe=Recipe(fit=_fit_tanh, epochs=5000, lr=0.1, loss="½·mse"),
    ),
)
