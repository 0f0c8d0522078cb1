"""`graphtrace examples`, `graphtrace train` and `graphtrace gallery`, driven through click's CliRunner."""

import pytest
import torch
from click.testing import CliRunner

from graphtrace import examples
from graphtrace.cli.main import main

NO_CUDA = pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")


@pytest.fixture
def runner():
    return CliRunner()


def test_help_lists_the_new_commands(runner):
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("examples", "train", "gallery"):
        assert command in result.output
    result = runner.invoke(main, ["train", "--help"])
    assert result.exit_code == 0
    for option in ("--device", "--epochs", "--lr", "--seed", "--engine", "--plot", "--quiet"):
        assert option in result.output


def test_examples_lists_one_line_per_example(runner):
    result = runner.invoke(main, ["examples"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "TITLE", "ENGINES", "TRAINS"]
    assert [line.split()[0] for line in lines[1:]] == examples.names()
    by_name = {line.split()[0]: line for line in lines[1:]}
    assert by_name["add-mul"].endswith("torch, scalar  no")
    sigmoid = examples.get("sigmoid-neuron")
    assert by_name["sigmoid-neuron"].endswith(f"torch, scalar ({sigmoid.recipe.epochs} epochs, lr 0.01)")
    assert by_name["linear-stack"].rstrip().endswith("torch (10 epochs, lr 0.01)")
    assert examples.get("mlp").title in by_name["mlp"]


def test_train_prints_device_epochs_and_losses(runner):
    result = runner.invoke(main, ["train", "grad-accumulation", "--device", "cpu", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "trained grad-accumulation (torch, float32) on cpu: 3 epochs, lr 0.1, seed 0",
        "output: first 12, final 4.8",  # the loss label is the example's own
    ]
    assert result.stderr == ""


def test_train_shows_a_progress_bar_on_stderr(runner):
    result = runner.invoke(main, ["train", "linear-stack", "--device", "cpu", "--epochs", "4"])
    assert result.exit_code == 0, result.output
    assert "[" in result.stderr and "4/4" in result.stderr
    assert "4/4" not in result.stdout and "4 epochs" in result.stdout


def test_train_options_reach_the_loop_and_the_plot_is_written(runner, tmp_path):
    plot = tmp_path / "curve.svg"
    args = ["train", "sigmoid-neuron", "--engine", "scalar", "--epochs", "5", "--lr", "0.5", "--seed", "3"]
    result = runner.invoke(main, [*args, "--plot", str(plot), "-q"])
    assert result.exit_code == 0, result.output
    assert "trained sigmoid-neuron (scalar, float64) on cpu: 5 epochs, lr 0.5, seed 3" in result.stdout
    assert f"wrote {plot}" in result.stdout
    assert plot.read_text().startswith("<?xml") and "<polyline" in plot.read_text()
    api = examples.train("sigmoid-neuron", engine="scalar", epochs=5, lr=0.5, seed=3, progress=False)
    assert f"final {api.final_loss:.6g}" in result.stdout


def test_unknown_example_lists_the_known_ones(runner):
    result = runner.invoke(main, ["train", "sigmoid_nuron", "-q"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no course example is called 'sigmoid_nuron'")
    assert "did you mean 'sigmoid-neuron'" in result.output
    assert ", ".join(examples.names()) in result.output


def test_an_example_without_training_is_a_clean_error(runner):
    result = runner.invoke(main, ["train", "add-mul", "-q"])
    assert result.exit_code == 1 and "Error: " in result.output and "no training loop" in result.output
    result = runner.invoke(main, ["train", "linear-stack", "--engine", "scalar", "-q"])
    assert result.exit_code == 1 and "trains in torch only" in result.output
    assert "Traceback" not in result.output


@NO_CUDA
def test_cuda_without_cuda_fails_before_training(runner, tmp_path):
    plot = tmp_path / "curve.svg"
    result = runner.invoke(main, ["train", "mlp", "--device", "cuda", "--plot", str(plot)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: device 'cuda' asks for CUDA")
    assert "trained" not in result.stdout and "[" not in result.stderr  # no progress bar: nothing ran
    assert not plot.exists()


def test_unknown_device_is_a_clean_error(runner):
    result = runner.invoke(main, ["train", "mlp", "--device", "banana"])
    assert result.exit_code == 1
    assert "Error: torch does not know the device 'banana'" in result.output
    assert "[" not in result.stderr


@pytest.mark.parametrize(
    "option, value",
    [("--epochs", "0"), ("--epochs", "-3"), ("--lr", "-0.1"), ("--lr", "0"), ("--seed", "-1"), ("--engine", "jax")],
)
def test_bad_numbers_are_rejected_with_a_message(runner, option, value):
    result = runner.invoke(main, ["train", "mlp", option, value])
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.output
    assert "trained" not in result.output


def test_a_non_finite_learning_rate_is_rejected(runner):
    result = runner.invoke(main, ["train", "mlp", "--lr", "nan", "-q"])
    assert result.exit_code != 0 and "lr must be a positive finite number" in result.output


def test_plot_must_be_an_svg_path(runner, tmp_path):
    result = runner.invoke(main, ["train", "linear-stack", "--plot", str(tmp_path / "curve.png"), "-q"])
    assert result.exit_code == 1 and "ending in .svg" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.layout
def test_gallery_builds_the_chosen_examples(runner, tmp_path):
    out = tmp_path / "site"
    result = runner.invoke(main, ["gallery", "--out", str(out), "-e", "add-mul", "-e", "linear-stack"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {out / 'index.html'}: 2 examples, 13 files (trained on cpu")
    assert "gallery [" in result.stderr and "2/2" in result.stderr
    for name in ("add-mul/graph.dot", "add-mul/scalar.svg", "add-mul/backward.html", "linear-stack/loss.svg"):
        assert (out / name).is_file(), name
    # Building again over its own output is allowed (the marker says it is a gallery).
    result = runner.invoke(main, ["gallery", "--out", str(out), "-e", "add-mul", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert not (out / "linear-stack").exists()


@pytest.mark.layout
def test_gallery_refuses_a_folder_that_is_not_a_gallery(runner, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = runner.invoke(main, ["gallery", "--out", str(tmp_path), "-e", "add-mul"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: refusing to replace")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.layout
def test_gallery_bad_device_and_unknown_example(runner, tmp_path):
    out = tmp_path / "g"
    result = runner.invoke(main, ["gallery", "--out", str(out), "--device", "banana"])
    assert result.exit_code == 1 and "Error: torch does not know the device 'banana'" in result.output
    result = runner.invoke(main, ["gallery", "--out", str(out), "-e", "nope"])
    assert result.exit_code == 1 and "known examples: add-mul" in result.output
    if not torch.cuda.is_available():
        result = runner.invoke(main, ["gallery", "--out", str(out), "--device", "cuda"])
        assert result.exit_code == 1 and "CUDA" in result.output
    assert not out.exists()
