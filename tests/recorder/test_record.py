"""graphtrace.record against torch itself: the order the engine ran, the gradients, and leaving no trace."""

import pytest
import torch
from oracles import reachable_functions

import graphtrace
from graphtrace.recorder import GradWrite, RecordError, Recording, Step, record, recording


def torch_order(output):
    """Register plain prehooks (the oracle) and return the list they fill, plus their handles."""
    order, handles = [], []
    for function in reachable_functions(output):
        handles.append(function.register_prehook(lambda grads, f=function: order.append(f)))
    return order, handles


def values(summary):
    return summary["values"]


def close(summary, tensor):
    expected = tensor.detach().reshape(-1).tolist()
    assert summary["shape"] == list(tensor.shape)
    if "values" in summary:
        assert summary["values"] == pytest.approx(expected, rel=1e-6, abs=1e-7)
    else:
        assert summary["norm"] == pytest.approx(float(tensor.norm()), rel=1e-6)


def check_against_torch(output, names, leaves):
    """Record with independent oracle hooks attached: same order, same .grad values."""
    order, handles = torch_order(output)
    try:
        rec = record(output, names=names)
    finally:
        for handle in handles:
            handle.remove()
    _, index = graphtrace.trace_with_index(output, names=names)
    # Node ids are deterministic, so a second trace of the same (freed) graph gives the same ids.
    assert rec.order == [index[f] for f in order]
    by_name = {}
    for step in rec.steps:
        for write in step.writes:
            by_name[write.name] = write.after
    for name, leaf in leaves.items():
        close(by_name[name], leaf.grad)
    return rec


def test_course_add_mul_order_and_grads(add_mul):
    t = add_mul
    rec = check_against_torch(t["f"], {k: t[k] for k in "xyzqf"}, {k: t[k] for k in "xyz"})
    assert rec.names[0] == "MulBackward0"
    first = rec.steps[0]
    assert [values(s) for s in first.grad_outputs] == [[1.0]]
    # ∂f/∂q = z = -4 goes to AddBackward0, ∂f/∂z = q = 3 goes to z's AccumulateGrad.
    assert [values(s) for s in first.grad_inputs] == [[-4.0], [3.0]]
    assert [rec.graph.nodes[n]["name"] for n in first.next] == ["AddBackward0", "AccumulateGrad"]
    assert t["x"].grad.item() == -4 and t["y"].grad.item() == -4 and t["z"].grad.item() == 3


def test_course_sigmoid_neuron(sigmoid_neuron):
    t = sigmoid_neuron
    rec = check_against_torch(t["loss"], {k: t[k] for k in ("w", "b", "z", "prediction", "loss")},
                              {"w": t["w"], "b": t["b"]})
    assert "SigmoidBackward0" in rec.names and rec.names.count("AccumulateGrad") == 2


def test_course_small_mlp(small_mlp):
    t = small_mlp
    model = t["model"]
    names = dict(model.named_parameters())
    order, handles = torch_order(t["loss"])
    try:
        rec = record(t["loss"], params=model, names={})
    finally:
        for handle in handles:
            handle.remove()
    _, index = graphtrace.trace_with_index(t["loss"], params=model, names={})
    assert rec.order == [index[f] for f in order]
    written = {w.name: w.after for s in rec.steps for w in s.writes}
    assert set(written) == set(names)
    for name, parameter in names.items():
        close(written[name], parameter.grad)


def build_add_mul():
    x = torch.tensor(-2.0, requires_grad=True)
    y = torch.tensor(5.0, requires_grad=True)
    z = torch.tensor(-4.0, requires_grad=True)
    return x, y, z


def test_recording_changes_no_gradient_and_accumulates_like_torch():
    torch.manual_seed(0)
    w_plain = torch.randn(4, 3, requires_grad=True)
    w_rec = w_plain.detach().clone().requires_grad_(True)
    inputs = torch.randn(5, 4)
    for w in (w_plain, w_rec):
        w.grad = torch.full_like(w, 0.5)  # an existing .grad: backward must add to it
    (torch.tanh(inputs @ w_plain) ** 2).sum().backward()
    rec = record((torch.tanh(inputs @ w_rec) ** 2).sum(), names={"w": w_rec})
    assert torch.equal(w_plain.grad, w_rec.grad)
    (write,) = [w for s in rec.steps for w in s.writes]
    assert write.name == "w" and write.before["values"] == [0.5] * 12
    close(write.after, w_rec.grad)


