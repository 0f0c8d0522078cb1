"""The registry of course examples, in course order: get(name), names(), all_examples()."""

from __future__ import annotations

import difflib

from . import basics, losses, networks, neuron, regression, tanhnet
from .errors import UnknownExampleError
from .example import Example

_ORDER = (
    *basics.EXAMPLES,
    *losses.EXAMPLES,
    *neuron.EXAMPLES,
    *networks.EXAMPLES,
    *regression.EXAMPLES,
    *tanhnet.EXAMPLES,
)
_BY_NAME: dict = {}
for _example in _ORDER:
    if _example.name in _BY_NAME:
        raise RuntimeError(f"two course examples are called {_example.name!r}")
    _BY_NAME[_example.name] = _example
del _example


def names() -> list:
    """Every example name, in course order."""
    return list(_BY_NAME)


def all_examples() -> list:
    """Every Example, in course order."""
    return list(_BY_NAME.values())


def trainable_names(engine: str = "torch") -> list:
    """Names of the examples with a training loop (in the scalar engine too, for engine="scalar")."""
    if engine == "scalar":
        return [e.name for e in _BY_NAME.values() if e.scalar_trainable]
    return [e.name for e in _BY_NAME.values() if e.trainable]


def get(name: str) -> Example:
    """The Example called `name` ("add-mul"; case and "_" for "-" are forgiven)."""
    if isinstance(name, Example):
        return name
    if not isinstance(name, str):
        raise UnknownExampleError(
            f"an example name is a string, not {type(name).__name__}; known examples: {', '.join(_BY_NAME)}"
        )
    key = name.strip().lower().replace("_", "-")
    try:
        return _BY_NAME[key]
    except KeyError:
        pass
    close = difflib.get_close_matches(key, list(_BY_NAME), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise UnknownExampleError(f"no course example is called {name!r}; {hint}known examples: {', '.join(_BY_NAME)}")
