"""The small autograd examples: f = (x + y)z, T = a³ − 2b², retain_grad, detach, no_grad, zeroing grads."""

from __future__ import annotations

import torch

from .example import Built, Example, Fit, Recipe

COURSE_000 = "000_fbc1133b243ef1fc.txt"
COURSE_003 = "003_076154eacbe4a861.txt"
COURSE_004 = "004_f725d8341b584cce.txt"


def add_mul_torch(device="cpu") -> Built:
    x = torch.tensor(-2.0, device=device, requires_grad=True)
    y = torch.tensor(5.0, device=device, requires_grad=True)
    z = torch.tensor(-4.0, device=device, requires_grad=True)
    q = x + y
    # The course reads ∂f/∂q = z = -4 off the graph; keep it so the picture can show it too.
    q.retain_grad()
    f = q * z
    return Built({"x": x, "y": y, "z": z, "q": q, "f": f}, outputs=["f"])


def add_mul_scalar() -> Built:
    from ..scalar import Value

    x = Value(-2.0, requires_grad=True)
    y = Value(5.0, requires_grad=True)
    z = Value(-4.0, requires_grad=True)
    q = x + y
    q.retain_grad()
    f = q * z
    return Built({"x": x, "y": y, "z": z, "q": q, "f": f}, outputs=["f"])


def sum_of_squares_torch(device="cpu") -> Built:
    x = torch.tensor([0.0, 1.0, 2.0, 3.0, 4.0], device=device, requires_grad=True)
    f = (x**2).sum()
    return Built({"X_torch": x, "f": f}, outputs=["f"])


def tensor_backward_torch(device="cpu") -> Built:
    a = torch.tensor([2.0, 3.0], device=device, requires_grad=True)
    b = torch.tensor([6.0, 4.0], device=device, requires_grad=True)
    T = a**3 - 2 * b**2
    # T is a vector, so backward needs dT/dT: the course passes ones as external_grad.
    external_grad = torch.tensor([1.0, 1.0], device=device)
    return Built({"a": a, "b": b, "T": T}, outputs=["T"], grad_outputs={"T": external_grad})


def retain_grad_torch(device="cpu") -> Built:
    w = torch.ones(3, device=device, requires_grad=True)
    x = w + 2
    y = x * 3
    y.retain_grad()
    z = y.mean()
    return Built({"w": w, "x": x, "y": y, "z": z}, outputs=["z"])


def detach_torch(device="cpu") -> Built:
    x = torch.ones(3, device=device, requires_grad=True)
    y = 2 * x
    z = 3 + x.detach()
    r = (y + z).sum()
    return Built({"x": x, "y": y, "z": z, "r": r}, outputs=["r"])


def no_detach_torch(device="cpu") -> Built:
    """The same sum without detach(), the course's first torchviz picture, for comparison."""
    x = torch.ones(3, device=device, requires_grad=True)
    y = 2 * x
    z = 3 + x
    r = (y + z).sum()
    return Built({"x": x, "y": y, "z": z, "r": r}, outputs=["r"])


def no_grad_torch(device="cpu") -> Built:
    # A fixed generator, so the same build draws the same numbers every time.
    a = torch.randn(2, 2, generator=torch.Generator().manual_seed(0)).to(device).requires_grad_()
    b = a * 2
    with torch.no_grad():
        b_no_grad = a * 2
    # b_no_grad has no grad_fn: it is named here but has no graph of its own to draw.
    return Built({"a": a, "b": b, "b_no_grad": b_no_grad}, outputs=["b"], grad_outputs={"b": torch.ones_like(b)})


def grad_accumulation_torch(device="cpu") -> Built:
    weights = torch.ones(4, device=device, requires_grad=True)
    output = (weights * 3).sum()
    return Built({"weights": weights, "output": output}, outputs=["output"])


def accumulation_steps(steps: int = 3, lr: float = 0.1, zero_grad: bool = True, device="cpu") -> dict:
    """The course's loop: output = (weights·3).sum(), backward, weights -= lr·grad, with or without grad.zero_().

    Returns lists per step ("outputs", "grads", "weights") and "final_output" after the last step.
    """
    weights = torch.ones(4, device=device, requires_grad=True)
    record = {"outputs": [], "grads": [], "weights": []}
    for _ in range(steps):
        output = (weights * 3).sum()
        record["outputs"].append(output.item())
        output.backward()
        record["grads"].append(weights.grad.tolist())
        with torch.no_grad():
            weights -= lr * weights.grad
            if zero_grad:
                weights.grad.zero_()
        record["weights"].append(weights.detach().tolist())
    record["final_output"] = (weights * 3).sum().item()
    return record


