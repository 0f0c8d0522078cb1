"""The course examples: small autograd programs to draw, in torch and the scalar engine, some trainable."""

from .device import resolve_device
from .errors import DeviceError, ExampleError, NotTrainableError, UnknownExampleError
from .example import Built, Example, Fit, Recipe
from .losscurve import loss_curve_svg, write_loss_curve
from .progress import ProgressBar
from .registry import all_examples, get, names, trainable_names
from .training import TrainResult, train

# examples.all() reads like the CLI's listing; it is kept out of __all__ so that
# `from graphtrace.examples import *` does not shadow the builtin all().
all = all_examples

__all__ = [
    "Built",
    "DeviceError",
    "Example",
    "ExampleError",
    "Fit",
    "NotTrainableError",
    "ProgressBar",
    "Recipe",
    "TrainResult",
    "UnknownExampleError",
    "all_examples",
    "get",
    "loss_curve_svg",
    "names",
    "resolve_device",
    "train",
    "trainable_names",
    "write_loss_curve",
]
