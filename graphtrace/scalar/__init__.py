"""graphtrace.scalar: a pure-Python scalar autograd engine that names and runs its graph like torch."""

from graphtrace.scalar.engine import (
    AccumulateGrad, Node, RemovableHandle, Value, enable_grad, exp, is_grad_enabled, log,
    no_grad, relu, sigmoid, tanh,
)
from graphtrace.scalar.nn import MLP, SGD, Layer, Module, Neuron

__all__ = [
    "Value", "Node", "AccumulateGrad", "RemovableHandle",
    "no_grad", "enable_grad", "is_grad_enabled",
    "exp", "log", "tanh", "sigmoid", "relu",
    "Module", "Neuron", "Layer", "MLP", "SGD",
]