def test_user_hooks_still_run_and_stay_registered():
    x, y, z = build_add_mul()
    q = x + y
    f = q * z
    seen = []
    tensor_handle = q.register_hook(lambda g: seen.append(("q", g.item())) or g * 2)
    pre_handle = f.grad_fn.register_prehook(lambda grads: seen.append(("pre", grads[0].item())))
    post_handle = f.grad_fn.register_hook(lambda gi, go: seen.append(("post", len(gi))))
    rec = record(f, retain_graph=True, names={"x": x, "y": y, "z": z, "q": q})
    # The user's hook doubled the gradient reaching q; the recording shows what the engine really passed.
    assert x.grad.item() == -8 and seen == [("pre", 1.0), ("post", 2), ("q", -4.0)]
    add_step = next(s for s in rec.steps if s.name == "AddBackward0")
    assert values(add_step.grad_outputs[0]) == [-8.0]
    # Still registered: a second, plain backward runs every user hook again.
    f.backward()
    assert seen[3:] == seen[:3] and x.grad.item() == -16
    for handle in (tensor_handle, pre_handle, post_handle):
        handle.remove()


def test_all_recording_hooks_are_removed():
    x, y, z = build_add_mul()
    q = x + y
    f = q * z
    f_fn, add_fn = f.grad_fn, q.grad_fn
    accumulators = [fn for fn, _ in add_fn.next_functions] + [f_fn.next_functions[1][0]]
    record(f, retain_graph=True, names={})
    calls = []
    for fn in [f_fn, add_fn] + accumulators:
        fn.register_prehook(lambda grads: calls.append(1))
    # With every recorder hook gone, a second backward runs only ours and adds the same gradient again.
    f.backward()
    assert len(calls) == 5
    assert x.grad.item() == -8 and z.grad.item() == 6


def test_retain_grad_tensor_is_written_at_its_function():
    x, y, z = build_add_mul()
    q = x + y
    q.retain_grad()
    f = q * z
    rec = record(f, names={"x": x, "y": y, "z": z, "q": q})
    add_step = next(s for s in rec.steps if s.name == "AddBackward0")
    (write,) = add_step.writes
    assert write.name == "q" and write.before is None and values(write.after) == [-4.0]
    assert q.grad.item() == -4
    # Non-leaf tensors that do not retain grad are never written.
    written = {w.name for s in rec.steps for w in s.writes}
    assert written == {"x", "y", "z", "q"}


def test_freed_saved_tensors_reported_and_retain_graph_keeps_them():
    x, y, z = build_add_mul()
    f = (x + y) * z
    rec = record(f, names={})
    freed_names = sorted(rec.graph.nodes[n]["name"] for n in rec.freed)
    assert freed_names == ["other", "self"] and rec.retain_graph is False
    x, y, z = build_add_mul()
    f = (x + y) * z
    kept = record(f, retain_graph=True, names={})
    assert kept.freed == () and kept.retain_graph is True
    f.grad_fn._saved_self  # still alive


def test_non_scalar_output_with_gradient_and_inputs():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = torch.tensor([4.0, 5.0, 6.0], requires_grad=True)
    out = x * y
    rec = record(out, gradient=torch.ones(3), inputs=[x], names={"x": x, "y": y})
    assert torch.equal(x.grad, y.detach()) and y.grad is None
    written = {w.name for s in rec.steps for w in s.writes}
    assert written == {"x"}


def test_recording_an_already_traced_graph():
    x, y, z = build_add_mul()
    f = (x + y) * z
    before = graphtrace.trace(f, names={"x": x})
    rec = record(f, names={"x": x})
    assert sorted(rec.graph.nodes) == sorted(before.nodes)
    assert x.grad.item() == -4


def test_large_gradients_are_summaries_not_tensors():
    w = torch.randn(64, 64, requires_grad=True)
    rec = record((w * 2).sum(), names={"w": w})
    (write,) = [w_ for s in rec.steps for w_ in s.writes]
    assert "values" not in write.after and write.after["shape"] == [64, 64]
    assert write.after["norm"] == pytest.approx(float(w.grad.norm()))
    for step in rec.steps:
        for summary in step.grad_outputs + step.grad_inputs:
            assert summary is None or isinstance(summary, dict)


def test_no_requires_grad_gives_torch_text_and_a_fix():
    with pytest.raises(RecordError) as info:
        record(torch.ones(3).sum())
    message = str(info.value)
    assert "element 0 of tensors does not require grad and does not have a grad_fn" in message
    assert "requires_grad=True" in message
    assert isinstance(info.value, RuntimeError)


def test_non_scalar_without_gradient_gives_torch_text_and_a_fix():
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(RecordError) as info:
        record(x * 2)
    assert "grad can be implicitly created only for scalar outputs" in str(info.value)
    assert "gradient=" in str(info.value)
    assert x.grad is None


def test_freed_graph_gives_torch_text_and_a_fix():
    x, y, z = build_add_mul()
    f = (x + y) * z
    f.backward()
    with pytest.raises(RecordError) as info:
        record(f, names={})
    assert "Trying to backward through the graph a second time" in str(info.value)
    assert "retain_graph=True" in str(info.value)
    assert x.grad.item() == -4  # nothing ran


