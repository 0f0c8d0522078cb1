"""Animations: one layout, frames that follow the recording, and files written whole or not at all."""

import re
import xml.etree.ElementTree as ET

import pytest
import torch

import graphtrace
from graphtrace.errors import LayoutProgramNotFound, OutputPathError, UnknownFormatError
from graphtrace.recorder import record
from graphtrace.render import animate as animate_module
from graphtrace.render import layout
from graphtrace.render.animate import Animation, animate, captions, save_animation

pytestmark = pytest.mark.layout
SVG = "{http://www.w3.org/2000/svg}"


def add_mul_recording(retain=False):
    x = torch.tensor(-2.0, requires_grad=True)
    y = torch.tensor(5.0, requires_grad=True)
    z = torch.tensor(-4.0, requires_grad=True)
    q = x + y
    q.retain_grad()
    f = q * z
    return record(f, retain_graph=retain, names={"x": x, "y": y, "z": z, "q": q, "f": f})


@pytest.fixture
def counted_layout(monkeypatch):
    calls = []
    real = layout.run_layout

    def counting(source, fmt="svg"):
        calls.append(fmt)
        return real(source, fmt)

    monkeypatch.setattr(layout, "run_layout", counting)
    return calls


def states(frame_svg):
    """{node or edge id: set of data-gt-state values on its shapes} in one frame."""
    root = ET.fromstring(frame_svg)
    found = {}
    for group in root.iter(SVG + "g"):
        if group.get("class") in ("node", "edge"):
            for element in group:
                if element.get("data-gt-state"):
                    found.setdefault(group.get("id"), set()).add(element.get("data-gt-state"))
    return found


def overlay_texts(frame_svg):
    root = ET.fromstring(frame_svg)
    overlay = next(g for g in root.iter(SVG + "g") if g.get("id") == "gt-overlay")
    return ["".join(t.itertext()) for t in overlay.iter(SVG + "text")]


def shape_geometry(frame_svg):
    root = ET.fromstring(frame_svg)
    return [(e.get("points") or e.get("d")) for g in root.iter(SVG + "g") if g.get("class") in ("node", "edge")
            for e in g if e.tag in (SVG + "path", SVG + "polygon")]


def test_one_layout_per_animation_and_nothing_moves(counted_layout):
    rec = add_mul_recording()
    animation = animate(rec)
    frames = animation.frames
    animation.to_html(), animation.to_svg(), animation.frames
    assert counted_layout == ["svg"]
    assert len(frames) == len(rec.steps) + 2
    geometry = shape_geometry(frames[0])
    assert all(shape_geometry(f) == geometry for f in frames)


def test_frames_follow_the_recording():
    rec = add_mul_recording()
    frames = animate(rec).frames
    for k, step in enumerate(rec.steps, start=1):
        current = [n for n, s in states(frames[k]).items() if "current" in s and not n.count("_")]
        assert current == [step.node]
    # Frame 1: MulBackward0 passes -4 and 3 to its inputs, shown on the edges.
    texts = overlay_texts(frames[1])
    assert "-4" in texts and "3" in texts
    # The leaves' .grad fields fill in as AccumulateGrad writes them; q retains grad.
    end = overlay_texts(frames[-1])
    assert end.count("grad = -4") == 3 and "grad = 3" in end
    assert overlay_texts(frames[0]).count("grad = None") == 4
    # At the end the saved tensors are marked freed.
    freed = [n for n, s in states(frames[-1]).items() if "freed" in s]
    assert sorted(freed) == sorted(rec.freed)
    assert "(freed by backward)" in end


def test_grad_shown_equals_torch_grad(sigmoid_neuron):
    t = sigmoid_neuron
    rec = record(t["loss"], names={"w": t["w"], "b": t["b"]})
    end = overlay_texts(animate(rec).frames[-1])
    from graphtrace.summary import format_summary, summarize

    assert "grad = " + format_summary(summarize(t["w"].grad)) in end
    assert "grad = " + format_summary(summarize(t["b"].grad)) in end


def test_captions_in_the_course_words():
    rec = add_mul_recording()
    texts = captions(rec)
    assert texts[1].endswith("MulBackward0: ∂f/∂q = z = -4, ∂f/∂z = q = 3")
    assert "∂f/∂x = ∂f/∂q·1 = -4" in texts[3] and "q.grad = -4" in texts[3]
    assert "x.grad = -4 (was None)" in texts[4]
    assert "freed" in texts[-1]


def test_captions_and_names_are_escaped(tmp_path):
    x = torch.tensor(1.0, requires_grad=True)
    y = x * 2
    rec = record(y, names={"<b>&x": x, "</script><y>": y})
    animation = animate(rec)
    for frame in animation.frames:
        ET.fromstring(frame)  # well-formed XML despite markup in the names
    page = animation.to_html()
    assert "</script><y>" not in page and "<b>&x" not in page
    ET.fromstring(animation.to_svg())


def test_animated_svg_has_no_script_and_loops():
    svg = animate(add_mul_recording()).to_svg()
    root = ET.fromstring(svg)
    assert not list(root.iter(SVG + "script"))
    assert "@keyframes" in svg and "infinite" in svg
    assert "http://" not in svg.replace("http://www.w3.org/", "")


def test_html_is_self_contained():
    page = animate(add_mul_recording()).to_html()
    assert not re.search(r"""(src|href)=["']?https?:""", page)
    assert "gt-slider" in page and "ArrowRight" in page and "gt-play" in page
    assert animate(add_mul_recording())._repr_html_().startswith("<iframe srcdoc=")


