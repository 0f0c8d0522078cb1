"""graphtrace: see the PyTorch autograd graph, and step through the real backward pass.

Public API (imported on first use, so ``import graphtrace`` stays light):

- ``trace(outputs, *, params=None, names=None)`` -> Graph
- ``to_dot(graph, **style)`` -> str, ``render(graph_or_tensor, path, format=None, **style)``
- ``Graph`` (a networkx.DiGraph), ``run_with_large_stack(fn, *args)``
- ``record(output, ...)`` and ``animate(...)``: the backward pass, step by step
- ``graphtrace.scalar``: the pure-Python engine; ``graphtrace.examples``: the course examples
"""

from importlib import import_module

__version__ = "0.1.0"

# public name -> (module, attribute); resolved by __getattr__ on first use.
_EXPORTS = {
    "trace": ("graphtrace.tracing", "trace"),
    "trace_with_index": ("graphtrace.tracing", "trace_with_index"),
    "Graph": ("graphtrace.graph", "Graph"),
    "to_dot": ("graphtrace.render.dot", "to_dot"),
    "render": ("graphtrace.render.files", "render"),
    "find_layout_program": ("graphtrace.render.layout", "find_layout_program"),
    "run_with_large_stack": ("graphtrace.stack", "run_with_large_stack"),
    "record": ("graphtrace.record", "record"),
    "Recording": ("graphtrace.record", "Recording"),
    "animate": ("graphtrace.render.animate", "animate"),
    "GraphtraceError": ("graphtrace.errors", "GraphtraceError"),
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name):
    if name in _EXPORTS:
        module, attribute = _EXPORTS[name]
        value = getattr(import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'graphtrace' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
