"""graphtrace: see the PyTorch autograd graph, and step through the real backward pass.

Public API (imported on first use, so ``import graphtrace`` stays light):

- ``trace(outputs, *, params=None, names=None)`` -> Graph
- ``to_dot(graph, **style)`` -> str, ``render(graph_or_tensor, path, format=None, **style)``
- ``Graph`` (a networkx.DiGraph), ``run_with_large_stack(fn, *args)``
- ``record(output, ...)`` and ``animate(...)``: the backward pass, step by step
- ``graphtrace.scalar``: the pure-Python engine; ``graphtrace.examples``: the course examples
"""

from importlib import import_module

# The subpackage graphtrace.render shares its name with the function render().
# Importing the (tiny) package first means Python's own binding of the
# subpackage happens now, and the function below replaces it for good.
from . import render as _render_package  # noqa: F401

__version__ = "0.1.0"


def render(graph_or_tensor, path, format=None, **style):
    """Write a Graph, or the graph behind a tensor, to ``path`` (svg, png, pdf, dot or json).

    See graphtrace.render.files.render for the details; style options are to_dot's.
    """
    from .render.files import render as render_file

    return render_file(graph_or_tensor, path, format=format, **style)


# public name -> (module, attribute); resolved by __getattr__ on first use.
_EXPORTS = {
    "trace": ("graphtrace.tracing", "trace"),
    "trace_with_index": ("graphtrace.tracing", "trace_with_index"),
    "Graph": ("graphtrace.graph", "Graph"),
    "to_dot": ("graphtrace.render.dot", "to_dot"),
    "find_layout_program": ("graphtrace.render.layout", "find_layout_program"),
    "run_with_large_stack": ("graphtrace.stack", "run_with_large_stack"),
    "record": ("graphtrace.recorder", "record"),
    "recording": ("graphtrace.recorder", "recording"),
    "Recording": ("graphtrace.recorder", "Recording"),
    "animate": ("graphtrace.render.animate", "animate"),
    "save_animation": ("graphtrace.render.animate", "save_animation"),
    "GraphtraceError": ("graphtrace.errors", "GraphtraceError"),
    "LayoutProgramNotFound": ("graphtrace.errors", "LayoutProgramNotFound"),
    "NoGradFnError": ("graphtrace.errors", "NoGradFnError"),
    "NotATensorError": ("graphtrace.errors", "NotATensorError"),
    "DeepGraphWarning": ("graphtrace.errors", "DeepGraphWarning"),
}

__all__ = sorted([*_EXPORTS, "render", "__version__"])


def __getattr__(name):
    if name in _EXPORTS:
        module, attribute = _EXPORTS[name]
        value = getattr(import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'graphtrace' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
