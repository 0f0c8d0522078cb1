"""The sigmoid neuron on the course's sensor data: ŷ = σ(w·x + b), mean squared error, chain rule by hand."""

from __future__ import annotations

import torch

from . import scalar_models
from .example import Built, Example, Fit, Recipe
from .loop import sgd_loop

COURSE_003 = "003_076154eacbe4a861.txt"

# Two sensor readings per sample (12 samples) and the temperature measured at the same time.
# Sample 7 is [-4.0, 0.1], as the printed predictions (0.0198) show; one code listing drops the sign.
SENSOR_X = (
    (0.5, 0.9), (14.0, 12.0), (15.0, 13.6), (28.0, 22.8), (11.0, 8.1), (8.0, 7.1),
    (3.0, 2.9), (-4.0, 0.1), (6.0, 5.3), (13.0, 12.0), (21.0, 19.9), (-1.0, 1.5),
)  # fmt: skip
SENSOR_Y = (35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4, 29.1)
# The course scales the temperatures into the sigmoid's (0, 1) range.
Y_SCALE = 0.01


def sensor_data(device="cpu", dtype=torch.float32):
    """(X, y): X of shape (12, 2), y = temperatures · 0.01 of shape (12,)."""
    X = torch.tensor(SENSOR_X, dtype=dtype, device=device)
    y = torch.tensor(SENSOR_Y, dtype=dtype, device=device) * Y_SCALE
    return X, y


def neuron_forward(X, W, b):
    """The course's model: σ(Σ W·X over the features + b), one prediction per sample."""
    u = torch.sum(X * W, dim=1) + b
    return torch.sigmoid(u)


def neuron_loss(y_pred, y):
    """Mean squared error."""
    return torch.square(y_pred - y).mean()


def neuron_manual_gradient(X, y, W, b):
    """(∂L/∂W, ∂L/∂b) by the chain rule, as the course derives it: 2(ŷ − y) · σ(z)(1 − σ(z)) · x, averaged."""
    with torch.no_grad():
        z = torch.sum(X * W, dim=-1) + b
        s = torch.sigmoid(z)
        dl_dy = (2 * (s - y)).unsqueeze(-1)
        dy_df = 1.0
        ds_dz = (s * (1.0 - s)).unsqueeze(-1)
        W_grad = torch.mean(dl_dy * dy_df * ds_dz * X, dim=0)
        b_grad = torch.mean(dl_dy * dy_df * ds_dz * 1.0, dim=0)
    return W_grad, b_grad


def sample_torch(device="cpu", sample: int = 0) -> Built:
    """One sample through the neuron, weight by weight, as the course's backprop picture draws it."""
    (x0v, x1v), yv = SENSOR_X[sample], SENSOR_Y[sample] * Y_SCALE
    x0 = torch.tensor(x0v, device=device)
    x1 = torch.tensor(x1v, device=device)
    w0 = torch.tensor(1.0, device=device, requires_grad=True)
    w1 = torch.tensor(1.0, device=device, requires_grad=True)
    b = torch.tensor(0.0, device=device, requires_grad=True)
    y = torch.tensor(yv, device=device)
    z = x0 * w0 + x1 * w1 + b
    y_hat = torch.sigmoid(z)
    loss = (y_hat - y) ** 2
    return Built(
        {"x0": x0, "w0": w0, "x1": x1, "w1": w1, "b": b, "z": z, "y_hat": y_hat, "y": y, "loss": loss},
        outputs=["loss"],
    )


def sample_scalar(sample: int = 0) -> Built:
    from ..scalar import Value

    (x0v, x1v), yv = SENSOR_X[sample], SENSOR_Y[sample] * Y_SCALE
    x0, x1, y = Value(x0v), Value(x1v), Value(yv)
    w0 = Value(1.0, requires_grad=True)
    w1 = Value(1.0, requires_grad=True)
    b = Value(0.0, requires_grad=True)
    z = x0 * w0 + x1 * w1 + b
    y_hat = z.sigmoid()
    loss = (y_hat - y) ** 2
    return Built(
        {"x0": x0, "w0": w0, "x1": x1, "w1": w1, "b": b, "z": z, "y_hat": y_hat, "y": y, "loss": loss},
        outputs=["loss"],
    )


def _fit_torch(*, device, dtype, epochs, lr, seed, step) -> Fit:
    # The course starts from W = [1, 1], b = 0, so the seed changes nothing here.
    X, y = sensor_data(device, dtype)
    W = torch.ones(2, device=device, dtype=dtype, requires_grad=True)
    b = torch.zeros(1, device=device, dtype=dtype, requires_grad=True)
    losses = sgd_loop([W, b], lambda: neuron_loss(neuron_forward(X, W, b), y),
                      epochs=epochs, lr=lr, step=step, device=device, dtype=dtype)
    return Fit(
        losses,
        {"W": W.detach().cpu(), "b": b.detach().cpu()},
        {"X": X.cpu(), "y": y.cpu()},
    )


def _fit_scalar(*, epochs, lr, seed, step) -> Fit:
    X, y = sensor_data(dtype=torch.float64)
    return scalar_models.fit_neuron(
        X.tolist(), y.tolist(), weights=[1.0, 1.0], bias=0.0, epochs=epochs, lr=lr, step=step
    )


EXAMPLES = (
    Example(
        name="sigmoid-neuron",
        title="a sigmoid neuron, one sample",
        caption=(
            "One artificial neuron on the sensor data: z = x0·w0 + x1·w1 + b, ŷ = σ(z), loss = (ŷ − y)². "
            "Each node passes back its local derivative (2(ŷ − y), σ(z)(1 − σ(z)), x0, x1, 1), and "
            "their products are exactly the chain-rule gradients derived by hand. With W = [1, 1], "
            "b = 0 the twelve predictions start at 0.8022, 1.0000, ..., 0.6225."
        ),
        source=COURSE_003,
        torch_builder=sample_torch,
        scalar_builder=sample_scalar,
        recipe=Recipe(fit=_fit_torch, epochs=20_000, lr=0.01, fit_scalar=_fit_scalar, loss="mse"),
    ),
)
