"""train(): devices, argument checks before any work, reproducibility, progress, the SVG curve, scalar parity."""

import xml.etree.ElementTree as ET

import pytest

from graphtrace.errors import GraphtraceError
import torch

from graphtrace import examples
from graphtrace.examples import DeviceError, ExampleError, NotTrainableError, TrainResult


def test_auto_trains_on_cuda_when_available_else_cpu():
    result = examples.train("linear-regression", epochs=3, progress=False)
    assert isinstance(result, TrainResult)
    assert result.device.startswith("cuda" if torch.cuda.is_available() else "cpu")
    assert len(result.losses) == 3 and all(isinstance(v, float) for v in result.losses)
    assert result.final_loss == result.losses[-1]
    assert result.dtype == "float32" and result.engine == "torch"


def test_same_seed_same_history_on_the_cpu():
    for name in ("mlp", "tanh-network", "linear-regression", "polynomial", "linear-stack"):
        a = examples.train(name, device="cpu", epochs=15, seed=7, progress=False)
        b = examples.train(name, device="cpu", epochs=15, seed=7, progress=False)
        assert a.losses == b.losses, name
        for key in a.params:
            assert torch.equal(a.params[key], b.params[key])
    c = examples.train("mlp", device="cpu", epochs=15, seed=8, progress=False)
    assert c.losses != a.losses


def test_training_does_not_touch_the_global_rng():
    state = torch.random.get_rng_state()
    examples.train("mlp", device="cpu", epochs=2, progress=False)
    assert torch.equal(torch.random.get_rng_state(), state)


def test_the_loss_history_is_the_loss_before_each_step():
    result = examples.train("linear-regression", device="cpu", epochs=1, progress=False)
    X, y = result.data["X"], result.data["y"]
    from graphtrace.examples.regression import linear_regression_data

    _, _, w0 = linear_regression_data(0)
    assert result.losses[0] == pytest.approx(((X @ w0.detach() - y) ** 2).mean().item(), rel=1e-6)


def test_cuda_without_cuda_is_refused_before_training(capsys, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(DeviceError, match="use device='cpu'"):
        examples.train("mlp", device="cuda")
    assert capsys.readouterr().err == ""  # no progress bar: nothing started


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"device": "gpu"}, "torch does not know the device 'gpu'"),
        ({"epochs": 0}, "epochs must be at least 1"),
        ({"epochs": -5}, "epochs must be at least 1"),
        ({"epochs": 2.5}, "epochs must be a whole number"),
        ({"epochs": True}, "epochs must be a whole number"),
        ({"lr": 0}, "lr must be a positive finite number"),
        ({"lr": -0.1}, "lr must be a positive finite number"),
        ({"lr": float("nan")}, "lr must be a positive finite number"),
        ({"lr": "fast"}, "lr must be a number"),
        ({"seed": -1}, "seed must be a whole number >= 0"),
        ({"engine": "jax"}, "engine must be 'torch' or 'scalar'"),
        ({"dtype": "float16"}, "dtype must be 'float32' or 'float64'"),
        ({"progress": "yes"}, "progress must be True or False"),
    ],
)
def test_bad_arguments_are_refused_before_training(kwargs, match, capsys):
    with pytest.raises(ExampleError, match=match):
        examples.train("mlp", **kwargs)
    assert capsys.readouterr().err == ""


def test_bad_plot_paths_are_refused_before_training(tmp_path, capsys):
    with pytest.raises(ExampleError, match="ending in .svg"):
        examples.train("mlp", plot=tmp_path / "loss.png")
    with pytest.raises(GraphtraceError, match="does not exist"):
        examples.train("mlp", plot=tmp_path / "nope" / "loss.svg")
    assert capsys.readouterr().err == ""
    assert list(tmp_path.iterdir()) == []


def test_examples_without_a_loop_say_which_have_one():
    with pytest.raises(NotTrainableError, match="'add-mul' draws a graph but has no training loop.*mlp"):
        examples.train("add-mul")
    with pytest.raises(NotTrainableError, match="trains in torch only.*sigmoid-neuron"):
        examples.train("tanh-network", engine="scalar")


def test_scalar_engine_runs_on_the_cpu_only():
    with pytest.raises(DeviceError, match="scalar engine is pure Python and runs on the CPU only"):
        examples.train("mlp", engine="scalar", device="cuda:0")
    with pytest.raises(ExampleError, match="leave dtype unset"):
        examples.train("mlp", engine="scalar", dtype="float32")


def test_progress_bar_on_stderr_and_off(capsys):
    examples.train("linear-regression", device="cpu", epochs=5, progress=True)
    captured = capsys.readouterr()
    assert "linear-regression (torch, cpu)" in captured.err and "5/5" in captured.err
    assert captured.out == ""
    examples.train("linear-regression", device="cpu", epochs=5, progress=False)
    assert capsys.readouterr() == ("", "")


def test_plot_writes_an_svg_loss_curve(tmp_path):
    target = tmp_path / "loss.svg"
    result = examples.train("tanh-network", device="cpu", epochs=20, progress=False, plot=str(target))
    assert result.plot == target
    root = ET.fromstring(target.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    (line,) = root.iter("{http://www.w3.org/2000/svg}polyline")
    assert len(line.get("points").split()) == 20
    assert "one hidden tanh layer" in root.find("{http://www.w3.org/2000/svg}title").text
    assert [p.name for p in tmp_path.iterdir()] == ["loss.svg"]


def test_float64_training():
    result = examples.train("sigmoid-neuron", device="cpu", dtype="float64", epochs=3, progress=False)
    assert result.dtype == "float64" and result.params["W"].dtype == torch.float64


@pytest.mark.parametrize("name, epochs", [("sigmoid-neuron", 40), ("mlp", 25)])
def test_scalar_engine_follows_torch_in_float64(name, epochs):
    ours = examples.train(name, engine="scalar", epochs=epochs, progress=False)
    ref = examples.train(name, device="cpu", dtype="float64", epochs=epochs, progress=False)
    assert ours.engine == "scalar" and ours.device == "cpu" and ours.dtype == "float64"
    assert len(ours.losses) == len(ref.losses) == epochs
    assert ours.losses == pytest.approx(ref.losses, abs=1e-6, rel=0)
    assert ours.losses[-1] < ours.losses[0]
    for key, value in ref.params.items():
        assert torch.allclose(ours.params[key], value, atol=1e-6, rtol=0), key


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_training_puts_model_and_data_on_the_gpu_and_matches_the_cpu():
    for name in ("sigmoid-neuron", "mlp", "polynomial", "linear-regression", "tanh-network", "linear-stack"):
        gpu = examples.train(name, device="cuda", epochs=5, progress=False)
        cpu = examples.train(name, device="cpu", epochs=5, progress=False)
        assert gpu.device.startswith("cuda:"), name
        assert gpu.losses == pytest.approx(cpu.losses, rel=1e-3, abs=1e-4), name
    built = examples.get("mlp").build_torch(device="cuda")
    assert all(t.device.type == "cuda" for t in built.values())
    built.backward()
    assert built["model[0].weight"].grad.device.type == "cuda"
