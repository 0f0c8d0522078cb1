"""MSELoss and CrossEntropyLoss give the course's losses and gradients."""

import pytest
import torch

from graphtrace import examples
from graphtrace.examples.losses import mse_loss_torch


def test_mse_loss_is_9_with_gradient_minus_2():
    b = examples.get("mse-loss").build_torch()
    assert b["loss"].item() == 9.0
    assert type(b["loss"].grad_fn).__name__ == "MseLossBackward0"
    assert b["prediction"].grad is None
    b.backward()
    assert b["prediction"].grad.tolist() == [-2.0, -2.0, -2.0]
    # The oracle: d/dp mean((p - e)²) = 2(p - e)/n.
    p, e = b["prediction"].detach(), b["expected"]
    assert torch.equal(b["prediction"].grad, 2 * (p - e) / 3)


def test_mse_loss_without_requires_grad_cannot_backward():
    b = mse_loss_torch(requires_grad=False)
    assert b["loss"].item() == 9.0
    assert b["loss"].grad_fn is None
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and does not have a grad_fn"):
        b.backward()


def test_cross_entropy_with_probability_targets():
    b = examples.get("cross-entropy").build_torch()
    assert b["loss"].item() == pytest.approx(19.1141, abs=1e-4)
    b.backward()
    assert b["prediction"].grad.tolist() == pytest.approx([-2.6495, -1.3291, 3.9786], abs=1e-4)
    # The oracle by hand: loss = -Σ t·log_softmax(p), so ∂/∂p = softmax(p)·Σt − t.
    p, t = b["prediction"].detach(), b["expected"]
    assert torch.allclose(b["prediction"].grad, torch.softmax(p, 0) * t.sum() - t)
