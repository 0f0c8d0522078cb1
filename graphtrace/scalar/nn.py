"""Neurons, layers, an MLP and torch's SGD optimizer, built from scalar Values."""

import math
import random

from graphtrace.scalar.engine import Value, no_grad

__all__ = ["Module", "Neuron", "Layer", "MLP", "SGD"]

_ACTIVATIONS = {
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "linear": None,
}


def _rng(seed, rng):
    if rng is not None:
        return rng
    return random.Random(seed)


class Module:
    """torch.nn.Module's two habits: parameters() lists the leaves, zero_grad() resets their grads."""

    def parameters(self):
        return []

    def zero_grad(self, set_to_none=True):
        """Like torch (set_to_none=True by default): grads become None, or 0 in place."""
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                with no_grad():
                    p.grad.zero_()


class Neuron(Module):
    """activation(b + w0*x0 + w1*x1 + ...). Weights start uniform in ±1/sqrt(nin), as torch.nn.Linear."""

    def __init__(self, nin, activation="tanh", *, seed=0, rng=None):
        if activation not in _ACTIVATIONS:
            raise ValueError("activation must be one of %s, got %r"
                             % (", ".join(map(repr, _ACTIVATIONS)), activation))
        rng = _rng(seed, rng)
        bound = 1.0 / math.sqrt(nin)
        self.w = [Value(rng.uniform(-bound, bound), requires_grad=True) for _ in range(nin)]
        self.b = Value(rng.uniform(-bound, bound), requires_grad=True)
        self.activation = activation

    def __call__(self, x):
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        f = _ACTIVATIONS[self.activation]
        return act if f is None else f(act)

    def parameters(self):
        return self.w + [self.b]

    def set_weights(self, w, b):
        """Copy numbers in (e.g. from a torch model); an in-place change, so the version goes up."""
        if len(w) != len(self.w):
            raise ValueError("expected %d weights, got %d" % (len(self.w), len(w)))
        with no_grad():
            for p, value in zip(self.w + [self.b], list(w) + [b]):
                p.copy_(value)

    def __repr__(self):
        return "Neuron(%d, activation=%r)" % (len(self.w), self.activation)


class Layer(Module):
    """nout neurons reading the same inputs (torch.nn.Linear plus an activation)."""

    def __init__(self, nin, nout, activation="tanh", *, seed=0, rng=None):
        rng = _rng(seed, rng)
        self.neurons = [Neuron(nin, activation, rng=rng) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

    def set_weights(self, weight, bias):
        """weight: nout rows of nin numbers (torch's Linear.weight.tolist()); bias: nout numbers."""
        if len(weight) != len(self.neurons) or len(bias) != len(self.neurons):
            raise ValueError("expected %d rows and biases, got %d and %d"
                             % (len(self.neurons), len(weight), len(bias)))
        for n, w, b in zip(self.neurons, weight, bias):
            n.set_weights(w, b)

    def __repr__(self):
        return "Layer(%d, %d, activation=%r)" % (
            len(self.neurons[0].w), len(self.neurons), self.neurons[0].activation)


class MLP(Module):
    """Layers of sizes nin -> nouts[0] -> ... ; hidden layers use `activation`, the last is linear."""

    def __init__(self, nin, nouts, activation="tanh", *, seed=0, rng=None,
                 output_activation="linear"):
        rng = _rng(seed, rng)
        sizes = [nin] + list(nouts)
        self.layers = [
            Layer(sizes[i], sizes[i + 1],
                  activation if i < len(nouts) - 1 else output_activation, rng=rng)
            for i in range(len(nouts))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def set_weights(self, weights):
        """weights: one (weight, bias) pair per layer, shaped like torch's Linear layers."""
        if len(weights) != len(self.layers):
            raise ValueError("expected %d (weight, bias) pairs, got %d" % (len(self.layers), len(weights)))
        for layer, (w, b) in zip(self.layers, weights):
            layer.set_weights(w, b)

    def __repr__(self):
        return "MLP(%s)" % ", ".join(map(repr, self.layers))


class SGD:
    """torch.optim.SGD for Values: same arguments, same update rule, same checks.

    step(): d = grad (+ weight_decay * p); with momentum, buf = momentum * buf + (1 - dampening) * d
    (buf = d on the first step) and d = buf, or d + momentum * buf with nesterov; then p -= lr * d.
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False, *, maximize=False):
        if lr < 0.0:
            raise ValueError("Invalid learning rate: {}".format(lr))
        if momentum < 0.0:
            raise ValueError("Invalid momentum value: {}".format(momentum))
        if weight_decay < 0.0:
            raise ValueError("Invalid weight_decay value: {}".format(weight_decay))
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        for p in self.params:
            if not isinstance(p, Value) or not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Value" if isinstance(p, Value)
                                 else "SGD params must be Values, got %s" % type(p).__name__)
        self.lr, self.momentum, self.dampening = lr, momentum, dampening
        self.weight_decay, self.nesterov, self.maximize = weight_decay, nesterov, maximize
        self.momentum_buffers = [None] * len(self.params)

    @no_grad()
    def step(self):
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            d = p.grad.data
            if self.maximize:
                d = -d
            if self.weight_decay != 0:
                d = d + self.weight_decay * p.data
            if self.momentum != 0:
                buf = self.momentum_buffers[i]
                buf = d if buf is None else buf * self.momentum + (1 - self.dampening) * d
                self.momentum_buffers[i] = buf
                d = d + self.momentum * buf if self.nesterov else buf
            p += -self.lr * d  # in place under no_grad: p's version goes up, as with torch's p.add_

    def zero_grad(self, set_to_none=True):
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()
