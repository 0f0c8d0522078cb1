"""Time one training step (forward, backward, SGD) of a 2-16-16-1 MLP: graphtrace.scalar vs micrograd."""

import gc
import math
import random
import sys
import time

from micrograd.engine import Value as MGValue
from micrograd.nn import MLP as MGMLP, Neuron as MGNeuron

from graphtrace.scalar import MLP, SGD

N_POINTS, STEPS, REPEATS, LR = 100, 3, 2, 0.05


def two_moons(n, seed=0):
    """n points of two interleaved half circles with a little noise; labels -1 / +1."""
    rng = random.Random(seed)
    xs, ys = [], []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2 == 0:
            x, y, label = math.cos(t), math.sin(t), -1.0
        else:
            x, y, label = 1.0 - math.cos(t), 0.5 - math.sin(t), 1.0
        xs.append([x + rng.gauss(0, 0.1), y + rng.gauss(0, 0.1)])
        ys.append(label)
    return xs, ys


def _mg_tanh(self):
    # micrograd's package has only relu; this is tanh in its own closure style.
    t = math.tanh(self.data)
    out = MGValue(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t * t) * out.grad
    out._backward = _backward
    return out


class _MGTanhNeuron(MGNeuron):
    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return _mg_tanh(act) if self.nonlin else act


def micrograd_mlp(activation):
    random.seed(0)
    model = MGMLP(2, [16, 16, 1])
    if activation == "tanh":
        for layer in model.layers:
            for n in layer.neurons:
                n.__class__ = _MGTanhNeuron
    return model


def micrograd_step(model, xs, ys):
    loss = sum(((model(x) - y) ** 2 for x, y in zip(xs, ys)), MGValue(0.0)) * (1.0 / len(xs))
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= LR * p.grad
    return loss.data


def ours_step(model, opt, xs, ys):
    loss = sum(((model(x) - y) ** 2 for x, y in zip(xs, ys)), 0.0) * (1.0 / len(xs))
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.data


def best_time(make, step):
    """Seconds per step: the best of REPEATS runs of STEPS steps, each run from fresh weights."""
    best, losses = math.inf, None
    for _ in range(REPEATS):
        state = make()
        gc.collect()  # start each run without the other engine's garbage
        start = time.perf_counter()
        losses = [step(*state) for _ in range(STEPS)]
        best = min(best, (time.perf_counter() - start) / STEPS)
    return best, losses


def main():
    xs, ys = two_moons(N_POINTS)
    results = {}
    for activation in ("tanh", "relu"):
        def make_ours():
            model = MLP(2, [16, 16, 1], activation, seed=0)
            return model, SGD(model.parameters(), lr=LR), xs, ys

        ours, ours_losses = best_time(make_ours, ours_step)
        theirs, mg_losses = best_time(lambda: (micrograd_mlp(activation), xs, ys), micrograd_step)
        results[activation] = (ours, theirs)
        print("%-4s hidden: graphtrace.scalar %.1f ms/step, micrograd %.1f ms/step, ratio %.2f "
              "(loss %.4f -> %.4f vs %.4f -> %.4f)" % (
                  activation, ours * 1e3, theirs * 1e3, ours / theirs,
                  ours_losses[0], ours_losses[-1], mg_losses[0], mg_losses[-1]))
    ours, theirs = results["tanh"]
    print("SUMMARY bench_scalar: 2-16-16-1 tanh MLP, %d points, forward+backward+SGD: "
          "ours %.1f ms, micrograd %.1f ms, ratio ours/micrograd %.2f (python %s)" % (
              N_POINTS, ours * 1e3, theirs * 1e3, ours / theirs, sys.version.split()[0]))


if __name__ == "__main__":
    main()
