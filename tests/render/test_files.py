"""render(): formats, the layout programs, bad input before any file is written, notebook display."""

import os
import re
import xml.etree.ElementTree as ET

import pytest
import torch

import graphtrace
from graphtrace.errors import LayoutProgramNotFound, OutputPathError, UnknownFormatError
from graphtrace.render import layout

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def no_layout_program(monkeypatch):
    monkeypatch.delenv(layout.ENV_VARIABLE, raising=False)
    monkeypatch.setattr(layout.shutil, "which", lambda name: None)
    monkeypatch.setattr(layout, "_beside_python", lambda name: None)


def svg_texts(path):
    root = ET.parse(path).getroot()
    return root, ["".join(t.itertext()) for t in root.iter(SVG + "text")]


@pytest.mark.layout
def test_svg_has_every_node_and_the_names(tmp_path, add_mul):
    graph = graphtrace.trace(add_mul["f"], names=add_mul)
    path = graphtrace.render(graph, tmp_path / "f.svg")
    root, texts = svg_texts(path)
    titles = {"".join(t.itertext()) for t in root.iter(SVG + "title")}
    assert set(graph.nodes) <= titles
    for expected in ("x", "y", "z", "q", "f", "MulBackward0", "AddBackward0", "data = -12", "grad = None"):
        assert expected in texts


@pytest.mark.layout
def test_labels_are_escaped_in_svg(tmp_path, add_mul):
    evil = '<script>"x"\n'
    graph = graphtrace.trace(add_mul["f"], names={evil: add_mul["x"]})
    path = graphtrace.render(graph, tmp_path / "evil.svg")
    root, texts = svg_texts(path)  # parses as XML: nothing broke out of the text
    assert '<script>"x"\\n' in texts
    assert not list(root.iter(SVG + "script"))


@pytest.mark.layout
@pytest.mark.parametrize("program", ["dot", "graphviz-pure"])
def test_both_layout_programs_write_svg_and_png(tmp_path, monkeypatch, add_mul, program):
    if layout.shutil.which(program) is None and layout._beside_python(program) is None:
        if os.environ.get("CI") == "true" and program == "graphviz-pure":
            pytest.fail("graphviz-pure must be installed in CI")
        pytest.skip(f"{program} not installed")
    monkeypatch.setenv(layout.ENV_VARIABLE, program)
    assert layout.find_layout_program()[0] == program
    svg = graphtrace.render(add_mul["f"], tmp_path / "f.svg")
    png = graphtrace.render(add_mul["f"], tmp_path / "f.png")
    assert ET.parse(svg).getroot().tag == SVG + "svg"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_dot_is_preferred_over_graphviz_pure(monkeypatch):
    monkeypatch.delenv(layout.ENV_VARIABLE, raising=False)
    monkeypatch.setattr(layout.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert layout.find_layout_program() == ("dot", "/usr/bin/dot")


def test_graphviz_pure_is_found_beside_python_and_refuses_pdf(monkeypatch, tmp_path, add_mul):
    monkeypatch.delenv(layout.ENV_VARIABLE, raising=False)
    monkeypatch.setattr(layout.shutil, "which", lambda name: None)
    monkeypatch.setattr(layout, "_beside_python", lambda name: "/venv/bin/graphviz-pure" if name == "graphviz-pure" else None)
    assert layout.find_layout_program() == ("graphviz-pure", "/venv/bin/graphviz-pure")
    with pytest.raises(LayoutProgramNotFound, match="cannot write 'pdf'.*apt-get install graphviz"):
        graphtrace.render(add_mul["f"], tmp_path / "f.pdf")
    assert list(tmp_path.iterdir()) == []


def test_without_a_layout_program_svg_names_both_installs_but_dot_and_json_work(no_layout_program, tmp_path, add_mul):
    with pytest.raises(LayoutProgramNotFound) as info:
        graphtrace.render(add_mul["f"], tmp_path / "f.svg")
    assert "apt-get install graphviz" in str(info.value) and "pip install graphviz-pure" in str(info.value)
    assert list(tmp_path.iterdir()) == []
    dot = graphtrace.render(add_mul["f"], tmp_path / "f.dot")
    assert dot.read_text().startswith("digraph {")
    json_path = graphtrace.render(graphtrace.trace(add_mul["f"], names=add_mul), tmp_path / "f.json")
    loaded = graphtrace.Graph.from_json(json_path.read_text())
    assert loaded.nodes[loaded.find("f")]["value"]["values"] == [-12.0]


def test_format_argument_overrides_the_suffix(tmp_path, add_mul):
    path = graphtrace.render(add_mul["f"], tmp_path / "graph.txt", format="dot")
    assert path.read_text().startswith("digraph")


@pytest.mark.parametrize(
    "name, error, words",
    [
        ("graph.bmp", UnknownFormatError, "unknown format 'bmp'"),
        ("graph", UnknownFormatError, "suffix"),
        ("missing/graph.svg", OutputPathError, "does not exist"),
    ],
)
def test_bad_output_is_refused_before_writing(tmp_path, add_mul, name, error, words):
    with pytest.raises(error, match=words):
        graphtrace.render(add_mul["f"], tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_folder_is_refused(tmp_path, add_mul):
    if os.geteuid() == 0:
        # root writes anywhere; simulate the permission check instead
        from graphtrace.render import files

        original = files.os.access
        files.os.access = lambda path, mode: False
        try:
            with pytest.raises(OutputPathError, match="permission denied"):
                graphtrace.render(add_mul["f"], tmp_path / "f.dot")
        finally:
            files.os.access = original
        return
    tmp_path.chmod(0o500)
    with pytest.raises(OutputPathError, match="permission denied"):
        graphtrace.render(add_mul["f"], tmp_path / "f.dot")


def test_a_failing_write_leaves_no_partial_file(tmp_path, monkeypatch, add_mul):
    from graphtrace.render import files

    target = tmp_path / "f.dot"
    target.write_text("old")

    def broken(graph, fmt, **style):
        raise RuntimeError("layout crashed")

    monkeypatch.setattr(files, "graph_bytes", broken)
    with pytest.raises(RuntimeError):
        graphtrace.render(add_mul["f"], target)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.dot"]


def test_written_files_get_normal_permissions(tmp_path, add_mul):
    path = graphtrace.render(add_mul["f"], tmp_path / "f.dot")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_rendering_a_tensor_directly_names_it_from_the_caller(tmp_path):
    weight = torch.tensor([1.0, 2.0], requires_grad=True)
    total = (weight * weight).sum()
    text = graphtrace.render(total, tmp_path / "g.dot").read_text()
    assert "<B>weight</B>" in text and "<B>total</B>" in text


@pytest.mark.layout
def test_notebook_bundle_is_svg(add_mul):
    graph = graphtrace.trace(add_mul["f"], names=add_mul)
    bundle = graph._repr_mimebundle_()
    root = ET.fromstring(bundle["image/svg+xml"].encode())
    assert root.tag == SVG + "svg"
    # readable size: natural size, no shrinking to a fixed box
    assert not re.search(r"[\[ ]size=", graph.to_dot())
    assert float(root.get("width").rstrip("pt")) > 200
    assert graph._repr_svg_().startswith("<?xml")


def test_notebook_without_layout_program_says_what_to_install(no_layout_program, add_mul):
    graph = graphtrace.trace(add_mul["f"], names=add_mul)
    bundle = graph._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert "graphviz-pure" in bundle["text/plain"] and "3 accumulate" in bundle["text/plain"]
    assert graph._repr_svg_() is None
