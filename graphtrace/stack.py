"""Run code in a thread with a large C stack, where freeing deep autograd graphs is safe."""

from __future__ import annotations

import threading

# Freeing a graph of ~50,000 walked Functions needs more than the usual 8 MiB.
LARGE_STACK_BYTES = 1024 * 1024 * 1024


def run_with_large_stack(function, *args, stack_size: int = LARGE_STACK_BYTES, **kwargs):
    """Call ``function(*args, **kwargs)`` in a thread with a ``stack_size``-byte stack; return its result.

    Torch frees an autograd graph's Python-visible nodes recursively; a chain of
    tens of thousands of nodes overflows a normal stack and kills the process
    (pytorch issues #5534, #109948, #155322). Build, trace and drop such graphs
    inside ``function`` so they are freed on the large stack. Exceptions are
    re-raised in the caller.
    """
    outcome = {}

    def target():
        try:
            outcome["value"] = function(*args, **kwargs)
        except BaseException as error:  # handed to the caller below
            outcome["error"] = error

    previous = threading.stack_size()
    threading.stack_size(stack_size)
    try:
        thread = threading.Thread(target=target, name="graphtrace-large-stack")
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if "error" in outcome:
        raise outcome.pop("error")
    return outcome.get("value")
