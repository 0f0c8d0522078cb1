"""Autograd semantics side by side with torch: accumulation, freeing, errors, in-place, hooks, grad mode."""

import gc
import re
import sys
import warnings

import pytest
import torch

from graphtrace.scalar import Value, enable_grad, is_grad_enabled, no_grad
from scalar_twins import hook_all, torch_leaf, value_leaf, walk_pairs


def error_of(f, kind=Exception):
    with pytest.raises(kind) as info:
        f()
    return str(info.value)


def both(f):
    """Run f with torch's leaf maker and with ours; return the two results."""
    return f(torch_leaf, torch), f(value_leaf, None)


def test_gradients_accumulate_across_backward_calls():
    def f(leaf, _):
        x = leaf(1.5)
        (x * x).backward()
        (x.exp()).backward()
        return x.grad.item()
    t, v = both(f)
    assert v == pytest.approx(t, rel=1e-15)


def test_leaf_grad_is_updated_in_place_and_retained_grad_is_replaced():
    x = value_leaf(2.0)
    y = x * 2
    y.retain_grad()
    z = y * 3
    z.backward(retain_graph=True)
    gx, gy = x.grad, y.grad
    z.backward()
    assert x.grad is gx and x.grad.data == 12.0      # torch: grad += new
    assert y.grad is not gy and y.grad.data == 6.0   # torch: grad = grad + new


def test_reading_grad_of_non_leaf_warns_like_torch():
    x = torch_leaf(1.0)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        (x * 2).grad
        (value_leaf(1.0) * 2).grad
    torch_text, our_text = str(seen[0].message), str(seen[1].message)
    assert seen[1].category is UserWarning
    assert torch_text.startswith(our_text)  # torch adds "(Triggered internally at <C++ file>)"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = value_leaf(1.0) * 2
        y.retain_grad()
        assert y.grad is None


@pytest.mark.parametrize("make", [
    lambda x: x.exp(), lambda x: x * x, lambda x: x * 3, lambda x: x.log(), lambda x: 2 ** x,
    lambda x: x ** x, lambda x: x.tanh(), lambda x: 1 / x,
])
def test_saved_values_are_freed_after_backward(make):
    def f(leaf, _):
        y = make(leaf(1.5))
        y.backward()
        messages = [error_of(y.backward, RuntimeError)]
        for name in sorted(a for a in dir(y.grad_fn) if a.startswith("_saved_")):
            try:
                getattr(y.grad_fn, name)
                messages.append((name, "ok"))
            except RuntimeError as e:
                messages.append((name, str(e)))
        return messages
    t, v = both(f)
    assert v == t


def test_retain_graph_keeps_saved_values():
    def f(leaf, _):
        x = leaf(1.5)
        y = x.exp() * x
        y.backward(retain_graph=True)
        saved = y.grad_fn._saved_self.item()
        y.backward()
        return x.grad.item(), saved
    t, v = both(f)
    assert v == pytest.approx(t, rel=1e-15)


def test_graph_without_saved_values_can_run_backward_twice():
    def f(leaf, _):
        x = leaf(1.5)
        y = -(x + 3)
        y.backward()
        y.backward()
        return x.grad.item()
    assert both(f)[0] == both(f)[1]


def test_backward_from_value_that_does_not_require_grad():
    t = error_of(lambda: torch_leaf(1.0, False).backward(), RuntimeError)
    v = error_of(lambda: value_leaf(1.0, False).backward(), RuntimeError)
    assert v == t == "element 0 of tensors does not require grad and does not have a grad_fn"
    t2 = error_of(lambda: (torch_leaf(1.0, False) * 2).backward(), RuntimeError)
    assert error_of(lambda: (value_leaf(1.0, False) * 2).backward(), RuntimeError) == t2


@pytest.mark.parametrize("action", [
    lambda y: setattr(y, "requires_grad", False),
    lambda y: setattr(y, "requires_grad", True),
    lambda y: y.requires_grad_(False),
])
def test_changing_requires_grad_of_non_leaf(action):
    t = error_of(lambda: action(torch_leaf(1.0) * 2), RuntimeError)
    assert error_of(lambda: action(value_leaf(1.0) * 2), RuntimeError) == t
    y = value_leaf(1.0) * 2
    assert y.requires_grad_(True) is y  # allowed in torch too


def test_requires_grad_on_leaf():
    x = Value(2.0)
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad = False
    assert not x.requires_grad and x.is_leaf


