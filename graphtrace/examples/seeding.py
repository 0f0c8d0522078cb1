"""Seeded randomness that leaves the caller's global torch RNG untouched."""

from __future__ import annotations

import contextlib

import torch


def generator(seed: int) -> torch.Generator:
    """A CPU generator for data: drawn on the CPU and then moved, the numbers match on every device."""
    return torch.Generator().manual_seed(seed)


@contextlib.contextmanager
def seeded(seed: int):
    """Run nn.Module constructors (which draw from the global RNG) from `seed`, then restore the RNG."""
    # devices=[]: modules are built on the CPU and moved afterwards, so no CUDA RNG is touched.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield
