"""Oracles the tests share: what torch (or the scalar engine) itself says, found without graphtrace."""

from collections import Counter


def reachable_functions(*outputs) -> list:
    """Every Function reachable from the outputs' grad_fns through next_functions, first visit first.

    Walked with an explicit stack, independently of graphtrace's tracer.
    """
    found, seen = [], set()
    stack = [t.grad_fn for t in reversed(outputs) if t.grad_fn is not None]
    while stack:
        function = stack.pop()
        if function is None or function in seen:
            continue
        seen.add(function)
        found.append(function)
        stack.extend(child for child, _ in function.next_functions)
    return found


def function_names(output) -> Counter:
    """How often each Function name occurs in the graph behind ``output``."""
    return Counter(type(function).__name__ for function in reachable_functions(output))
