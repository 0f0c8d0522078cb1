"""Turn a device request ("auto", "cpu", "cuda", "cuda:1", torch.device) into a usable torch.device."""

from __future__ import annotations

import contextlib

import torch

from .errors import DeviceError

_HINT = "use device='auto' (CUDA when available, else CPU), 'cpu' or 'cuda'"


def resolve_device(device="auto") -> torch.device:
    """The torch.device to build and train on; raises DeviceError before any work starts."""
    if device is None or (isinstance(device, str) and device.strip().lower() == "auto"):
        if torch.cuda.is_available():
            return torch.device("cuda", torch.cuda.current_device())
        return torch.device("cpu")
    if isinstance(device, torch.device):
        dev = device
    elif isinstance(device, str):
        try:
            dev = torch.device(device.strip())
        except RuntimeError:
            raise DeviceError(f"torch does not know the device {device!r}; {_HINT}") from None
    else:
        raise DeviceError(f"device must be a string or a torch.device, not {type(device).__name__}; {_HINT}")

    if dev.type == "cpu":
        return torch.device("cpu")
    if dev.type == "cuda":
        return _check_cuda(dev, device)
    raise DeviceError(f"the course examples run on the CPU or on CUDA, not on {str(dev)!r}; {_HINT}")


def _check_cuda(dev: torch.device, asked) -> torch.device:
    if not torch.cuda.is_available():
        build = "a CPU-only build" if torch.version.cuda is None else f"built for CUDA {torch.version.cuda}"
        raise DeviceError(
            f"device {str(asked)!r} asks for CUDA, but torch.cuda.is_available() is False "
            f"(torch {torch.__version__}, {build}); use device='cpu' or device='auto', "
            "or install a CUDA build of torch on a machine with an NVIDIA GPU"
        )
    count = torch.cuda.device_count()
    index = torch.cuda.current_device() if dev.index is None else dev.index
    if index >= count:
        raise DeviceError(
            f"device {str(asked)!r} asks for CUDA device {index}, but this machine has {count} "
            f"(cuda:0 to cuda:{count - 1}); use device='cuda' or a smaller index"
        )
    # An explicit index makes the result printable and comparable ("cuda:0", not "cuda").
    return torch.device("cuda", index)


@contextlib.contextmanager
def one_cpu_thread():
    """Run torch's CPU ops on one thread inside the block, then restore the caller's setting.

    The course models are tiny: handing each op to a thread pool costs more than the op
    (tanh-network trains about 8x faster on one thread), and one thread sums floats in the
    same order on every machine, whatever its core count, so loss curves reproduce.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