def test_context_manager_records_user_backward(add_mul):
    t = add_mul
    with recording(t["f"], names={"x": t["x"]}) as recorder:
        t["f"].backward()
    rec = recorder.recording
    assert isinstance(rec, Recording) and rec.names[0] == "MulBackward0"
    assert all(isinstance(s, Step) for s in rec.steps)
    assert all(isinstance(w, GradWrite) for s in rec.steps for w in s.writes)
    assert rec.freed and rec.retain_graph is False


def test_hooks_removed_when_backward_raises():
    x = torch.tensor(2.0, requires_grad=True)
    y = x * 3
    boom = y.grad_fn.register_prehook(lambda grads: (_ for _ in ()).throw(ValueError("user hook failed")))
    with pytest.raises(ValueError):
        record(y, retain_graph=True, names={})
    boom.remove()
    y.backward()
    assert x.grad.item() == 3


def test_recording_is_deterministic(add_mul):
    def once():
        x, y, z = build_add_mul()
        f = (x + y) * z
        rec = record(f, names={"x": x, "y": y, "z": z})
        return rec.steps, sorted(rec.graph.nodes(data="name"))

    assert once() == once()


class Square(torch.autograd.Function):
    """A custom Function that saves its input with ctx.save_for_backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x * grad


def test_custom_function_after_backward_gives_torch_text_and_a_fix():
    x = torch.tensor(3.0, requires_grad=True)
    y = Square.apply(x)
    y.backward()
    with pytest.raises(RecordError) as info:
        record(y, names={})
    message = str(info.value)
    assert "Trying to backward through the graph a second time" in message
    assert "retain_graph=True" in message and "SquareBackward" in message
    assert x.grad.item() == 6  # nothing ran a second time


def test_custom_function_recorded_before_backward():
    x = torch.tensor(3.0, requires_grad=True)
    rec = record(Square.apply(x), names={"x": x})
    assert rec.names == ["SquareBackward", "AccumulateGrad"] and x.grad.item() == 6
    assert [rec.graph.nodes[n]["name"] for n in rec.freed] == ["saved_tensors[0]"]


def test_modified_saved_tensor_gives_torchs_inplace_text_and_its_fix():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    c = (b * b).sum()
    b.add_(1)  # b was saved by b * b
    with pytest.raises(RecordError) as info:
        record(c, names={})
    message = str(info.value)
    assert "modified by an inplace operation" in message
    assert "clone()" in message and "forward pass again" in message
    assert "already freed" not in message and "retain_graph=True" not in message
    assert a.grad is None  # checked before backward ran


def test_outputs_checked_once(monkeypatch):
    import graphtrace.recorder as recorder_module

    calls = []
    real = recorder_module._check_output
    monkeypatch.setattr(recorder_module, "_check_output", lambda output: calls.append(output) or real(output))
    x, y, z = build_add_mul()
    record((x + y) * z, names={})
    assert len(calls) == 1
    calls.clear()
    with recording((x + y) * z, names={}) as r:
        pass
    assert len(calls) == 1 and r.recording.steps == ()


def test_context_manager_without_saved_tensors_does_not_guess_retain_graph():
    from graphtrace.render.captions import captions

    a = torch.tensor(2.0, requires_grad=True)
    b = a + 1  # AddBackward0 saves nothing
    with recording(b, names={"a": a, "b": b}) as recorder:
        b.backward()
    rec = recorder.recording
    assert rec.freed == () and rec.retain_graph is None
    assert a.grad.item() == 1
    end = captions(rec)[-1]
    assert "Nothing was saved for backward." in end and "retain_graph" not in end
    # record() knows retain_graph, but there is still nothing saved to keep.
    kept = record(a + 1, retain_graph=True, names={})
    assert kept.retain_graph is True
    assert "Nothing was saved for backward." in captions(kept)[-1]


def test_context_manager_tells_retain_graph_from_the_saved_tensors(add_mul):
    from graphtrace.render.captions import captions

    t = add_mul
    with recording(t["f"], names={}) as recorder:
        t["f"].backward(retain_graph=True)
    rec = recorder.recording
    assert rec.freed == () and rec.retain_graph is True
    assert "Saved tensors kept (retain_graph=True)." in captions(rec)[-1]
    with recording(t["f"], names={}) as recorder:
        pass  # no backward: nothing ran, so nothing can be told
    assert recorder.recording.retain_graph is None
    assert captions(recorder.recording)[-1].endswith(" Saved tensors kept.")


def test_a_summary_that_fails_inside_a_hook_does_not_break_backward(monkeypatch):
    import graphtrace.summary as summary_module

    x, y, z = build_add_mul()
    f = (x + y) * z

    def refuse(tensor, max_values):
        raise NotImplementedError("this tensor gives no numbers")

    with recording(f, names={"x": x}) as recorder:
        monkeypatch.setattr(summary_module, "_summarize_tensor", refuse)
        f.backward()
    monkeypatch.undo()
    assert x.grad.item() == -4 and z.grad.item() == 3
    rec = recorder.recording
    assert rec.names[0] == "MulBackward0"
    assert all(g is None for s in rec.steps for g in s.grad_outputs + s.grad_inputs)
