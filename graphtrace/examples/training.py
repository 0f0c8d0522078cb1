"""Train a course example on the CPU or CUDA, with a progress bar and an optional SVG loss curve."""

from __future__ import annotations

import math
import numbers
import pathlib
from dataclasses import dataclass, field
from typing import Optional

import torch

from .device import one_cpu_thread, resolve_device
from .errors import DeviceError, ExampleError, NotTrainableError
from .losscurve import check_svg_path, write_loss_curve
from .progress import ProgressBar
from .registry import get, trainable_names

ENGINES = ("torch", "scalar")
_DTYPES = {"float32": torch.float32, "float": torch.float32, "float64": torch.float64, "double": torch.float64}


@dataclass(frozen=True)
class TrainResult:
    """One training run: the loss after each epoch's forward pass, on which device, with what."""

    name: str
    engine: str
    device: str
    dtype: str
    epochs: int
    lr: float
    seed: int
    losses: list = field(repr=False)
    params: dict = field(repr=False)
    data: dict = field(repr=False)
    loss_label: str = "loss"
    plot: Optional[pathlib.Path] = None

    @property
    def final_loss(self) -> float:
        return self.losses[-1]


def train(
    name,
    device="auto",
    epochs=None,
    lr=None,
    seed=0,
    progress=True,
    plot=None,
    *,
    engine="torch",
    dtype=None,
) -> TrainResult:
    """Train example `name` and return its loss history.

    device   "auto" (CUDA when torch.cuda.is_available(), else CPU), "cpu", "cuda", "cuda:N"
    epochs   gradient steps; None for the course's number
    lr       learning rate; None for the course's
    seed     seeds the random data and initial weights (same seed, same history on the CPU)
    progress draw a progress bar on stderr
    plot     a path ending in .svg: write the loss curve there
    engine   "torch", or "scalar" to run the same loop in graphtrace.scalar (float64, CPU)
    dtype    "float32" (the course's) or "float64"; the scalar engine is always float64

    Every argument is checked before training starts; a bad one raises an ExampleError.
    """
    example = get(name)
    recipe = example.recipe
    if recipe is None:
        raise NotTrainableError(
            f"the example {example.name!r} draws a graph but has no training loop; "
            f"trainable examples: {', '.join(trainable_names())}"
        )
    engine = _check_engine(engine)
    if engine == "scalar" and recipe.fit_scalar is None:
        raise NotTrainableError(
            f"the example {example.name!r} trains in torch only; "
            f"the scalar engine trains: {', '.join(trainable_names('scalar'))} (or use engine='torch')"
        )
    epochs = recipe.epochs if epochs is None else _check_epochs(epochs)
    lr = recipe.lr if lr is None else _check_lr(lr)
    seed = _check_seed(seed)
    if not isinstance(progress, bool):
        raise ExampleError(f"progress must be True or False, not {progress!r}")
    plot_path = None if plot is None else check_svg_path(plot)
    if engine == "torch":
        dev = resolve_device(device)
        torch_dtype = _check_dtype(recipe.dtype if dtype is None else dtype)
    else:
        dev = _scalar_device(device)
        torch_dtype = _check_dtype("float64" if dtype is None else dtype)
        if torch_dtype != torch.float64:
            raise ExampleError("the scalar engine computes with Python floats (float64); leave dtype unset")

    label = f"{example.name} ({engine}, {dev})"
    with one_cpu_thread(), ProgressBar(epochs, label, enabled=progress) as bar:
        if engine == "torch":
            fit = recipe.fit(device=dev, dtype=torch_dtype, epochs=epochs, lr=lr, seed=seed, step=bar.update)
        else:
            fit = recipe.fit_scalar(epochs=epochs, lr=lr, seed=seed, step=bar.update)

    losses = [float(v) for v in fit.losses]
    if plot_path is not None:
        write_loss_curve(
            plot_path,
            losses,
            title=f"{example.title}: {engine} on {dev}, lr={lr:g}",
            ylabel=recipe.loss,
        )
    return TrainResult(
        name=example.name,
        engine=engine,
        device=str(dev),
        dtype=str(torch_dtype).replace("torch.", ""),
        epochs=epochs,
        lr=lr,
        seed=seed,
        losses=losses,
        params=dict(fit.params),
        data=dict(fit.data),
        loss_label=recipe.loss,
        plot=plot_path,
    )


def _check_engine(engine) -> str:
    if engine not in ENGINES:
        raise ExampleError(f"engine must be 'torch' or 'scalar', not {engine!r}")
    return engine


def _check_epochs(epochs) -> int:
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral):
        raise ExampleError(f"epochs must be a whole number of steps, not {epochs!r}; for example epochs=100")
    if epochs <= 0:
        raise ExampleError(f"epochs must be at least 1, not {epochs}; for example epochs=100")
    return int(epochs)


def _check_lr(lr) -> float:
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise ExampleError(f"lr must be a number, not {lr!r}; for example lr=0.01")
    lr = float(lr)
    if not math.isfinite(lr) or lr <= 0:
        raise ExampleError(f"lr must be a positive finite number, not {lr!r}; for example lr=0.01")
    return lr


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ExampleError(f"seed must be a whole number >= 0, not {seed!r}; for example seed=0")
    return int(seed)


def _check_dtype(dtype) -> torch.dtype:
    if isinstance(dtype, torch.dtype) and dtype in (torch.float32, torch.float64):
        return dtype
    if isinstance(dtype, str) and dtype.strip().lower().replace("torch.", "") in _DTYPES:
        return _DTYPES[dtype.strip().lower().replace("torch.", "")]
    raise ExampleError(f"dtype must be 'float32' or 'float64', not {dtype!r}")


def _scalar_device(device) -> torch.device:
    if device is None or (isinstance(device, str) and device.strip().lower() == "auto"):
        return torch.device("cpu")
    try:
        dev = device if isinstance(device, torch.device) else torch.device(str(device).strip())
    except RuntimeError:
        raise DeviceError(f"torch does not know the device {device!r}; the scalar engine runs on device='cpu'") from None
    if dev.type != "cpu":
        raise DeviceError(
            f"the scalar engine is pure Python and runs on the CPU only, not on {str(dev)!r}; "
            "use device='cpu' or 'auto', or engine='torch' to train on the GPU"
        )
    return dev
