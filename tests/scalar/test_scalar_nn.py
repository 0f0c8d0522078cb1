"""graphtrace.scalar.nn against torch.nn and torch.optim.SGD in float64."""

import pytest
import torch

from graphtrace.scalar import MLP, SGD, Layer, Neuron, Value, no_grad
from scalar_twins import D, same_float, torch_leaf, value_leaf

TORCH_ACT = {"tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU}


def loss_of(w0, w1, w2):
    return (w0 * w1 - 1) ** 2 + w2.tanh() * w0 + w2 ** 2 + (w1 / 3).sigmoid()


@pytest.mark.parametrize("options", [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.8, nesterov=True),
    dict(lr=0.1, weight_decay=0.01, momentum=0.5),
    dict(lr=0.1, maximize=True),
])
def test_sgd_trajectory_matches_torch(options):
    start = [0.3, -1.2, 0.8]
    tp = [torch_leaf(x) for x in start]
    vp = [value_leaf(x) for x in start]
    t_opt, v_opt = torch.optim.SGD(tp, **options), SGD(vp, **options)
    for _ in range(15):
        t_opt.zero_grad()
        v_opt.zero_grad()
        t_loss, v_loss = loss_of(*tp), loss_of(*vp)
        assert same_float(v_loss.data, t_loss.item(), rel=1e-9)
        t_loss.backward()
        v_loss.backward()
        t_opt.step()
        v_opt.step()
        for t, v in zip(tp, vp):
            assert same_float(v.data, t.item(), rel=1e-9)
            assert v._version == t._version


def test_sgd_checks_arguments_like_torch():
    for kwargs in (dict(lr=-1), dict(lr=0.1, momentum=-1), dict(lr=0.1, weight_decay=-1),
                   dict(lr=0.1, nesterov=True)):
        with pytest.raises(ValueError) as t_err:
            torch.optim.SGD([torch_leaf(1.0)], **kwargs)
        with pytest.raises(ValueError) as v_err:
            SGD([value_leaf(1.0)], **kwargs)
        assert str(v_err.value) == str(t_err.value)
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)


def test_sgd_skips_params_without_grad_and_zero_grad_modes():
    a, b = value_leaf(1.0), value_leaf(2.0)
    opt = SGD([a, b], lr=0.5)
    (a * 3).backward()
    opt.step()
    assert a.data == -0.5 and b.data == 2.0 and b._version == 0
    grad = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is grad and a.grad.data == 0.0
    opt.zero_grad()
    assert a.grad is None


def torch_twin(model, sizes, activation):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]).to(D))
        if i < len(sizes) - 2:
            layers.append(TORCH_ACT[activation]())
    net = torch.nn.Sequential(*layers)
    model.set_weights([(layer.weight.tolist(), layer.bias.tolist()) for layer in net
                       if isinstance(layer, torch.nn.Linear)])
    return net


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_mlp_training_matches_torch(activation):
    torch.manual_seed(0)
    sizes = [2, 4, 3, 1]
    model = MLP(2, sizes[1:], activation, seed=1)
    net = torch_twin(model, sizes, activation)
    xs = [[0.5, -1.0], [1.5, 0.25], [-0.3, 0.8], [0.0, 0.0]]
    ys = [1.0, -1.0, 0.5, 0.0]
    t_opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    v_opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(8):
        t_loss = ((net(torch.tensor(xs, dtype=D)).squeeze(1) - torch.tensor(ys, dtype=D)) ** 2).mean()
        v_loss = sum(((model(x) - y) ** 2 for x, y in zip(xs, ys)), 0.0) / len(xs)
        assert same_float(v_loss.data, t_loss.item(), rel=1e-10)
        t_opt.zero_grad()
        model.zero_grad()
        t_loss.backward()
        v_loss.backward()
        t_grads = [g for p in net.parameters() for g in _rows(p.grad)]
        v_grads = [p.grad.data for p in _torch_ordered(model)]
        assert all(same_float(v, t, rel=1e-9, abs_tol=1e-13) for v, t in zip(v_grads, t_grads))
        t_opt.step()
        v_opt.step()


def _rows(t):
    return t.reshape(-1).tolist()


def _torch_ordered(model):
    """Our parameters in torch's order: each layer's weight rows, then its biases."""
    out = []
    for layer in model.layers:
        out += [w for n in layer.neurons for w in n.w]
        out += [n.b for n in layer.neurons]
    return out


def test_seeded_initialisation_is_deterministic_and_bounded():
    a, b, c = MLP(3, [4, 1], seed=7), MLP(3, [4, 1], seed=7), MLP(3, [4, 1], seed=8)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]
    assert len(a.parameters()) == 3 * 4 + 4 + 4 + 1
    assert all(abs(p.data) <= 3 ** -0.5 for p in a.layers[0].parameters())
    assert all(p.requires_grad and p.is_leaf for p in a.parameters())


def test_neuron_activations_and_layer_shapes():
    for activation, f in [("tanh", Value.tanh), ("sigmoid", Value.sigmoid), ("relu", Value.relu),
                          ("linear", None)]:
        n = Neuron(2, activation, seed=3)
        n.set_weights([0.5, -0.25], 0.1)
        out = n([1.0, 2.0])
        pre = 0.1 + 0.5 * 1.0 + -0.25 * 2.0
        assert out.data == pytest.approx(pre if f is None else f(Value(pre)).data)
    assert len(Layer(3, 5, seed=0)([1.0, 2.0, 3.0])) == 5
    with pytest.raises(ValueError, match="activation must be one of"):
        Neuron(2, "softplus")
    with pytest.raises(ValueError, match="expected 2 weights"):
        Neuron(2).set_weights([1.0], 0.0)


def test_module_zero_grad():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(p.grad.data == 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_set_weights_under_a_graph_is_caught_at_backward():
    n = Neuron(1, "linear", seed=0)
    out = n([value_leaf(2.0)])  # w * x saves w because x needs a gradient
    n.set_weights([3.0], 0.0)  # an in-place copy: the old graph saved the old weight
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward()
    with no_grad():
        assert n([2.0]).data == 6.0
