"""Find names for tensors: from params, from an explicit mapping, or from the caller's variables."""

from __future__ import annotations

import sys

from .describe import is_tensor_like


class Names:
    """Maps tensor objects to display names; explicit names win over found ones."""

    def __init__(self):
        self._by_object = {}
        # Keep the named objects alive while tracing so id() keys stay valid.
        self._objects = []

    def add(self, name: str, obj, *, overwrite: bool = False) -> None:
        key = id(obj)
        if key in self._by_object and not overwrite:
            return
        self._by_object[key] = name
        self._objects.append(obj)

    def get(self, obj):
        return self._by_object.get(id(obj))

    def items(self):
        """(name, object) pairs in the order they were added."""
        seen = set()
        for obj in self._objects:
            if id(obj) not in seen:
                seen.add(id(obj))
                yield self._by_object[id(obj)], obj


def named_parameters(params):
    """(name, tensor) pairs from a dict, or from an nn.Module's named_parameters()."""
    if params is None:
        return []
    if hasattr(params, "named_parameters"):
        return list(params.named_parameters())
    if isinstance(params, dict):
        return list(params.items())
    raise TypeError(
        f"params must be a dict of name -> tensor or an nn.Module, not {type(params).__name__}; "
        "for example params=dict(model.named_parameters()) or params=model"
    )


def build_names(params, names, caller_namespace) -> Names:
    """The names to use: params and names first, then the caller's variables."""
    found = Names()
    for name, tensor in named_parameters(params):
        found.add(str(name), tensor, overwrite=True)
    if names is not None:
        if not isinstance(names, dict):
            raise TypeError(
                f"names must be a dict of name -> tensor, not {type(names).__name__}; "
                "pass names={} to turn off naming from your variables"
            )
        for name, tensor in names.items():
            found.add(str(name), tensor)
        return found
    for name, value in caller_namespace:
        if is_tensor_like(value):
            found.add(name, value)
        elif _is_module(value):
            for pname, tensor in value.named_parameters():
                found.add(f"{name}.{pname}", tensor)
    return found


def _is_module(value) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.nn.Module)


def caller_namespace():
    """(name, value) pairs visible where the user called graphtrace: locals, then globals.

    The first frame outside the graphtrace package is the user's, so
    ``graphtrace.render(f, ...)`` names tensors as well as ``graphtrace.trace(f)``.
    Names starting with "_" are skipped: in notebooks they hold old outputs.
    """
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "graphtrace":
        frame = frame.f_back
    if frame is None:
        return []
    pairs = list(frame.f_locals.items())
    if frame.f_locals is not frame.f_globals:
        pairs += list(frame.f_globals.items())
    del frame
    return [(name, value) for name, value in pairs if isinstance(name, str) and not name.startswith("_")]
