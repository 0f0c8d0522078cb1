"""The course's training loop with torch.optim.SGD, shared by the examples that train with an optimizer."""

from __future__ import annotations

import torch


def sgd_loop(parameters, compute_loss, *, epochs, lr, step, device, dtype) -> list:
    """Run ``epochs`` of: loss = compute_loss(); zero_grad; backward; SGD step. Returns the losses.

    The loss before each step is kept on the device and read once at the end:
    an .item() per epoch would wait for a GPU every step.
    """
    optimizer = torch.optim.SGD(parameters, lr=lr)
    losses = torch.empty(epochs, device=device, dtype=dtype)
    for epoch in range(epochs):
        loss = compute_loss()
        losses[epoch] = loss.detach()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step()
    return losses.tolist()
