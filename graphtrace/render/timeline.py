"""When each drawn thing changes state in a recorded backward pass, frame by frame."""

from __future__ import annotations

from ..summary import format_summary

__all__ = ["timelines", "placeholders", "output_seeds"]


def output_seeds(recording):
    """[(output node, edge or None, step or None, gradient summary)] for each output, in order.

    What backward started each output with, as the engine handed it on: the
    grad_outputs slot of the Function that produced it (``output_nr``: x.unbind()[1]
    is output 1 of UnbindBackward0), or of the leaf's AccumulateGrad. ``edge`` is
    the drawn edge that gradient travels (op -> output), None for a leaf output.
    """
    graph = recording.graph
    first_step = {}
    for step in recording.steps:
        first_step.setdefault(step.node, step)
    seeds = []
    for output in graph.graph.get("outputs") or []:
        edge, function_node, slot = None, None, 0
        for source, _, data in graph.in_edges(output, data=True):
            if data["kind"] == "grad_fn":
                edge, function_node, slot = (source, output), source, data.get("output_nr", 0)
                break
        else:
            for _, target, kind in graph.out_edges(output, data="kind"):
                if kind == "variable":
                    function_node = target
                    break
        step = first_step.get(function_node)
        grad = step.grad_outputs[slot] if step is not None and slot < len(step.grad_outputs) else None
        seeds.append((output, edge, step, grad))
    return seeds


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

    for output, edge, step, grad in output_seeds(recording):
        mark(nodes, output, 0, "current", "done")
        if edge is not None and step is not None:
            mark(edges, edge, 0, "current", "done")
            edge_texts.append((edge, 0, format_summary(grad)))
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
