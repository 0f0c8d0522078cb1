"""The gallery build: every example's files, an index page that links them, deterministic DOT, whole-or-nothing writes."""

import math
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import torch

from graphtrace import examples
from graphtrace.errors import OutputPathError
from graphtrace.examples import Built, DeviceError, Example, UnknownExampleError
from graphtrace.gallery import MARKER, MAX_EPOCHS, GalleryError, build_gallery, gallery_epochs

pytestmark = pytest.mark.layout

COMMITTED = Path(__file__).resolve().parents[1] / "gallery"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One full build, shared by this module's tests (it trains every trainable example)."""
    return build_gallery(tmp_path_factory.mktemp("first") / "gallery", progress=False)


def listing(folder: Path) -> list:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def expected_files(example) -> set:
    files = {f"{example.name}/graph.dot", f"{example.name}/graph.svg"}
    # Every course example's first output requires grad, so every one is animated.
    files |= {f"{example.name}/backward.html", f"{example.name}/backward.svg"}
    if example.has_scalar:
        files |= {f"{example.name}/scalar.dot", f"{example.name}/scalar.svg"}
    if example.trainable:
        files.add(f"{example.name}/loss.svg")
    return files


def assert_same_up_to_float_noise(ours: str, theirs: str, what: str) -> None:
    """Equal text, except that numbers may differ in their last digits (another CPU may round differently)."""
    assert _NUMBER.split(ours) == _NUMBER.split(theirs), f"{what}: the text differs, not only its numbers"
    pairs = list(zip(_NUMBER.findall(ours), _NUMBER.findall(theirs)))
    for a, b in pairs:
        assert math.isclose(float(a), float(b), rel_tol=1e-3, abs_tol=0.05), f"{what}: {a} != {b}"


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for key, value in attrs:
            if key in ("src", "href"):
                self.urls.append(value)


def test_every_example_gets_its_graphs_animation_and_loss_curve(built):
    want = {"index.html", MARKER}
    for example in examples.all_examples():
        want |= expected_files(example)
    assert set(listing(built.path)) == want
    assert list(built.files) == listing(built.path)
    assert [e.name for e in built.entries] == examples.names()
    # Nothing is left beside the gallery: the temporary build folder was renamed into place.
    assert [p.name for p in built.path.parent.iterdir()] == ["gallery"]


def test_graph_files_are_real_dot_and_svg(built):
    dot = (built.path / "add-mul" / "graph.dot").read_text()
    assert dot.startswith("digraph {") and "MulBackward0" in dot and "AccumulateGrad" in dot
    assert "<svg" in (built.path / "add-mul" / "graph.svg").read_text()
    # The scalar engine draws the same graph as torch for add-mul, so the same op names appear.
    assert "MulBackward0" in (built.path / "add-mul" / "scalar.dot").read_text()
    player = (built.path / "add-mul" / "backward.html").read_text()
    assert player.startswith("<!DOCTYPE html>") and "<svg" in player
    assert "@keyframes" in (built.path / "add-mul" / "backward.svg").read_text()
    assert "<polyline" in (built.path / "mlp" / "loss.svg").read_text()


def test_training_uses_capped_epochs_on_the_cpu(built):
    by_name = {entry.name: entry for entry in built.entries}
    for name in examples.trainable_names():
        example = examples.get(name)
        training = by_name[name].training
        assert training.device == "cpu" and training.seed == 0
        assert training.epochs == gallery_epochs(example) == min(example.recipe.epochs, MAX_EPOCHS)
        assert training.final_loss < training.first_loss
    assert by_name["add-mul"].training is None


def test_index_page_is_self_contained_and_shows_every_example(built):
    page = (built.path / "index.html").read_text(encoding="utf-8")
    parser = Links()
    parser.feed(page)
    assert "script" not in parser.tags
    for url in parser.urls:
        if url.startswith("#"):
            assert f'id="{url[1:]}"' in page
            continue
        assert "://" not in url and not url.startswith("/"), url
        assert (built.path / url).is_file(), url
    images = [u for u in parser.urls if u.endswith(".svg")]
    assert len(set(images)) == sum(1 for f in built.files if f.endswith(".svg"))
    from html import escape

    for example in examples.all_examples():
        assert escape(example.title) in page and escape(example.caption) in page
    sigmoid = examples.get("sigmoid-neuron")
    if sigmoid.recipe.epochs > MAX_EPOCHS:
        assert f"{MAX_EPOCHS:,} epochs (the course trains {sigmoid.recipe.epochs:,}" in page


def test_output_names_no_absolute_path(built):
    for name in built.files:
        if name.endswith((".html", ".svg", ".dot")):
            text = (built.path / name).read_text(encoding="utf-8")
            assert str(built.path.parent) not in text and ".building." not in text, name


def test_second_build_replaces_the_old_one_with_identical_dot(built, tmp_path):
    out = tmp_path / "gallery"
    shutil.copytree(built.path, out)
    (out / "stale.txt").write_text("left from an older build")
    report = build_gallery(out, progress=False)
    assert listing(out) == listing(built.path) == list(report.files)
    for name in report.files:
        if name.endswith(".dot"):
            assert (out / name).read_bytes() == (built.path / name).read_bytes(), name
    # Same process, same machine: the loss curves and the page come out byte for byte the same too.
    for name in report.files:
        if name.endswith(("loss.svg", "index.html")):
            assert (out / name).read_bytes() == (built.path / name).read_bytes(), name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gallery"]