def _fit_grad_accumulation(*, device, dtype, epochs, lr, seed, step) -> Fit:
    weights = torch.ones(4, device=device, dtype=dtype, requires_grad=True)
    optimizer = torch.optim.SGD([weights], lr=lr)
    losses = torch.empty(epochs, device=device, dtype=dtype)
    for epoch in range(epochs):
        output = (weights * 3).sum()
        losses[epoch] = output.detach()
        output.backward()
        optimizer.step()
        optimizer.zero_grad()
        step()
    return Fit(losses.tolist(), {"weights": weights.detach().cpu()}, {})


EXAMPLES = (
    Example(
        name="add-mul",
        title="f = (x + y) · z",
        caption=(
            "The smallest graph with a chain rule in it: q = x + y feeds f = q · z. At x = -2, y = 5, "
            "z = -4 the forward pass gives q = 3 and f = -12; going back, the add gate hands z = -4 "
            "to both x and y, and the multiply gate hands q = 3 to z."
        ),
        source=COURSE_003,
        torch_builder=add_mul_torch,
        scalar_builder=add_mul_scalar,
    ),
    Example(
        name="sum-of-squares",
        title="f = Σ x² on [0, 1, 2, 3, 4]",
        caption=(
            "A scalar function of a vector: backward fills X_torch.grad with 2x, the gradient one "
            "would compute by hand, with no hand work."
        ),
        source=COURSE_004,
        torch_builder=sum_of_squares_torch,
    ),
    Example(
        name="tensor-backward",
        title="T = a³ − 2b²",
        caption=(
            "A vector output: T has two entries, so backward needs a starting gradient dT/dT, here "
            "[1, 1]. Autograd then leaves 3a² in a.grad and −4b in b.grad."
        ),
        source=COURSE_000,
        torch_builder=tensor_backward_torch,
    ),
    Example(
        name="retain-grad",
        title="retain_grad on an intermediate",
        caption=(
            "x = w + 2, y = 3x, z = mean(y). Backward fills only leaf gradients (w.grad = [1, 1, 1]); "
            "y keeps its gradient [1/3, 1/3, 1/3] because retain_grad() asked for it, while x.grad "
            "stays None and torch warns when it is read."
        ),
        source=COURSE_003,
        torch_builder=retain_grad_torch,
    ),
    Example(
        name="detach",
        title="detach() cuts a branch",
        caption=(
            "r = sum(2x + (3 + x.detach())). The detached copy of x carries no history, so only the "
            "2x branch reaches x's AccumulateGrad: x.grad is [2, 2, 2], not [3, 3, 3]."
        ),
        source=COURSE_003,
        torch_builder=detach_torch,
    ),
    Example(
        name="no-detach",
        title="the same sum without detach()",
        caption=(
            "r = sum(2x + (3 + x)): both branches lead back to x, the graph has two add nodes, and "
            "x.grad is [3, 3, 3]. Compare with the detach example."
        ),
        source=COURSE_003,
        torch_builder=no_detach_torch,
    ),
    Example(
        name="no-grad",
        title="torch.no_grad() records nothing",
        caption=(
            "b = a · 2 computed normally has a MulBackward0 node; the same product inside "
            "torch.no_grad() (b_no_grad) has no grad_fn and requires_grad=False, so there is "
            "nothing behind it to draw."
        ),
        source=COURSE_003,
        torch_builder=no_grad_torch,
    ),
    Example(
        name="grad-accumulation",
        title="zeroing gradients between steps",
        caption=(
            "output = sum(3 · weights), three gradient steps with lr = 0.1. backward() adds into "
            ".grad, so without grad.zero_() the gradient grows 3, 6, 9; with it the weights go "
            "0.7, 0.4, 0.1 and the output ends at 1.2."
        ),
        source=COURSE_003,
        torch_builder=grad_accumulation_torch,
        recipe=Recipe(fit=_fit_grad_accumulation, epochs=3, lr=0.1, loss="output"),
    ),
)
