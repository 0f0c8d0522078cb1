"""The neuron and the MLP in graphtrace.scalar, started from the same numbers as their torch twins."""

from __future__ import annotations

import torch

from .example import Built, Fit


def _mean_squared_error(pairs):
    # Summed in sample order and divided once, as torch's mean does.
    total, count = None, 0
    for prediction, target in pairs:
        term = (prediction - target) ** 2
        total = term if total is None else total + term
        count += 1
    return total / count


def fit_neuron(X, y, *, weights, bias, epochs, lr, step) -> Fit:
    """Full-batch SGD on σ(w·x + b) with mean squared error; X, y are lists of floats."""
    from ..scalar import nn

    neuron = nn.Neuron(len(weights), activation="sigmoid")
    neuron.set_weights(weights, bias)
    optimizer = nn.SGD(neuron.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        loss = _mean_squared_error((neuron(x), t) for x, t in zip(X, y))
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step()
    params = {
        "W": torch.tensor([w.item() for w in neuron.w], dtype=torch.float64),
        "b": torch.tensor([neuron.b.item()], dtype=torch.float64),
    }
    return Fit(losses, params, {"X": torch.tensor(X, dtype=torch.float64), "y": torch.tensor(y, dtype=torch.float64)})


def _linear_layers(model: torch.nn.Sequential):
    """(index, Linear) for each Linear of the Sequential, the hidden ones followed by a Sigmoid."""
    return [(i, m) for i, m in enumerate(model) if isinstance(m, torch.nn.Linear)]


def scalar_mlp(model: torch.nn.Sequential):
    """A graphtrace.scalar.nn.MLP with the torch model's sizes and weights (sigmoid hidden, linear out)."""
    from ..scalar import nn

    linears = [m for _, m in _linear_layers(model)]
    mlp = nn.MLP(linears[0].in_features, [m.out_features for m in linears], activation="sigmoid")
    mlp.set_weights([(m.weight.tolist(), m.bias.tolist()) for m in linears])
    return mlp


def _as_list(out):
    # A Layer of one neuron hands back the Value itself, not a list of one.
    return out if isinstance(out, list) else [out]


def fit_mlp(model: torch.nn.Sequential, x, y, *, epochs, lr, step) -> Fit:
    """Full-batch SGD with MSELoss (mean over every output of every sample), from the torch model's weights."""
    from ..scalar import nn

    mlp = scalar_mlp(model)
    optimizer = nn.SGD(mlp.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        loss = _mean_squared_error(
            (p, t) for xi, yi in zip(x, y) for p, t in zip(_as_list(mlp(xi)), yi)
        )
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step()
    params = {}
    for (index, _), layer in zip(_linear_layers(model), mlp.layers):
        params[f"model[{index}].weight"] = torch.tensor(
            [[w.item() for w in n.w] for n in layer.neurons], dtype=torch.float64
        )
        params[f"model[{index}].bias"] = torch.tensor([n.b.item() for n in layer.neurons], dtype=torch.float64)
    data = {"x": torch.tensor(x, dtype=torch.float64), "y": torch.tensor(y, dtype=torch.float64)}
    return Fit(losses, params, data)


def mlp_sample_build(model: torch.nn.Sequential, x, y) -> Built:
    """One sample through Linear(2,3) → Sigmoid → Linear(3,2) → MSE, one Value per weight.

    Built by hand from Values (not nn.MLP) so that every weight, pre-activation and output
    can carry the name the torch build gives its tensor, element by element.
    """
    from ..scalar import Value

    named = {}
    inputs = []
    for k, v in enumerate(x):
        inputs.append(Value(v))
        named[f"x[{k}]"] = inputs[-1]
    layer_in = inputs
    (i0, lin0), (i1, lin1) = _linear_layers(model)
    stages = ((i0, lin0, "xi", "h"), (i1, lin1, "f", None))
    for index, linear, pre_name, act_name in stages:
        outs = []
        for j, (row, bias) in enumerate(zip(linear.weight.tolist(), linear.bias.tolist())):
            ws = [Value(w, requires_grad=True) for w in row]
            b = Value(bias, requires_grad=True)
            for k, w in enumerate(ws):
                named[f"model[{index}].weight[{j},{k}]"] = w
            named[f"model[{index}].bias[{j}]"] = b
            # The scalar engine's Neuron order: b + w0·x0 + w1·x1 + ...
            act = b
            for w, xk in zip(ws, layer_in):
                act = act + w * xk
            named[f"{pre_name}[{j}]"] = act
            if act_name is not None:
                act = act.sigmoid()
                named[f"{act_name}[{j}]"] = act
            outs.append(act)
        layer_in = outs
    for k, v in enumerate(y):
        named[f"y[{k}]"] = Value(v)
    named["loss"] = _mean_squared_error((f, named[f"y[{k}]"]) for k, f in enumerate(layer_in))
    return Built(named, outputs=["loss"])
