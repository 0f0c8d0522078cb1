"""Benchmark: trace() and to_dot() against a bare grad_fn walk and torchviz, measured in the same run.

Run: .venv/bin/python bench/bench_trace.py   (torchviz is optional: pip install torchviz)
Prints, per graph, seconds and the ratio to the bare walk (and to torchviz's make_dot).
"""

from __future__ import annotations

import time

import torch

import graphtrace


def bare_walk(output):
    """The least any tracer must do: visit every Function once through next_functions."""
    seen, stack = set(), [output.grad_fn]
    while stack:
        function = stack.pop()
        if function in seen:
            continue
        seen.add(function)
        stack.extend(child for child, _ in function.next_functions if child is not None)
    return len(seen)


def best_of(repeats, function):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def mlp_loss(width=64, depth=12):
    torch.manual_seed(0)
    layers = []
    for _ in range(depth):
        layers += [torch.nn.Linear(width, width), torch.nn.Tanh()]
    model = torch.nn.Sequential(*layers)
    return torch.nn.functional.mse_loss(model(torch.randn(8, width)), torch.zeros(8, width)), model


def chain(length=5000):
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(length):
        y = y * 1.0001
    return y, None


def main():
    try:
        from torchviz import make_dot
    except ImportError:
        make_dot = None
    print(f"{'graph':<22}{'functions':>10}{'bare walk':>11}{'trace':>9}{'×walk':>7}{'to_dot':>9}{'torchviz':>10}{'trace+dot ×torchviz':>21}")
    for name, build in (("mlp 12×Linear(64)", mlp_loss), ("chain of 5,000 muls", chain)):
        output, model = build()
        functions = bare_walk(output)
        walk = best_of(5, lambda: bare_walk(output))
        traced = best_of(3, lambda: graphtrace.trace(output, names={}))
        graph = graphtrace.trace(output, names={})
        dot = best_of(3, lambda: graphtrace.to_dot(graph))
        params = dict(model.named_parameters()) if model is not None else None
        viz, viz_text = None, f"{'n/a':>10}"
        if make_dot is not None:
            try:
                viz = best_of(3, lambda: make_dot(output, params=params).source)
                viz_text = f"{viz:>9.4f}s"
            except RecursionError:
                viz_text = f"{'recursion':>10}"  # torchviz walks recursively
        ratio = f"{(traced + dot) / viz:>20.1f}×" if viz else f"{'n/a':>21}"
        print(f"{name:<22}{functions:>10}{walk:>10.4f}s{traced:>8.3f}s{traced / walk:>6.0f}×{dot:>8.3f}s{viz_text}{ratio}")


if __name__ == "__main__":
    main()
