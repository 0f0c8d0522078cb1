"""Read what a tracer needs from a tensor-like object, torch or scalar, without changing it."""

from __future__ import annotations

import sys

from ..summary import safe_summarize, shape_of


def is_tensor_like(obj) -> bool:
    """True for torch tensors and graphtrace.scalar Values."""
    # torch is only consulted if the user already imported it: tracing pure
    # scalar-engine values must not pay for importing torch.
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(obj, torch.Tensor):
        return True
    scalar = sys.modules.get("graphtrace.scalar.engine")
    return scalar is not None and isinstance(obj, scalar.Value)


def engine_of(obj) -> str:
    torch = sys.modules.get("torch")
    return "torch" if torch is not None and isinstance(obj, torch.Tensor) else "scalar"


def tensor_data(obj):
    """The value to summarize: the tensor itself (torch) or its float (scalar engine)."""
    return obj if engine_of(obj) == "torch" else obj.data


def readable_grad(obj):
    """obj.grad, read only where torch keeps one, so no non-leaf warning is triggered."""
    if obj.is_leaf or obj.retains_grad:
        grad = obj.grad
        return grad if engine_of(obj) == "torch" or grad is None else float(grad)
    return None


def tensor_attributes(obj, max_values: int) -> dict:
    """The schema's tensor-node attributes (everything but name and role)."""
    return {
        "shape": shape_of(obj),
        "dtype": str(obj.dtype).replace("torch.", ""),
        "device": str(obj.device),
        "requires_grad": bool(obj.requires_grad),
        "is_leaf": bool(obj.is_leaf),
        "retains_grad": bool(obj.retains_grad),
        "value": safe_summarize(tensor_data(obj), max_values),
        "grad": safe_summarize(readable_grad(obj), max_values),
    }


def saved_attributes(obj, max_values: int) -> dict:
    """The schema's saved-node attributes for a live saved tensor."""
    if obj is None:
        return {"shape": None, "dtype": None, "value": None}
    return {
        "shape": shape_of(obj),
        "dtype": str(obj.dtype).replace("torch.", ""),
        "value": safe_summarize(tensor_data(obj), max_values),
    }


def alias_key(obj):
    """A key shared by two tensor objects that are the same tensor (same memory, same view).

    Torch hands out a fresh Python object for some saved tensors (a saved
    ``result`` is rebuilt on access), so identity alone misses them.
    """
    if engine_of(obj) != "torch":
        # A scalar Value made by an op is identified by that op (each op has one output),
        # just as torch rebuilds a saved result as a new object over the same memory.
        if obj.grad_fn is not None:
            return ("grad_fn", id(obj.grad_fn))
        return ("object", id(obj))
    try:
        pointer = obj.data_ptr()
        if pointer == 0:
            return ("object", id(obj))
        return (pointer, str(obj.device), obj.dtype, tuple(obj.shape), tuple(obj.stride()))
    except (RuntimeError, NotImplementedError):
        return ("object", id(obj))
