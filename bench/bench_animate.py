"""Time an N-step backward animation against one static render of the same ~200-node graph."""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from graphtrace.recorder import record  # noqa: E402
from graphtrace.render.animate import Animation  # noqa: E402
from graphtrace.render.dot import to_dot  # noqa: E402
from graphtrace.render.layout import find_layout_program, run_layout  # noqa: E402


def build(layers: int):
    """A chain of small tanh layers: about 7 graph nodes per layer."""
    torch.manual_seed(0)
    h = torch.randn(1, 3)
    weights = {}
    for i in range(layers):
        w = torch.randn(3, 3, requires_grad=True)
        weights[f"w{i}"] = w
        h = torch.tanh(h @ w)
    return h.sum(), weights


def best_of(repeats, fn):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--layers", type=int, default=28, help="tanh layers (about 7 graph nodes each)")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    loss, weights = build(args.layers)
    recording = record(loss, names=weights)
    graph = recording.graph
    kind, path = find_layout_program()
    print(f"layout program: {kind} ({path})")
    print(f"graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges; "
          f"recording: {len(recording.steps)} steps")

    static = best_of(args.repeats, lambda: run_layout(to_dot(graph), "svg"))
    frame_count = len(recording.steps) + 2
    rows = [
        ("static render: to_dot + one layout", static),
        ("animation -> HTML player", best_of(args.repeats, lambda: Animation(recording).to_html())),
        ("animation -> animated SVG", best_of(args.repeats, lambda: Animation(recording).to_svg())),
        # Frames are made when read: list() holds all of them at once; saving reads them one at a time.
        (f"animation -> {frame_count} SVG frames (list)", best_of(args.repeats, lambda: list(Animation(recording).frames))),
        (f"animation -> {frame_count} SVG frames (1 by 1)",
         best_of(args.repeats, lambda: sum(len(f) for f in Animation(recording).frames))),
    ]
    print(f"{'':42s} {'best ms':>9s} {'median ms':>10s} {'ratio (median)':>15s}")
    for name, (best, median) in rows:
        print(f"{name:42s} {best * 1000:9.1f} {median * 1000:10.1f} {median / static[1]:14.2f}x")

if __name__ == "__main__":
    main()