def test_committed_gallery_matches_a_fresh_build(built):
    assert COMMITTED.is_dir(), "gallery/ is missing: run `graphtrace gallery` in the repository root"
    hint = "gallery/ is out of date: run `graphtrace gallery` in the repository root and commit it"
    assert listing(COMMITTED) == listing(built.path), hint
    for name in built.files:
        ours, theirs = built.path / name, COMMITTED / name
        if name.endswith(".dot"):
            assert theirs.read_bytes() == ours.read_bytes(), f"{name}: {hint}"
        elif name.endswith(("loss.svg", "index.html")):
            # Both are drawn by graphtrace itself (no layout program), so only float noise may differ.
            assert_same_up_to_float_noise(ours.read_text(), theirs.read_text(), f"{name}: {hint}")


def test_refuses_a_folder_that_is_not_a_gallery(tmp_path):
    out = tmp_path / "photos"
    out.mkdir()
    (out / "holiday.jpg").write_text("precious")
    with pytest.raises(OutputPathError, match=re.escape(MARKER)):
        build_gallery(out, examples=["add-mul"], progress=False)
    assert listing(out) == ["holiday.jpg"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photos"]


def test_bad_targets_fail_before_anything_is_written(tmp_path):
    afile = tmp_path / "gallery"
    afile.write_text("not a folder")
    with pytest.raises(OutputPathError, match="is a file"):
        build_gallery(afile, examples=["add-mul"], progress=False)
    with pytest.raises(OutputPathError, match="does not exist"):
        build_gallery(tmp_path / "missing" / "gallery", examples=["add-mul"], progress=False)
    with pytest.raises(UnknownExampleError, match="known examples: add-mul"):
        build_gallery(tmp_path / "new", examples=["add-mull"], progress=False)
    with pytest.raises(GalleryError, match="at least one"):
        build_gallery(tmp_path / "new", examples=[], progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gallery"]


def test_bad_device_fails_before_anything_is_written(tmp_path):
    with pytest.raises(DeviceError, match="does not know the device"):
        build_gallery(tmp_path / "g", device="banana", progress=False)
    if not torch.cuda.is_available():
        with pytest.raises(DeviceError, match="CUDA"):
            build_gallery(tmp_path / "g", device="cuda", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_a_failure_midway_keeps_the_old_gallery(tmp_path, monkeypatch):
    out = tmp_path / "gallery"
    out.mkdir()
    (out / MARKER).write_text("old")
    (out / "index.html").write_text("the old page")
    import graphtrace.gallery as gallery

    real = gallery._write_graph

    def fail_on_second(built_, outputs, folder, stem):
        if folder.name == "sum-of-squares":
            raise RuntimeError("disk full")
        return real(built_, outputs, folder, stem)

    monkeypatch.setattr(gallery, "_write_graph", fail_on_second)
    with pytest.raises(RuntimeError, match="disk full"):
        build_gallery(out, examples=["add-mul", "sum-of-squares"], progress=False)
    assert listing(out) == [MARKER, "index.html"]
    assert (out / "index.html").read_text() == "the old page"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gallery"]


def _no_grad_example(outputs):
    def build(device):
        a = torch.ones(2, 2, device=device, requires_grad=True)
        b = a * 2
        with torch.no_grad():
            b_no_grad = a * 2
        return Built({"a": a, "b": b, "b_no_grad": b_no_grad}, outputs=outputs, grad_outputs={"b": torch.ones(2, 2)})

    return Example(
        name="no-grad-test",
        title="<b>no</b> grad & friends",
        caption='b_no_grad was made under torch.no_grad() "on purpose" <script>',
        source="test",
        torch_builder=build,
    )


def test_an_output_without_a_graph_is_noted_not_animated(tmp_path):
    report = build_gallery(tmp_path / "g", examples=[_no_grad_example(("b_no_grad",))], progress=False)
    (entry,) = report.entries
    assert entry.files == {} and entry.animated_output is None
    assert len(entry.notes) == 1 and "b_no_grad has no grad_fn" in entry.notes[0]
    page = (report.path / "index.html").read_text()
    assert "b_no_grad has no grad_fn" in page and "no backward pass to animate" in page
    # Titles and captions are text, never markup.
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;no&lt;/b&gt; grad &amp; friends" in page
    assert "&quot;on purpose&quot;" in page


def test_the_outputs_with_a_graph_are_drawn_and_the_first_is_animated(tmp_path):
    report = build_gallery(tmp_path / "g", examples=[_no_grad_example(("b_no_grad", "b"))], progress=False)
    (entry,) = report.entries
    assert entry.animated_output == "b"
    assert sorted(entry.files) == ["animation", "graph", "player"]
    assert "MulBackward0" in (report.path / "no-grad-test" / "graph.dot").read_text()
    assert len(entry.notes) == 1 and entry.notes[0].startswith("b_no_grad has no grad_fn")


def test_build_restores_torch_threads(tmp_path):
    before = torch.get_num_threads()
    build_gallery(tmp_path / "g", examples=["add-mul"], progress=False)
    assert torch.get_num_threads() == before


def test_progress_bar_goes_to_stderr(tmp_path, capsys):
    build_gallery(tmp_path / "g", examples=["add-mul", "detach"], progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "gallery [" in captured.err and "2/2" in captured.err


def test_building_into_the_current_folder_works(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.chdir(site)
    report = build_gallery(".", examples=["add-mul"], progress=False)
    assert report.path == Path(".")
    assert (site / "index.html").is_file() and (site / MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
