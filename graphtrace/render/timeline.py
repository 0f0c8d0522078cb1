"""When each drawn thing changes state in a recorded backward pass, frame by frame."""

from __future__ import annotations

from ..summary import format_summary

__all__ = ["timelines", "placeholders"]


def timelines(recording):
    """({node id: changes}, {(u, v): changes}, [edge texts], {tensor id: grad changes}, frame count).

    A change is (frame, state). Frame 0 is the start, frame i+1 is step i,
    the last frame is the end (saved tensors freed).
    """
    graph = recording.graph
    steps = recording.steps
    last = len(steps) + 1
    nodes, edges, edge_texts, grads = {}, {}, [], {}

    def mark(table, key, frame, state, after=None):
        changes = table.setdefault(key, [])
        changes.append((frame, state))
        if after is not None and frame + 1 <= last:
            changes.append((frame + 1, after))

    outputs = graph.graph.get("outputs") or []
    for output in outputs:
        mark(nodes, output, 0, "current", "done")
        for source, _, kind in graph.in_edges(output, data="kind"):
            if kind == "grad_fn" and steps:
                mark(edges, (source, output), 0, "current", "done")
                edge_texts.append(((source, output), 0, format_summary(steps[0].grad_outputs[0] if steps[0].grad_outputs else None)))
    for i, step in enumerate(steps):
        frame = i + 1
        mark(nodes, step.node, frame, "current", "done")
        by_target = {}
        for slot, (grad, target) in enumerate(zip(step.grad_inputs, step.next)):
            if target is not None and grad is not None:
                by_target.setdefault(target, []).append(format_summary(grad))
        for target, texts in by_target.items():
            if graph.has_edge(target, step.node):
                mark(edges, (target, step.node), frame, "current", "done")
                edge_texts.append(((target, step.node), frame, " + ".join(texts) if len(texts) > 1 else texts[0]))
        for write in step.writes:
            mark(nodes, write.tensor, frame, "written", "filled")
            grads.setdefault(write.tensor, []).append((frame, write.after))
            if graph.has_edge(write.tensor, step.node):  # leaf -> its AccumulateGrad
                mark(edges, (write.tensor, step.node), frame, "current", "done")
            elif graph.has_edge(step.node, write.tensor):  # op -> the tensor that retains grad
                mark(edges, (step.node, write.tensor), frame, "current", "done")
    for saved in recording.freed:
        mark(nodes, saved, last, "freed")
    return nodes, edges, edge_texts, grads, last + 1


def placeholders(recording):
    """(field overrides for to_dot, {node id: placeholder text}) for the label fields that change.

    Each field is drawn with the widest text it will show, so the one layout keeps room for all of them.
    """
    graph = recording.graph
    wanted = {}
    for step in recording.steps:
        for write in step.writes:
            wanted.setdefault(write.tensor, ["grad = " + format_summary(graph.nodes[write.tensor].get("grad"))])
            wanted[write.tensor].append("grad = " + format_summary(write.after))
    overrides, drawn = {}, {}
    for node, texts in wanted.items():
        widest = max(texts, key=len)
        overrides[node] = {"grad": widest}
        drawn[node] = widest
    for node in recording.freed:
        texts = [format_summary(graph.nodes[node].get("value")), "(freed by backward)"]
        widest = max(texts, key=len)
        overrides[node] = {"value": widest}
        drawn[node] = "= " + widest
    return overrides, drawn