@pytest.mark.parametrize("name, call", [
    ("retain_grad", lambda x: x.retain_grad()),
    ("register_hook", lambda x: x.register_hook(lambda g: g)),
    ("post_acc", lambda x: x.register_post_accumulate_grad_hook(lambda t: None)),
])
def test_hook_errors_on_constants(name, call):
    t = error_of(lambda: call(torch_leaf(1.0, False)), RuntimeError)
    assert error_of(lambda: call(value_leaf(1.0, False)), RuntimeError) == t


def test_post_accumulate_hook_on_non_leaf():
    t = error_of(lambda: (torch_leaf(1.0) * 2).register_post_accumulate_grad_hook(print), RuntimeError)
    assert error_of(lambda: (value_leaf(1.0) * 2).register_post_accumulate_grad_hook(print), RuntimeError) == t


def test_retain_grad_on_leaf_is_a_no_op():
    x = value_leaf(1.0)
    x.retain_grad()
    assert not x.retains_grad and not torch_leaf(1.0).retains_grad


def _torch_text(message):
    # Our message names the Value type and gives its own hint; the rest is torch's sentence.
    return message.replace("[torch.DoubleTensor []]", "[graphtrace.scalar.Value []]").split(" Hint:")[0]


@pytest.mark.parametrize("case", ["leaf", "output", "saved non-leaf", "twice"])
def test_in_place_change_of_saved_value_is_caught(case):
    def f(leaf, _):
        w = leaf(1.0)
        u = leaf(3.0)
        if case == "leaf":
            z, target = w * w, w
        elif case == "output":
            y = w.exp()
            z, target = y * 2, y
        else:
            y = w * 2
            z, target = y * u, y
        with (torch.no_grad() if _ else no_grad()):
            target -= 0.1 * (w.grad if w.grad is not None else 1.0)
            if case == "twice":
                target *= 2
        assert target._version == (2 if case == "twice" else 1)
        return error_of(z.backward, RuntimeError)
    if case == "twice":
        case = "leaf"
    t, v = both(f)
    assert re.search(r"is at version \d+; expected version 0 instead", v)
    assert _torch_text(v) == _torch_text(t)


def test_update_after_backward_then_new_graph_is_fine():
    def f(leaf, _):
        w = leaf(1.0)
        for _step in range(3):
            loss = (w * 3 - 1) ** 2
            loss.backward()
            with (torch.no_grad() if _ else no_grad()):
                w -= 0.1 * w.grad
                w.grad.zero_()
        return w.item(), w._version, w.grad.item()
    t, v = both(f)
    assert v[0] == pytest.approx(t[0], rel=1e-15) and v[1:] == t[1:]


def test_in_place_on_leaf_that_requires_grad_raises():
    def f(leaf, _):
        x = leaf(1.0)
        return [error_of(lambda: x.__iadd__(1), RuntimeError), error_of(lambda: x.__imul__(x), RuntimeError)]
    t, v = both(f)
    assert v == t == ["a leaf Variable that requires grad is being used in an in-place operation."] * 2


def test_in_place_on_non_leaf_rebases_history_like_torch():
    def f(leaf, _):
        x = leaf(2.0)
        y = x * 3
        y += 1
        c = leaf(1.0, False)
        c *= x
        out = [y.grad_fn.name(), [n is None for n, _ in y.grad_fn.next_functions], y._version, y.is_leaf,
               c.grad_fn.name(), [n is None for n, _ in c.grad_fn.next_functions], c.requires_grad]
        (y * c).backward()
        return out + [x.grad.item()]
    t, v = both(f)
    assert v == t


def test_data_assignment_is_not_tracked_like_torch():
    x = value_leaf(1.0)
    y = x * x
    x.data = 3.0  # no version bump: the escape hatch, as torch's .data
    assert x._version == 0
    x.data -= 0.5 * Value(2.0)
    assert x.data == 2.0
    y.backward()
    assert x.grad.data == 4.0  # backward reads the current number, as torch reads shared storage


def test_detach_and_no_grad_cut_the_graph_where_torch_does():
    def f(leaf, mod):
        x = leaf(1.0)
        y = 2 * x
        z = 3 + x.detach()
        with (mod.no_grad() if mod else no_grad()):
            w = x * 5
            inside = (mod.is_grad_enabled() if mod else is_grad_enabled())
        r = y + z + w
        d = x.detach()
        info = [d.requires_grad, d.is_leaf, d.grad_fn is None, z.requires_grad, w.requires_grad,
                w.grad_fn is None, inside, x.requires_grad]
        r.backward()
        return info + [x.grad.item(), [n is None for n, _ in r.grad_fn.next_functions]]
    t, v = both(f)
    assert v == t


