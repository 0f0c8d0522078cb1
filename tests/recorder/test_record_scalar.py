"""The scalar engine records through the same code path, in the same order and with the same gradients as torch."""

import pytest
import torch
from oracles import reachable_functions

from graphtrace.recorder import record

from graphtrace.scalar import engine


def recorded_with_oracle(output, names):
    """Record, with independent prehooks attached; return (recording, [names in the oracle's order])."""
    order, handles = [], []
    for function in reachable_functions(output):
        handles.append(function.register_prehook(lambda grads, f=function: order.append(type(f).__name__)))
    try:
        rec = record(output, names=names)
    finally:
        for handle in handles:
            handle.remove()
    return rec, order


def add_mul(lib):
    make = (lambda v: engine.Value(v, requires_grad=True)) if lib == "scalar" else (
        lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True))
    x, y, z = make(-2.0), make(5.0), make(-4.0)
    q = x + y
    f = q * z
    return f, {"x": x, "y": y, "z": z, "q": q, "f": f}


def neuron(lib):
    make = (lambda v, g=True: engine.Value(v, requires_grad=g)) if lib == "scalar" else (
        lambda v, g=True: torch.tensor(v, dtype=torch.float64, requires_grad=g))
    sigmoid = engine.sigmoid if lib == "scalar" else torch.sigmoid
    x0, x1 = make(0.5, False), make(0.9, False)
    w0, w1, b = make(1.0), make(1.0), make(0.0)
    z = w0 * x0 + w1 * x1 + b
    p = sigmoid(z)
    loss = (p - 0.357) ** 2
    return loss, {"w0": w0, "w1": w1, "b": b, "z": z, "p": p, "loss": loss}


@pytest.mark.parametrize("build", [add_mul, neuron])
def test_scalar_matches_torch(build):
    s_out, s_names = build("scalar")
    t_out, t_names = build("torch")
    s_rec, s_order = recorded_with_oracle(s_out, s_names)
    t_rec, t_order = recorded_with_oracle(t_out, t_names)
    assert s_rec.names == [n.replace("torch::autograd::", "") for n in s_order]
    assert t_rec.names == [n.replace("torch::autograd::", "") for n in t_order]
    assert s_rec.names == t_rec.names
    s_grads = {w.name: w.after["values"][0] for s in s_rec.steps for w in s.writes}
    t_grads = {w.name: w.after["values"][0] for s in t_rec.steps for w in s.writes}
    assert s_grads == pytest.approx(t_grads)
    for name, value in s_grads.items():
        assert float(s_names[name].grad.data if hasattr(s_names[name].grad, "data") else s_names[name].grad) == pytest.approx(value)
    for s_step, t_step in zip(s_rec.steps, t_rec.steps):
        flat = lambda step: [g["values"][0] if g else None for g in step.grad_inputs]  # noqa: E731
        assert flat(s_step) == pytest.approx(flat(t_step))


def test_scalar_errors_match_torch_text():
    from graphtrace.recorder import RecordError

    with pytest.raises(RecordError, match="does not require grad"):
        record(engine.Value(1.0) * 2)
    f, names = add_mul("scalar")
    f.backward()
    with pytest.raises(RecordError, match="backward through the graph a second time"):
        record(f, names=names)


def test_scalar_mlp_recording_follows_its_engine_and_gives_torchs_grads():
    from graphtrace import examples
    from graphtrace.examples.networks import mlp_data, mlp_model

    built = examples.get("mlp").build_scalar()
    (loss,) = built.output_tensors()
    rec, order = recorded_with_oracle(loss, dict(built))
    assert rec.names == [n.replace("torch::autograd::", "") for n in order]
    assert rec.names.count("AccumulateGrad") == 3 * 2 + 3 + 2 * 3 + 2  # every weight and bias

    model = mlp_model(0).double()
    x, y = mlp_data(0, dtype=torch.float64)
    torch.nn.MSELoss()(model(x[:1]), y[:1]).backward()
    recorded = {w.name: w.after["values"][0] for step in rec.steps for w in step.writes}
    for index in (0, 2):
        layer = model[index]
        for (j, k), grad in zip(
            [(j, k) for j in range(layer.weight.shape[0]) for k in range(layer.weight.shape[1])],
            layer.weight.grad.reshape(-1).tolist(),
        ):
            assert recorded[f"model[{index}].weight[{j},{k}]"] == pytest.approx(grad, rel=1e-9, abs=1e-12)
        for j, grad in enumerate(layer.bias.grad.tolist()):
            assert recorded[f"model[{index}].bias[{j}]"] == pytest.approx(grad, rel=1e-9, abs=1e-12)


def test_several_scalar_outputs_rejected_before_anything_runs():
    from graphtrace.recorder import RecordError

    p, q = engine.Value(2.0, requires_grad=True), engine.Value(3.0, requires_grad=True)
    m = p * q
    with pytest.raises(RecordError) as info:
        record([m + 1, m + 2], names={})
    assert "record(m1 + m2)" in str(info.value)
    assert p.grad is None and q.grad is None
    # What the message says to do works, and gives backward-on-each's gradients.
    rec = record((m + 1) + (m + 2), names={"p": p, "q": q})
    assert float(p.grad) == 6.0 and float(q.grad) == 4.0
    assert {w.name for s in rec.steps for w in s.writes} == {"p", "q"}


def test_scalar_inputs_argument_rejected_before_anything_runs():
    from graphtrace.recorder import RecordError

    p, q = engine.Value(2.0, requires_grad=True), engine.Value(3.0, requires_grad=True)
    m = p * q
    with pytest.raises(RecordError) as info:
        record(m, inputs=[p], names={})
    assert "inputs" in str(info.value)
    assert p.grad is None and q.grad is None
    rec = record(m, retain_graph=True, names={})  # the graph was not touched
    assert rec.retain_graph is True and float(p.grad) == 3.0
