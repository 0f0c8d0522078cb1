"""The loss curve SVG: well-formed, scaled, escaped, and written whole or not at all."""

import math
import xml.etree.ElementTree as ET

import pytest

from graphtrace.errors import GraphtraceError

from graphtrace.examples import ExampleError, loss_curve_svg, write_loss_curve

SVG = "{http://www.w3.org/2000/svg}"


def parse(text):
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == SVG + "svg"
    return root


def polyline_points(root):
    lines = root.findall(f".//{SVG}polyline")
    return [[tuple(map(float, p.split(","))) for p in line.get("points").split()] for line in lines]


def texts(root):
    return ["".join(t.itertext()) for t in root.iter(SVG + "text")]


def test_a_falling_loss_is_a_falling_line_with_axes_and_ticks():
    losses = [1.0 / (1 + i) for i in range(50)]
    root = parse(loss_curve_svg(losses, title="mlp", xlabel="epoch", ylabel="mse", log_y=False))
    (points,) = polyline_points(root)
    assert len(points) == 50
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    assert xs == sorted(xs)
    # SVG y grows downwards: a falling loss has growing y.
    assert ys == sorted(ys)
    labels = texts(root)
    assert "mlp" in labels and "epoch" in labels and "mse" in labels
    assert {"0", "0.2", "0.4", "0.6", "0.8", "1"} <= set(labels)
    assert root.find(f"{SVG}title").text == "mlp"


def test_log_scale_is_chosen_for_many_decades():
    losses = [10.0 ** (3 - i / 10) for i in range(80)]
    root = parse(loss_curve_svg(losses))
    labels = texts(root)
    assert "loss (log scale)" in labels
    assert {"1000", "0.01"} <= set(labels) or {"1e3", "1e-2"} <= set(labels)
    (points,) = polyline_points(root)
    ys = [p[1] for p in points]
    steps = {round(b - a, 6) for a, b in zip(ys, ys[1:])}
    assert len(steps) == 1  # a geometric decay is a straight line on a log axis


def test_non_finite_values_make_gaps():
    root = parse(loss_curve_svg([3.0, 2.0, float("nan"), 1.0, 0.5, float("inf"), 0.25], log_y=False))
    segments = polyline_points(root)
    assert [len(s) for s in segments] == [2, 2]
    assert len(root.findall(f".//{SVG}circle")) == 1


def test_all_non_finite_still_draws_a_frame_with_a_hint():
    root = parse(loss_curve_svg([math.nan, math.inf]))
    assert any("diverged" in t for t in texts(root))


def test_constant_and_single_losses():
    parse(loss_curve_svg([0.5] * 10))
    root = parse(loss_curve_svg([2.0]))
    assert len(root.findall(f".//{SVG}circle")) == 1


def test_long_histories_are_thinned_but_keep_extremes():
    losses = [1.0] * 100_000
    losses[54_321] = 5.0
    root = parse(loss_curve_svg(losses, log_y=False))
    (points,) = polyline_points(root)
    assert len(points) < 2_000
    assert min(p[1] for p in points) == pytest.approx(44.0)  # the spike reaches the top of the plot


def test_text_is_escaped():
    title = 'a < b & "c" > d'
    text = loss_curve_svg([1.0, 0.5], title=title, ylabel="<loss>")
    root = parse(text)
    assert root.find(f"{SVG}title").text == title
    assert root.get("aria-label") == title
    assert "<loss>" in texts(root)


def test_output_is_deterministic():
    losses = [0.9, 0.5, 0.4, 0.1]
    assert loss_curve_svg(losses, title="t") == loss_curve_svg(losses, title="t")


def test_bad_inputs_are_refused():
    with pytest.raises(ExampleError, match="no losses"):
        loss_curve_svg([])
    with pytest.raises(ExampleError, match="log_y=False"):
        loss_curve_svg([1.0, -1.0], log_y=True)
    with pytest.raises(ExampleError, match="too small"):
        loss_curve_svg([1.0], width=10, height=10)


def test_write_is_atomic_and_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "curve.svg"
    assert write_loss_curve(target, [1.0, 0.5], title="t") == target
    parse(target.read_text(encoding="utf-8"))
    assert [p.name for p in tmp_path.iterdir()] == ["curve.svg"]


def test_write_keeps_the_old_file_when_drawing_fails(tmp_path):
    target = tmp_path / "curve.svg"
    target.write_text("old")
    with pytest.raises(ExampleError):
        write_loss_curve(target, [])
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["curve.svg"]


def test_write_checks_the_path_first(tmp_path):
    with pytest.raises(ExampleError, match="ending in .svg"):
        write_loss_curve(tmp_path / "curve.png", [1.0])
    with pytest.raises(GraphtraceError, match="does not exist"):
        write_loss_curve(tmp_path / "missing" / "curve.svg", [1.0])
    (tmp_path / "d.svg").mkdir()
    with pytest.raises(GraphtraceError, match="is a folder"):
        write_loss_curve(tmp_path / "d.svg", [1.0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.svg"]
