"""The Example record: one course example, buildable in torch (and in the scalar engine), maybe trainable."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable, NamedTuple, Optional

import torch

from .device import resolve_device


class Built(dict):
    """Name -> tensor (or scalar Value) of one build, in the course's order.

    `outputs` names the tensors whose graph is drawn (pass `built` itself as
    `names=` so the tracer labels every leaf, parameter and intermediate as the
    course does); `grad_outputs` holds the gradient to start backward from for an
    output that is not a scalar.
    """

    def __init__(self, tensors, outputs, grad_outputs=None):
        super().__init__(tensors)
        missing = [n for n in outputs if n not in self]
        if missing or not outputs:
            raise ValueError(f"outputs {missing or outputs!r} must name built tensors: {list(self)}")
        self.outputs = tuple(outputs)
        self.grad_outputs = dict(grad_outputs or {})

    def output_tensors(self) -> list:
        """The output tensors, in the order of `outputs`."""
        return [self[n] for n in self.outputs]

    def inputs(self) -> dict:
        """The named tensors that are not outputs: leaves, parameters, data, intermediates."""
        return {k: v for k, v in self.items() if k not in self.outputs}

    def backward(self) -> None:
        """Run the backward pass the course runs from the outputs (with `grad_outputs` where given)."""
        outs = self.output_tensors()
        grads = [self.grad_outputs.get(n) for n in self.outputs]
        if all(isinstance(t, torch.Tensor) for t in outs):
            torch.autograd.backward(outs, grad_tensors=grads)
            return
        # Scalar-engine Values: each output is a number, so backward() needs no gradient.
        for t, g in zip(outs, grads):
            t.backward() if g is None else t.backward(g)


class Fit(NamedTuple):
    """What a training loop hands back: the loss per epoch, the final parameters, the data it trained on."""

    losses: list
    params: dict
    data: dict


@dataclass(frozen=True)
class Recipe:
    """How an example trains: the course's epochs and learning rate, and the loop in each engine.

    fit(device=, dtype=, epochs=, lr=, seed=, step=) -> Fit runs the torch loop;
    fit_scalar(epochs=, lr=, seed=, step=) -> Fit runs the same loop in graphtrace.scalar.
    `step()` is called once per epoch (it drives the progress bar).
    """

    fit: Callable[..., Fit]
    epochs: int
    lr: float
    fit_scalar: Optional[Callable[..., Fit]] = None
    dtype: str = "float32"
    loss: str = "loss"


@dataclass(frozen=True)
class Example:
    """One course example.

    name      registry key, as the CLI spells it ("add-mul")
    title     a short heading
    caption   what the picture teaches, in our words
    source    the course file it comes from (shared/course/<source>)
    """

    name: str
    title: str
    caption: str
    source: str
    torch_builder: Callable[..., Built] = field(repr=False)
    scalar_builder: Optional[Callable[[], Built]] = field(default=None, repr=False)
    recipe: Optional[Recipe] = field(default=None, repr=False)

    def build_torch(self, device="cpu") -> Built:
        """Build the example in torch on `device` ("cpu", "cuda", "auto"); no backward is run."""
        return self.torch_builder(device=resolve_device(device))

    def build_scalar(self) -> Optional[Built]:
        """Build it with graphtrace.scalar Values, or None where the example is not about scalars."""
        return None if self.scalar_builder is None else self.scalar_builder()

    @property
    def has_scalar(self) -> bool:
        return self.scalar_builder is not None

    @property
    def trainable(self) -> bool:
        return self.recipe is not None

    @property
    def scalar_trainable(self) -> bool:
        return self.recipe is not None and self.recipe.fit_scalar is not None

    @property
    def train(self) -> Optional[Callable]:
        """graphtrace.examples.train bound to this example, or None when it has no training loop."""
        if self.recipe is None:
            return None
        from .training import train

        return functools.partial(train, self.name)
