"""Run a user's script as __main__ and pick the tensors in its globals worth drawing."""

from __future__ import annotations

import builtins
import sys
import traceback
import types
from pathlib import Path

from .errors import NothingToDrawError, ScriptError
from .tracing.describe import is_tensor_like


def run_script(path, argv=()) -> dict:
    """Execute ``path`` as ``__main__`` (its folder on sys.path, ``argv`` after its name); return its globals.

    A script that raises gives ScriptError whose message is the script's own
    traceback (graphtrace's frames left out). ``sys.exit(0)`` counts as success.
    """
    path = Path(path).resolve()
    source = path.read_text(encoding="utf-8")
    code = compile(source, str(path), "exec")
    module = types.ModuleType("__main__")
    module.__dict__.update(__file__=str(path), __builtins__=builtins, __cached__=None)
    saved = sys.argv, list(sys.path), sys.modules.get("__main__")
    sys.argv = [str(path), *argv]
    sys.path.insert(0, str(path.parent))
    sys.modules["__main__"] = module
    try:
        exec(code, module.__dict__)
    except SystemExit as stop:
        if stop.code not in (None, 0):
            raise ScriptError(f"{path.name} exited with status {stop.code}") from None
    except BaseException as error:
        raise ScriptError(_script_traceback(error, str(path))) from None
    finally:
        sys.argv, sys.path[:] = saved[0], saved[1]
        if saved[2] is not None:
            sys.modules["__main__"] = saved[2]
    return module.__dict__


def _script_traceback(error, script_path: str) -> str:
    """The traceback from the script's first frame on, as Python would print it."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != script_path:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb)).rstrip()


def drawable_tensors(namespace: dict, var_names=()) -> dict:
    """{name: tensor} to draw: the ``var_names`` asked for, else every top-level output.

    A top-level output is a module-level tensor with a grad_fn that is not an
    input of another such tensor (so ``q = x + y; f = q * z`` draws f, and q
    appears inside it). Names starting with "_" are private and skipped.
    """
    tensors = tensor_names(namespace)
    if var_names:
        missing = [n for n in var_names if n not in tensors]
        if missing:
            known = ", ".join(sorted(tensors)) or "none"
            raise NothingToDrawError(
                f"--var {', '.join(missing)}: no such module-level tensor in the script; tensors it defines: {known}"
            )
        return {n: tensors[n] for n in var_names}
    candidates = {n: t for n, t in tensors.items() if t.grad_fn is not None}
    if not candidates:
        raise NothingToDrawError(
            "the script defines no module-level tensor with a grad_fn, so there is nothing to draw. "
            "Create inputs with requires_grad=True, compute outside torch.no_grad(), keep the result "
            "in a module-level variable, or name one with --var NAME."
        )
    inner = _functions_below(candidates.values())
    chosen, seen = {}, set()
    for name, tensor in candidates.items():
        if tensor.grad_fn in inner or tensor.grad_fn in seen:
            continue
        seen.add(tensor.grad_fn)
        chosen[name] = tensor
    return chosen


def _functions_below(tensors) -> set:
    """Functions reachable from the tensors' grad_fns, the grad_fns themselves excluded."""
    below, stack = set(), []
    for tensor in tensors:
        stack.extend(child for child, _ in tensor.grad_fn.next_functions if child is not None)
    while stack:
        function = stack.pop()
        if function in below:
            continue
        below.add(function)
        stack.extend(child for child, _ in function.next_functions if child is not None)
    return below


def tensor_names(namespace: dict) -> dict:
    """{name: tensor} for every public module-level tensor: the names drawn on the graph."""
    return {n: v for n, v in namespace.items() if not n.startswith("_") and is_tensor_like(v)}
