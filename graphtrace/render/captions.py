"""Caption text for each frame of a recorded backward pass, said as in the course (∂f/∂q = z = -4)."""

from __future__ import annotations

import re

from ..summary import format_number, format_summary
from .timeline import output_seeds

__all__ = ["captions"]


def _short_op(name: str) -> str:
    return re.sub(r"Backward\d*$", "", name).lower() or name


def _tensor_children(graph, function_node):
    return [t for _, t, kind in graph.out_edges(function_node, data="kind") if kind == "grad_fn"]


def _value_name(graph, function_node) -> str:
    """What a Function's output is called: the named tensor it produced, else a short op name."""
    data = graph.nodes[function_node]
    if data["kind"] == "accumulate":
        for source, _, kind in graph.in_edges(function_node, data="kind"):
            if kind == "variable":
                return graph.nodes[source].get("name") or "leaf"
        return "leaf"
    for tensor in _tensor_children(graph, function_node):
        if graph.nodes[tensor].get("name"):
            return graph.nodes[tensor]["name"]
    return f"({_short_op(data['name'])})"


def _local_rules(graph, step, operands):
    """The course's local derivative of the op for each input slot, in the operands' names, or None."""
    name = step.name
    attrs = graph.nodes[step.node].get("attrs") or {}
    a = operands[0] if operands else None
    b = operands[1] if len(operands) > 1 else None
    if name == "AddBackward0":
        alpha = attrs.get("alpha", 1)
        return ["1", "1" if alpha == 1 else f"{alpha}"]
    if name == "SubBackward0":
        alpha = attrs.get("alpha", 1)
        return ["1", "-1" if alpha == 1 else f"-{alpha}"]
    if name == "MulBackward0" and a and b:
        return [b, a]
    if name == "DivBackward0" and a and b:
        return [f"1/{b}", f"-{a}/{b}²"]
    if name == "SigmoidBackward0":
        return [f"σ({a})(1-σ({a}))" if a and not a.startswith("(") else "σ(1-σ)"]
    if name == "TanhBackward0":
        return ["1-tanh²"]
    if name == "ExpBackward0":
        return [f"exp({a})" if a else "exp"]
    if name == "NegBackward0":
        return ["-1"]
    if name in ("SumBackward0", "SumBackward1"):
        return ["1"]
    if name in ("MeanBackward0", "MeanBackward1"):
        return ["1/n"]
    if name == "PowBackward0" and "exponent" in attrs:
        e = attrs["exponent"]
        return [f"{format_number(float(e))}·{a or 'x'}^{format_number(float(e - 1))}" if isinstance(e, (int, float)) else None]
    if name == "MseLossBackward0" and a:
        return [f"2({a}-{b or 'y'})/n", f"-2({a}-{b or 'y'})/n"]
    return None


def _step_caption(graph, step, loss, out_is_loss, operand_names) -> str:
    parts = []
    for write in step.writes:
        if graph.nodes[step.node]["kind"] != "accumulate":
            parts.append(f"{write.name or 'tensor'} retains grad: {write.name or 'tensor'}.grad = {format_summary(write.after)}.")
    if graph.nodes[step.node]["kind"] == "accumulate":
        for write in step.writes:
            who = write.name or "leaf"
            if write.before is None:
                parts.append(f"AccumulateGrad: {who}.grad = {format_summary(write.after)} (was None).")
            else:
                parts.append(
                    f"AccumulateGrad: {who}.grad = {format_summary(write.before)} + "
                    f"{format_summary(step.grad_outputs[0] if step.grad_outputs else None)} = "
                    f"{format_summary(write.after)} (added to the existing .grad)."
                )
        if not step.writes:
            parts.append("AccumulateGrad runs (its leaf was not asked for; .grad unchanged).")
        return " ".join(parts)
    out = _value_name(graph, step.node)
    rules = _local_rules(graph, step, operand_names) or []
    upstream = "" if out_is_loss else f"∂{loss}/∂{out}·"
    terms = []
    for slot, (grad, target) in enumerate(zip(step.grad_inputs, step.next)):
        if grad is None or target is None:
            continue
        rule = rules[slot] if slot < len(rules) else None
        name = operand_names[slot] or "input"
        if rule:
            terms.append(f"∂{loss}/∂{name} = {upstream}{rule} = {format_summary(grad)}")
        else:
            terms.append(f"∂{loss}/∂{name} = {format_summary(grad)}")
    if not terms:
        terms.append("passes no gradient on")
    parts.append(f"{step.name}: " + ", ".join(terms))
    return " ".join(parts)


def captions(recording) -> list:
    """One caption per frame: the start, each step, the end; said as in the course (∂f/∂q = z = -4)."""
    graph = recording.graph
    outputs = graph.graph.get("outputs") or []
    loss = (graph.nodes[outputs[0]].get("name") if outputs else None) or "f"
    root_ops = {source for o in outputs for source, _, kind in graph.in_edges(o, data="kind") if kind == "grad_fn"}
    texts = [_start_caption(recording, loss)]
    for step in recording.steps:
        operands = [None if t is None else _value_name(graph, t) for t in step.next]
        texts.append(_step_caption(graph, step, loss, step.node in root_ops, operands))
    written = {}
    for step in recording.steps:
        for write in step.writes:
            written[write.name or write.tensor] = write.after
    end = "Done."
    if written:
        shown = list(written.items())
        listed = ", ".join(f"{n}.grad = {format_summary(s)}" for n, s in shown[:6])
        end += f" {listed}" + (f" and {len(shown) - 6} more" if len(shown) > 6 else "") + "."
    end += _saved_caption(recording)
    texts.append(end)
    return [f"Step {i}/{len(texts) - 2}: {t}" if 0 < i < len(texts) - 1 else t for i, t in enumerate(texts)]


def _start_caption(recording, loss) -> str:
    """Where backward starts: each output's seed gradient and the Function it goes to."""
    graph = recording.graph
    if not recording.steps:
        return f"backward() on {loss}: the engine ran no Function."
    seeds = []
    for i, (output, _, step, grad) in enumerate(output_seeds(recording)):
        if step is None:
            continue
        name = graph.nodes[output].get("name") or (loss if i == 0 else f"output {i}")
        seeds.append((name, f"∂{name}/∂{name} = {format_summary(grad)} goes to {step.name}"))
    if not seeds:
        first = recording.steps[0]
        seed = format_summary(first.grad_outputs[0] if first.grad_outputs else None)
        return f"backward() starts at {loss}: ∂{loss}/∂{loss} = {seed} goes to {first.name}."
    return f"backward() starts at {', '.join(n for n, _ in seeds)}: " + ", ".join(t for _, t in seeds) + "."


def _saved_caption(recording) -> str:
    """What happened to the saved tensors; retain_graph is named only where it is known."""
    freed = len(recording.freed)
    if freed:
        return f" {freed} saved tensor{'s' if freed != 1 else ''} freed (retain_graph=False)."
    if not any(kind == "saved" for _, kind in recording.graph.nodes(data="kind")):
        return " Nothing was saved for backward."
    if recording.retain_graph:
        return " Saved tensors kept (retain_graph=True)."
    return " Saved tensors kept."
