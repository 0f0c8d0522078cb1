"""`graphtrace render script.py`, driven through click's CliRunner (and a subprocess for deep graphs)."""

import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

import graphtrace
from graphtrace.cli.main import main

ADD_MUL = """
import sys
import torch
x = torch.tensor(-2.0, requires_grad=True)
y = torch.tensor(5.0, requires_grad=True)
z = torch.tensor(-4.0, requires_grad=True)
q = x + y
f = q * z
"""


@pytest.fixture
def runner():
    return CliRunner()


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_help_and_version(runner):
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0 and "render" in result.output
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and graphtrace.__version__ in result.output
    result = runner.invoke(main, ["render", "--help"])
    assert result.exit_code == 0 and "--var" in result.output and "--rankdir" in result.output


def test_render_draws_the_top_level_output_with_the_scripts_names(runner, tmp_path):
    script = write(tmp_path, "add_mul.py", ADD_MUL)
    out = tmp_path / "f.dot"
    result = runner.invoke(main, ["render", str(script), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "drew f " in result.output  # q is an input of f, so only f is drawn
    text = out.read_text()
    for name in ("x", "y", "z", "q", "f"):
        assert f"<B>{name}</B>" in text


def test_var_chooses_what_to_draw_and_style_flags_apply(runner, tmp_path):
    script = write(tmp_path, "add_mul.py", ADD_MUL)
    out = tmp_path / "q.dot"
    result = runner.invoke(main, ["render", str(script), "-o", str(out), "--var", "q", "--hide-saved", "--rankdir", "LR", "--show-attrs"])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "MulBackward0" not in text and "AddBackward0" in text
    assert 'rankdir="LR"' in text and "alpha = 1" in text and "<I>saved</I>" not in text


@pytest.mark.layout
def test_default_output_is_an_svg_named_after_the_script(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "add_mul.py", ADD_MUL)
    result = runner.invoke(main, ["render", "add_mul.py"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "add_mul.svg").read_text().lstrip().startswith("<?xml")


def test_script_gets_its_argv_its_folder_on_sys_path_and_runs_as_main(runner, tmp_path):
    write(tmp_path, "helper.py", "SCALE = 3.0\n")
    script = write(tmp_path, "main_script.py", """
        import sys
        import torch
        from helper import SCALE
        assert sys.argv[1:] == ["--epochs", "2"], sys.argv
        if __name__ == "__main__":
            w = torch.ones(2, requires_grad=True)
            out = (w * SCALE).sum()
    """)
    out = tmp_path / "g.json"
    result = runner.invoke(main, ["render", str(script), "-o", str(out), "--", "--epochs", "2"])
    assert result.exit_code == 0, result.output
    loaded = graphtrace.Graph.from_json(out.read_text())
    assert loaded.nodes[loaded.find("out")]["value"]["values"] == [6.0]


def test_a_failing_script_shows_its_traceback_and_writes_nothing(runner, tmp_path):
    script = write(tmp_path, "broken.py", """
        import torch
        def explode():
            raise ValueError("the script's own error")
        explode()
    """)
    out = tmp_path / "never.svg"
    result = runner.invoke(main, ["render", str(script), "-o", str(out)])
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.output
    assert "broken.py" in result.output and "in explode" in result.output
    assert "ValueError: the script's own error" in result.output
    assert "graphtrace/" not in result.output.replace("\\", "/")
    assert not out.exists()


def test_nothing_to_draw_says_so_and_fails(runner, tmp_path):
    script = write(tmp_path, "plain.py", "import torch\nx = torch.ones(3)\n")
    out = tmp_path / "g.dot"
    result = runner.invoke(main, ["render", str(script), "-o", str(out)])
    assert result.exit_code != 0 and "nothing to draw" in result.output
    assert not out.exists()


def test_unknown_var_lists_the_scripts_tensors(runner, tmp_path):
    script = write(tmp_path, "add_mul.py", ADD_MUL)
    result = runner.invoke(main, ["render", str(script), "-o", str(tmp_path / "g.dot"), "--var", "nope"])
    assert result.exit_code != 0
    assert "nope" in result.output and "f, q, x, y, z" in result.output


def test_bad_output_is_refused_before_the_script_runs(runner, tmp_path):
    marker = tmp_path / "ran"
    script = write(tmp_path, "marks.py", f"open({str(marker)!r}, 'w').close()\n" + ADD_MUL)
    result = runner.invoke(main, ["render", str(script), "-o", str(tmp_path / "no" / "g.svg")])
    assert result.exit_code != 0 and "does not exist" in result.output
    result = runner.invoke(main, ["render", str(script), "-o", str(tmp_path / "g.bmp")])
    assert result.exit_code != 0 and "unknown format" in result.output
    assert not marker.exists()


def test_a_deep_graph_does_not_crash_the_command(tmp_path):
    # 60,000 chained ops: freeing this after a Python walk overflows a normal C stack (SIGSEGV).
    script = write(tmp_path, "deep.py", """
        import torch
        x = torch.tensor(1.0, requires_grad=True)
        y = x
        for _ in range(60_000):
            y = y * 1.0
    """)
    out = tmp_path / "deep.json"
    result = subprocess.run(
        [sys.executable, "-m", "graphtrace", "render", str(script), "-o", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "drew y " in result.stdout
    assert "Functions deep" in result.stderr  # the warning names the hazard
    assert out.stat().st_size > 0


@pytest.mark.layout
def test_animate_writes_a_player_for_the_scripts_backward_pass(runner, tmp_path):
    script = write(tmp_path, "add_mul.py", ADD_MUL)
    out = tmp_path / "f.html"
    result = runner.invoke(main, ["render", str(script), "--animate", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "animated the backward pass of f (5 steps)" in result.output
    page = out.read_text()
    assert "MulBackward0" in page and "<script" in page and "http://" not in page.replace("http://www.w3.org", "")


@pytest.mark.layout
def test_animate_to_an_animated_svg_and_to_frames(runner, tmp_path):
    script = write(tmp_path, "add_mul.py", ADD_MUL)
    result = runner.invoke(main, ["render", str(script), "--animate", "-o", str(tmp_path / "f.svg")])
    assert result.exit_code == 0, result.output
    assert "@keyframes" in (tmp_path / "f.svg").read_text()
    result = runner.invoke(main, ["render", str(script), "--animate", "-o", str(tmp_path / "frames")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "frames").iterdir())[:2] == ["frame_000.svg", "frame_001.svg"]


def test_animate_needs_one_tensor_and_a_known_format(runner, tmp_path):
    script = write(tmp_path, "two.py", ADD_MUL + "g = x * 2\n")
    result = runner.invoke(main, ["render", str(script), "--animate", "-o", str(tmp_path / "a.html")])
    assert result.exit_code != 0 and "choose one with --var" in result.output
    result = runner.invoke(main, ["render", str(script), "--animate", "-o", str(tmp_path / "a.png")])
    assert result.exit_code != 0 and "cannot tell how to write an animation" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["two.py"]


def test_animation_formats_without_animate_say_to_add_it(runner, tmp_path):
    script = write(tmp_path, "add_mul.py", ADD_MUL)
    result = runner.invoke(main, ["render", str(script), "--format", "html", "-o", str(tmp_path / "g.html")])
    assert result.exit_code != 0 and "add --animate" in result.output


def test_animate_without_a_layout_program_fails_before_the_script_runs(runner, tmp_path, monkeypatch):
    from graphtrace.render import layout

    monkeypatch.delenv(layout.ENV_VARIABLE, raising=False)
    monkeypatch.setattr(layout.shutil, "which", lambda name: None)
    monkeypatch.setattr(layout, "_beside_python", lambda name: None)
    marker = tmp_path / "ran"
    script = write(tmp_path, "marks.py", f"open({str(marker)!r}, 'w').close()\n" + ADD_MUL)
    result = runner.invoke(main, ["render", str(script), "--animate", "-o", str(tmp_path / "a.html")])
    assert result.exit_code != 0 and "graphviz-pure" in result.output
    assert not marker.exists()