def test_no_grad_as_decorator_and_enable_grad():
    @no_grad()
    def f(x):
        return x * 2

    @no_grad
    def g(x):
        with enable_grad():
            return x * 2

    x = value_leaf(1.0)
    assert f(x).grad_fn is None and g(x).grad_fn is not None and is_grad_enabled()


@pytest.mark.parametrize("gradient", [None, 2.5, -1.0])
def test_gradient_argument(gradient):
    def f(leaf, mod):
        x = leaf(1.5)
        y = x.tanh() * x
        g = None if gradient is None else leaf(gradient, False)
        y.backward(g)
        return x.grad.item()
    t, v = both(f)
    assert v == pytest.approx(t, rel=1e-15)


def test_gradient_must_be_a_value():
    with pytest.raises(TypeError):
        (value_leaf(1.0) * 2).backward(2.0)
    with pytest.raises(TypeError):
        (torch_leaf(1.0) * 2).backward(2.0)


def test_backward_on_non_leaf_with_retain_grad_and_on_a_leaf():
    def f(leaf, _):
        x = leaf(2.0)
        y = x * 3
        y.retain_grad()
        y.backward()
        x2 = leaf(5.0)
        x2.backward()
        return y.grad.item(), x.grad.item(), x2.grad.item(), y.retains_grad
    assert both(f)[0] == both(f)[1]


def test_hooks_fire_in_torch_order_with_torch_arguments():
    def f(leaf, mod):
        log = []

        def show(g):
            return None if g is None else round(g.item(), 12)

        x, y = leaf(2.0), leaf(3.0)
        a = x * y
        b = a.tanh()
        c = b + x
        k = x + 3
        a.register_hook(lambda g: log.append(("tensor a1", show(g))))
        a.retain_grad()
        a.register_hook(lambda g: (log.append(("tensor a2 doubles", show(g))), g * 2)[1])
        x.register_hook(lambda g: log.append(("tensor x", show(g))))
        x.register_post_accumulate_grad_hook(lambda t: log.append(("post-acc x", show(t.grad))))
        nodes = [c.grad_fn, b.grad_fn, a.grad_fn, *(n for n, _ in a.grad_fn.next_functions), k.grad_fn]
        for n in nodes:
            n.register_prehook(lambda go, n=n: log.append(("pre", n.name(), [show(g) for g in go])))
            n.register_hook(lambda gi, go, n=n: log.append(
                ("post", n.name(), [show(g) for g in gi], [show(g) for g in go])))
        k.backward()
        c.backward()
        return log, show(a.grad), show(x.grad), show(y.grad)
    t, v = both(f)
    assert v == t


def test_hooks_can_replace_gradients_and_be_removed():
    def f(leaf, _):
        x = leaf(2.0)
        y = x * x
        z = y.exp()
        h1 = y.register_hook(lambda g: g * 10)
        h2 = z.grad_fn.register_prehook(lambda go: (go[0] * 0.5,))
        h3 = y.grad_fn.register_hook(lambda gi, go: (gi[0] + 1, gi[1]))
        z.backward(retain_graph=True)
        first = x.grad.item()
        for h in (h1, h2, h3):
            h.remove()
        z.backward()
        return first, x.grad.item()
    t, v = both(f)
    assert v == pytest.approx(t, rel=1e-13)


def test_execution_order_matches_torch_on_a_diamond_with_shared_leaves():
    def f(leaf):
        x, y, z = leaf(0.5), leaf(-1.2), leaf(2.0)
        a = x * y
        b = a.exp() + z
        c = (a - x).tanh()
        d = b * c + y.sigmoid() * x
        return d
    t, v = f(torch_leaf), f(value_leaf)
    pairs = walk_pairs(t.grad_fn, v.grad_fn)
    t_log, v_log = hook_all(pairs)
    t.backward()
    v.backward()
    assert v_log == t_log and len(v_log) == len(pairs)


def test_deep_chain_has_no_recursion():
    x = value_leaf(0.5)
    y = x
    for _ in range(100_000):
        y = y * 1.0000001 + 0.0
    y.backward()
    assert x.grad.data > 1.0
    assert sys.getrecursionlimit() < 100_000
    y = x
    for _ in range(100_000):
        y = y.tanh()
    del y  # freeing a 100k chain must not recurse either
    gc.collect()
    chain = x
    for _ in range(100_000):
        chain = chain.exp().log()
    chain.backward(retain_graph=True)
    repr(chain)
    del chain
