"""Small, JSON-able summaries of tensor values and gradients."""

from __future__ import annotations

import math

# Tensors with at most this many elements show their values; larger ones show shape + norm.
MAX_VALUES = 16


def summarize(value, max_values: int = MAX_VALUES):
    """Summary of a torch tensor, a scalar Value's data (a float) or None."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        number = float(value)
        return {"shape": [], "norm": abs(number), "values": [number]}
    return _summarize_tensor(value, max_values)


def safe_summarize(value, max_values: int = MAX_VALUES):
    """summarize(), or None where a tensor refuses to give numbers (fake, nested, some subclasses).

    Used while tracing and inside backward hooks, where a picture without
    numbers is better than an exception in the user's code.
    """
    try:
        return summarize(value, max_values)
    except (RuntimeError, TypeError, NotImplementedError, ValueError):
        return None


def shape_of(tensor):
    """list(tensor.shape), or None for tensors without one shape (nested tensors)."""
    try:
        return list(tensor.shape)
    except (RuntimeError, TypeError, NotImplementedError):
        return None


def _summarize_tensor(tensor, max_values):
    import torch

    shape = list(tensor.shape)
    if tensor.is_sparse or tensor.device.type == "meta" or tensor.is_complex():
        # No cheap, meaningful numbers for these; shape alone is still useful.
        return {"shape": shape, "norm": None}
    data = tensor.detach()
    if data.numel() <= max_values:
        # Small tensors: one copy to Python floats; the norm is cheaper here than a torch call.
        values = [float(v) for v in data.cpu().reshape(-1).tolist()]
        return {"shape": shape, "norm": math.sqrt(sum(v * v for v in values)), "values": values}
    # The norm in float32 on the CPU: every device and dtype can do that (MPS has no float64).
    return {"shape": shape, "norm": float(data.to(device="cpu", dtype=torch.float32).norm())}


def format_number(number) -> str:
    """A short, stable text for one number: 4 significant digits, integers without '.0'."""
    if number is None:
        return "?"
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    if number == int(number) and abs(number) < 1e6:
        return str(int(number))
    return f"{number:.4g}"


def format_summary(summary) -> str:
    """The text shown for a summary: '-4', '[1, 2, 3]', or '3×4 ‖·‖=2.5'."""
    if summary is None:
        return "None"
    values = summary.get("values")
    shape = summary["shape"]
    if values is not None:
        if not shape:
            return format_number(values[0])
        return "[" + ", ".join(format_number(v) for v in values) + "]"
    dims = "×".join(str(d) for d in shape) or "scalar"
    if summary.get("norm") is None:
        return dims
    return f"{dims} ‖·‖={format_number(summary['norm'])}"
