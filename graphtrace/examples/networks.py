"""torch.nn examples: the Linear–Sigmoid–Linear MLP, Linear(5,1)+Sigmoid, and a two-layer SGD loop."""

from __future__ import annotations

import torch

from . import scalar_models
from .example import Built, Example, Fit, Recipe
from .loop import sgd_loop
from .seeding import generator, seeded

COURSE_001 = "001_c70a97b292bf2c61.txt"
COURSE_002 = "002_c4ef9d995d41fd31.txt"

MLP_SAMPLES = 32


def mlp_model(seed: int = 0) -> torch.nn.Sequential:
    """nn.Sequential(Linear(2, 3), Sigmoid(), Linear(3, 2)), initialised from `seed` on the CPU."""
    with seeded(seed):
        return torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sigmoid(), torch.nn.Linear(3, 2))


def mlp_data(seed: int = 0, device="cpu", dtype=torch.float32):
    """(x, y): 32 points in [-1, 1]², with two smooth targets for the two outputs."""
    x = torch.rand(MLP_SAMPLES, 2, generator=generator(seed), dtype=torch.float64) * 2 - 1
    y = torch.stack([x[:, 0] * x[:, 1], 0.5 * (x[:, 0] - x[:, 1])], dim=1)
    return x.to(device=device, dtype=dtype), y.to(device=device, dtype=dtype)


def _layer_names(prefix: str, model: torch.nn.Module) -> dict:
    # The course names parameters by layer index: model[0].weight, model[2].bias.
    out = {}
    for name, p in model.named_parameters():
        index, attr = name.split(".")
        out[f"{prefix}[{index}].{attr}"] = p
    return out


def mlp_torch(device="cpu") -> Built:
    model = mlp_model(0).to(device)
    x, y = mlp_data(0, device)
    x, y = x[:1], y[:1]
    loss_function = torch.nn.MSELoss()
    xi = model[0](x)
    h = model[1](xi)
    f = model[2](h)
    loss = loss_function(f, y)
    params = _layer_names("model", model)
    return Built(
        {"x": x, **{k: v for k, v in params.items() if k.startswith("model[0]")}, "xi": xi, "h": h,
         **{k: v for k, v in params.items() if k.startswith("model[2]")}, "f": f, "y": y, "loss": loss},
        outputs=["loss"],
    )  # fmt: skip


def mlp_scalar() -> Built:
    model = mlp_model(0).double()
    x, y = mlp_data(0, dtype=torch.float64)
    return scalar_models.mlp_sample_build(model, x[0].tolist(), y[0].tolist())


def _fit_with_mse(model, inputs, targets, data_names, *, device, dtype, epochs, lr, step) -> Fit:
    """Train ``model`` on (inputs, targets) with MSELoss and SGD; the Fit names the data ``data_names``."""
    loss_function = torch.nn.MSELoss()
    losses = sgd_loop(model.parameters(), lambda: loss_function(model(inputs), targets),
                      epochs=epochs, lr=lr, step=step, device=device, dtype=dtype)
    params = {k: v.detach().cpu() for k, v in _layer_names("model", model).items()}
    return Fit(losses, params, dict(zip(data_names, (inputs.cpu(), targets.cpu()))))


def _fit_mlp(*, device, dtype, epochs, lr, seed, step) -> Fit:
    model = mlp_model(seed).to(device=device, dtype=dtype)
    x, y = mlp_data(seed, device, dtype)
    return _fit_with_mse(model, x, y, ("x", "y"), device=device, dtype=dtype, epochs=epochs, lr=lr, step=step)


def _fit_mlp_scalar(*, epochs, lr, seed, step) -> Fit:
    # The same initial weights and data as the torch loop, in float64, copied into the scalar MLP.
    model = mlp_model(seed).double()
    x, y = mlp_data(seed, dtype=torch.float64)
    return scalar_models.fit_mlp(model, x.tolist(), y.tolist(), epochs=epochs, lr=lr, step=step)


def linear_sigmoid_torch(device="cpu") -> Built:
    with seeded(0):
        net = torch.nn.Sequential(torch.nn.Linear(5, 1), torch.nn.Sigmoid())
    net = net.to(device)
    input = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0], device=device)
    output = net(input)
    return Built({"input": input, **_layer_names("net", net), "output": output}, outputs=["output"])


def linear_stack_model(seed: int = 0) -> torch.nn.Sequential:
    with seeded(seed):
        return torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.Linear(4, 1))


def linear_stack_data(seed: int = 0, device="cpu", dtype=torch.float32):
    """64 random inputs of 8 features and 64 random labels, as the course simulates them."""
    g = generator(seed)
    inputs = torch.randn(64, 8, generator=g)
    labels = torch.randn(64, 1, generator=g)
    return inputs.to(device=device, dtype=dtype), labels.to(device=device, dtype=dtype)


def linear_stack_torch(device="cpu") -> Built:
    model = linear_stack_model(0).to(device)
    inputs, labels = linear_stack_data(0, device)
    outputs = model(inputs)
    loss = torch.nn.MSELoss()(outputs, labels)
    return Built(
        {"inputs": inputs, **_layer_names("model", model), "outputs": outputs, "labels": labels, "loss": loss},
        outputs=["loss"],
    )


def _fit_linear_stack(*, device, dtype, epochs, lr, seed, step) -> Fit:
    model = linear_stack_model(seed).to(device=device, dtype=dtype)
    inputs, labels = linear_stack_data(seed, device, dtype)
    return _fit_with_mse(model, inputs, labels, ("inputs", "labels"),
                         device=device, dtype=dtype, epochs=epochs, lr=lr, step=step)


EXAMPLES = (
    Example(
        name="mlp",
        title="Linear → Sigmoid → Linear with MSELoss",
        caption=(
            "nn.Sequential(Linear(2, 3), Sigmoid(), Linear(3, 2)) on one sample: xi = model[0](x), "
            "h = σ(xi), f = model[2](h), loss = MSELoss(f, y). Each Linear is one AddmmBackward0 "
            "fed by its weight (through a transpose) and its bias; backward reaches all four "
            "parameters that model.parameters() lists."
        ),
        source=COURSE_001,
        torch_builder=mlp_torch,
        scalar_builder=mlp_scalar,
        recipe=Recipe(fit=_fit_mlp, epochs=1000, lr=0.5, fit_scalar=_fit_mlp_scalar, loss="mse"),
    ),
    Example(
        name="linear-sigmoid",
        title="Sequential(Linear(5, 1), Sigmoid())",
        caption=(
            "The network the course draws with torchviz, on the input [1, 2, 3, 4, 5]: the weight "
            "goes through a transpose (TBackward0) into one AddmmBackward0 that multiplies and adds "
            "the bias, the 1-D result is reshaped (ViewBackward0) and squashed by the sigmoid. "
            "Older torch drew Mm, Squeeze and Add nodes here instead. The two AccumulateGrad nodes "
            "are where backward writes weight.grad and bias.grad."
        ),
        source=COURSE_002,
        torch_builder=linear_sigmoid_torch,
    ),
    Example(
        name="linear-stack",
        title="Linear(8, 4) → Linear(4, 1) trained with SGD",
        caption=(
            "The course's training loop: outputs = model(inputs), loss = MSELoss, "
            "optimizer.zero_grad(), loss.backward(), optimizer.step(), on 64 random samples with "
            "SGD(lr=0.01). The loss creeps down epoch by epoch."
        ),
        source=COURSE_002,
        torch_builder=linear_stack_torch,
        recipe=Recipe(fit=_fit_linear_stack, epochs=10, lr=0.01, loss="mse"),
    ),
)