def test_save_by_suffix(tmp_path):
    animation = animate(add_mul_recording())
    assert animation.save(tmp_path / "a.html").read_text().startswith("<!DOCTYPE html>")
    assert "@keyframes" in animation.save(tmp_path / "a.svg").read_text()
    folder = animation.save(tmp_path / "frames")
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"frame_{k:03d}.svg" for k in range(len(animation))]
    # Saving again replaces the folder whole.
    animation.save(folder)
    assert sorted(p.name for p in folder.iterdir()) == names
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_bad_paths_fail_before_anything_is_written(tmp_path):
    x = torch.tensor(1.0, requires_grad=True)
    with pytest.raises(UnknownFormatError):
        animate(x * 2, tmp_path / "a.gif")
    with pytest.raises(OutputPathError):
        animate(x * 2, tmp_path / "missing" / "a.html")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(OutputPathError):
        animate(x * 2, tmp_path / "mine")
    assert x.grad is None  # checked before recording ran backward
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_bad_recording_input_fails_before_writing(tmp_path):
    with pytest.raises(graphtrace.GraphtraceError) as info:
        animate(torch.ones(2).sum(), tmp_path / "a.html")
    assert "does not require grad" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    animation = animate(add_mul_recording())
    frames = animation.frames
    calls = []
    import pathlib

    original = pathlib.Path.write_text

    def failing(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "write_text", failing)
    with pytest.raises(OSError):
        animation.save(tmp_path / "frames")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []
    assert len(frames) == len(animation)


def test_animate_a_tensor_directly_and_save_animation(tmp_path, counted_layout):
    x = torch.tensor(3.0, requires_grad=True)
    y = torch.sigmoid(x * 2)
    animation = animate(y, tmp_path / "out.html")
    assert (tmp_path / "out.html").exists() and x.grad is not None
    assert counted_layout == ["svg"]
    path = save_animation(animation.recording, tmp_path / "out.svg")
    assert path.read_text().count("@keyframes") > 3


def test_mlp_animation_shows_shape_and_norm(small_mlp):
    t = small_mlp
    rec = record(t["loss"], params=t["model"], names={})
    animation = Animation(rec)
    assert len(animation.frames) == len(rec.steps) + 2
    # Weight gradients are small here (values shown); the layout kept room for them.
    end = overlay_texts(animation.frames[-1])
    assert any(text.startswith("grad = [") for text in end)


def test_frames_are_deterministic():
    assert animate(add_mul_recording()).frames == animate(add_mul_recording()).frames


def test_no_layout_program_fails_before_backward_runs(tmp_path, monkeypatch):
    monkeypatch.delenv("GRAPHTRACE_LAYOUT", raising=False)
    monkeypatch.setattr(layout.shutil, "which", lambda name: None)
    monkeypatch.setattr(layout, "_beside_python", lambda name: None)
    x = torch.tensor(1.0, requires_grad=True)
    y = x * 2
    for path in (tmp_path / "a.html", None):
        with pytest.raises(LayoutProgramNotFound):
            animate(y, path)
    assert x.grad is None  # backward never ran
    y.grad_fn._saved_other  # the graph was not freed
    assert list(tmp_path.iterdir()) == []


def test_every_output_edge_shows_its_own_seed():
    from graphtrace.render.timeline import timelines

    p = torch.tensor(2.0, requires_grad=True)
    f1, f2 = p * 3, p * 5
    rec = record([f1, f2], gradient=[torch.tensor(2.0), torch.tensor(7.0)], names={"p": p, "f1": f1, "f2": f2})
    _, _, edge_texts, _, _ = timelines(rec)
    by_output = {rec.graph.nodes[edge[1]]["name"]: text for edge, frame, text in edge_texts if frame == 0}
    assert by_output == {"f1": "2", "f2": "7"}
    first = captions(rec)[0]
    assert "∂f1/∂f1 = 2" in first and "∂f2/∂f2 = 7" in first
    frame0 = overlay_texts(animate(rec).frames[0])
    assert "2" in frame0 and "7" in frame0


def test_output_of_a_multi_output_op_shows_its_seed():
    from graphtrace.render.timeline import timelines

    p = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = (p * 2).unbind()[1]
    rec = record(out, names={"p": p, "out": out})
    assert rec.steps[0].name == "UnbindBackward0"
    _, _, edge_texts, _, _ = timelines(rec)
    assert [text for _, frame, text in edge_texts if frame == 0] == ["1"]
    assert captions(rec)[0] == "backward() starts at out: ∂out/∂out = 1 goes to UnbindBackward0."


def test_animation_of_a_tensor_points_to_graphtrace_animate():
    with pytest.raises(animate_module.AnimationError) as info:
        Animation(torch.ones(1, requires_grad=True) * 2)
    assert "graphtrace.animate(tensor)" in str(info.value)
    assert "or a tensor" not in str(info.value)


def test_save_animation_checks_the_path_once(tmp_path, monkeypatch):
    calls = []
    real = animate_module.check_animation_path
    monkeypatch.setattr(animate_module, "check_animation_path", lambda path, fmt: calls.append(fmt) or real(path, fmt))
    path = save_animation(add_mul_recording(), tmp_path / "out.html")
    assert calls == ["html"] and path.read_text().startswith("<!DOCTYPE html>")
    calls.clear()
    x = torch.tensor(1.0, requires_grad=True)
    animate(x * 2, tmp_path / "frames")
    assert calls == ["frames"] and len(list((tmp_path / "frames").iterdir())) == 4
    with pytest.raises(UnknownFormatError):
        save_animation(add_mul_recording(), tmp_path / "a.gif")


def test_local_rules_take_only_what_they_use():
    import inspect

    from graphtrace.render import captions as captions_module

    assert list(inspect.signature(captions_module._local_rules).parameters) == ["graph", "step", "operands"]
