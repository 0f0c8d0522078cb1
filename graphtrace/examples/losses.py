"""Loss functions as graph nodes: MSELoss and CrossEntropyLoss on [1, 2, 3] against [4, 5, 6]."""

from __future__ import annotations

import torch

from .example import Built, Example

COURSE_002 = "002_c4ef9d995d41fd31.txt"


def mse_loss_torch(device="cpu", requires_grad: bool = True) -> Built:
    """MSELoss of prediction [1, 2, 3] against expected [4, 5, 6].

    With requires_grad=False the loss has no grad_fn, and loss.backward() raises the
    course's RuntimeError ("element 0 of tensors does not require grad ...").
    """
    prediction = torch.tensor([1.0, 2.0, 3.0], device=device, requires_grad=requires_grad)
    expected = torch.tensor([4.0, 5.0, 6.0], device=device)
    loss_function = torch.nn.MSELoss()
    loss = loss_function(prediction, expected)
    return Built({"prediction": prediction, "expected": expected, "loss": loss}, outputs=["loss"])


def cross_entropy_torch(device="cpu") -> Built:
    prediction = torch.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    # Class probabilities as the target, as the course passes them (they need not sum to 1).
    expected = torch.tensor([4.0, 5.0, 6.0], device=device)
    loss = torch.nn.CrossEntropyLoss()(prediction, expected)
    return Built({"prediction": prediction, "expected": expected, "loss": loss}, outputs=["loss"])


EXAMPLES = (
    Example(
        name="mse-loss",
        title="MSELoss as one node",
        caption=(
            "A loss function is one more node of the graph. MSELoss of [1, 2, 3] against [4, 5, 6] "
            "is 9, and backward writes 2(prediction − expected)/3 = [−2, −2, −2] into "
            "prediction.grad. Without requires_grad on the prediction there is no graph, and "
            "backward refuses."
        ),
        source=COURSE_002,
        torch_builder=mse_loss_torch,
    ),
    Example(
        name="cross-entropy",
        title="CrossEntropyLoss, node by node",
        caption=(
            "CrossEntropyLoss with class-probability targets unfolds into log_softmax, a product "
            "with the target, a sum, a negation and a division: loss 19.1141, gradient "
            "[−2.6495, −1.3291, 3.9786]."
        ),
        source=COURSE_002,
        torch_builder=cross_entropy_torch,
    ),
)
