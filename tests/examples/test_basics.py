"""The small autograd examples give the numbers the course prints, in torch and in the scalar engine."""

from collections import Counter

import pytest
import torch

from oracles import function_names

from graphtrace import examples
from graphtrace.examples.basics import accumulation_steps


def test_add_mul_torch_forward_and_gradients():
    b = examples.get("add-mul").build_torch()
    assert b["q"].item() == 3.0
    assert b["f"].item() == -12.0
    b.backward()
    assert b["x"].grad.item() == -4.0
    assert b["y"].grad.item() == -4.0
    assert b["z"].grad.item() == 3.0
    # ∂f/∂q = z: kept by retain_grad so the picture can show it.
    assert b["q"].grad.item() == -4.0


def test_add_mul_scalar_matches_the_course_and_torch():
    s = examples.get("add-mul").build_scalar()
    t = examples.get("add-mul").build_torch()
    assert s.outputs == t.outputs == ("f",)
    assert s["q"].data == 3.0
    assert s["f"].data == -12.0
    s.backward()
    t.backward()
    for name in ("x", "y", "z"):
        assert s[name].grad.item() == t[name].grad.item()
    assert (s["x"].grad.item(), s["y"].grad.item(), s["z"].grad.item()) == (-4.0, -4.0, 3.0)
    assert s["q"].grad.item() == -4.0


def test_add_mul_builds_the_same_graph_shape_in_both_engines():
    t = examples.get("add-mul").build_torch()
    s = examples.get("add-mul").build_scalar()
    assert function_names(s["f"]) == function_names(t["f"]) == Counter(
        {"MulBackward0": 1, "AddBackward0": 1, "AccumulateGrad": 3}
    )


def test_sum_of_squares_gradient_is_2x():
    b = examples.get("sum-of-squares").build_torch()
    assert b["f"].item() == 30.0
    b.backward()
    assert b["X_torch"].grad.tolist() == [0.0, 2.0, 4.0, 6.0, 8.0]


def test_tensor_backward_gives_3a2_and_minus_4b():
    b = examples.get("tensor-backward").build_torch()
    a, bb, T = b["a"], b["b"], b["T"]
    assert T.tolist() == [-64.0, -5.0]
    assert b.grad_outputs["T"].tolist() == [1.0, 1.0]
    b.backward()
    assert torch.equal(a.grad, 3 * a.detach() ** 2)
    assert torch.equal(bb.grad, -4 * bb.detach())
    assert a.grad.tolist() == [12.0, 27.0]
    assert bb.grad.tolist() == [-24.0, -16.0]


def test_tensor_backward_needs_a_gradient_for_a_vector_output():
    b = examples.get("tensor-backward").build_torch()
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        b["T"].backward()


def test_retain_grad_keeps_y_grad_only():
    b = examples.get("retain-grad").build_torch()
    w, x, y, z = b["w"], b["x"], b["y"], b["z"]
    # torch prints y = [9, 9, 9] and z = 9 (one course slide says 27: torch wins).
    assert y.tolist() == [9.0, 9.0, 9.0]
    assert z.item() == 9.0
    assert y.retains_grad and not x.retains_grad
    b.backward()
    assert torch.allclose(y.grad, torch.full((3,), 1 / 3))
    assert w.grad.tolist() == [1.0, 1.0, 1.0]
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert x.grad is None


def test_detach_cuts_the_branch_out_of_the_graph():
    b = examples.get("detach").build_torch()
    assert b["z"].grad_fn is None and not b["z"].requires_grad
    assert function_names(b["r"]) == Counter(
        {"SumBackward0": 1, "AddBackward0": 1, "MulBackward0": 1, "AccumulateGrad": 1}
    )
    b.backward()
    assert b["x"].grad.tolist() == [2.0, 2.0, 2.0]


def test_without_detach_both_branches_reach_x():
    b = examples.get("no-detach").build_torch()
    names = function_names(b["r"])
    assert names["AddBackward0"] == 2
    assert set(names) == {"SumBackward0", "AddBackward0", "MulBackward0", "AccumulateGrad"}
    b.backward()
    assert b["x"].grad.tolist() == [3.0, 3.0, 3.0]


def test_no_grad_product_has_no_grad_fn():
    b = examples.get("no-grad").build_torch()
    assert b["a"].requires_grad
    assert type(b["b"].grad_fn).__name__ == "MulBackward0"
    assert b["b_no_grad"].grad_fn is None
    assert not b["b_no_grad"].requires_grad
    assert torch.equal(b["b"].detach(), b["b_no_grad"])
    # The build is deterministic: the same picture every time.
    assert torch.equal(b["a"], examples.get("no-grad").build_torch()["a"])


def test_gradient_accumulation_with_zeroing():
    rec = accumulation_steps(zero_grad=True)
    assert rec["outputs"] == pytest.approx([12.0, 8.4, 4.8], abs=1e-5)
    assert rec["grads"] == [[3.0] * 4] * 3
    for got, want in zip(rec["weights"], (0.7, 0.4, 0.1)):
        assert got == pytest.approx([want] * 4, abs=1e-6)
    assert rec["final_output"] == pytest.approx(1.2, abs=1e-5)


def test_gradient_accumulation_without_zeroing_grows_the_gradient():
    rec = accumulation_steps(zero_grad=False)
    assert [g[0] for g in rec["grads"]] == [3.0, 6.0, 9.0]
    for got, want in zip(rec["weights"], (0.7, 0.1, -0.8)):
        assert got == pytest.approx([want] * 4, abs=1e-6)
    assert rec["final_output"] == pytest.approx(-9.6, abs=1e-5)


def test_gradient_accumulation_trains_with_sgd_like_the_manual_loop():
    result = examples.train("grad-accumulation", device="cpu", progress=False)
    assert result.epochs == 3 and result.lr == 0.1
    assert result.losses == pytest.approx([12.0, 8.4, 4.8], abs=1e-5)
    assert result.params["weights"].tolist() == pytest.approx([0.1] * 4, abs=1e-6)
