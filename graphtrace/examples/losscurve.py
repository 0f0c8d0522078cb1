"""Draw a loss history as a small self-contained SVG line chart (no matplotlib)."""

from __future__ import annotations

import math
import os
import pathlib
from xml.sax.saxutils import escape

from ..render.files import check_writable, write_atomically
from .errors import ExampleError

_LEFT, _RIGHT, _TOP, _BOTTOM = 72, 24, 44, 52
_LINE = "#1f77b4"


def loss_curve_svg(
    losses,
    *,
    title: str = "loss",
    xlabel: str = "epoch",
    ylabel: str = "loss",
    log_y: bool | None = None,
    width: int = 640,
    height: int = 400,
) -> str:
    """The SVG text of a line chart of `losses` against epoch 1..n.

    log_y=None picks a log scale when every value is positive and they span more
    than three decades (a training loss usually does); non-finite values are left
    out as gaps.
    """
    values = [float(v) for v in losses]
    if not values:
        raise ExampleError("there are no losses to plot; train for at least one epoch")
    if width < _LEFT + _RIGHT + 50 or height < _TOP + _BOTTOM + 50:
        raise ExampleError(f"a {width}x{height} chart is too small to draw; use at least 200x200")
    finite = [v for v in values if math.isfinite(v)]
    if log_y is None:
        log_y = bool(finite) and min(finite) > 0 and max(finite) / min(finite) > 1e3
    if log_y and any(v <= 0 for v in finite):
        raise ExampleError("a log scale needs positive losses; draw it with log_y=False")

    plot_w, plot_h = width - _LEFT - _RIGHT, height - _TOP - _BOTTOM
    n = len(values)
    x_lo, x_hi, x_ticks = _x_axis(n)
    if finite:
        y_lo, y_hi, y_ticks = _log_axis(min(finite), max(finite)) if log_y else _linear_axis(min(finite), max(finite))
    else:
        y_lo, y_hi, y_ticks = 0.0, 1.0, [0.0, 0.5, 1.0]
    fy = math.log10 if log_y else float

    def px(epoch: float) -> float:
        return _LEFT + (epoch - x_lo) / (x_hi - x_lo) * plot_w

    def py(value: float) -> float:
        return _TOP + plot_h - (fy(value) - fy(y_lo)) / (fy(y_hi) - fy(y_lo)) * plot_h

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="12" '
        f'role="img" aria-label="{_attr(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>',
        f'<text x="{_LEFT + plot_w / 2:.1f}" y="{_TOP / 2 + 5:.1f}" text-anchor="middle" '
        f'font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    grid, labels = [], []
    for t in y_ticks:
        y = py(t)
        grid.append(f'<line x1="{_LEFT}" y1="{y:.2f}" x2="{_LEFT + plot_w}" y2="{y:.2f}"/>')
        labels.append(f'<text x="{_LEFT - 8}" y="{y + 4:.2f}" text-anchor="end">{escape(_tick_label(t))}</text>')
    for t in x_ticks:
        x = px(t)
        grid.append(f'<line x1="{x:.2f}" y1="{_TOP}" x2="{x:.2f}" y2="{_TOP + plot_h}"/>')
        labels.append(
            f'<text x="{x:.2f}" y="{_TOP + plot_h + 18}" text-anchor="middle">{escape(_tick_label(t))}</text>'
        )
    out.append('<g stroke="#e3e3e3" stroke-width="1">' + "".join(grid) + "</g>")
    out.append(
        f'<g stroke="#333" stroke-width="1"><line x1="{_LEFT}" y1="{_TOP + plot_h}" x2="{_LEFT + plot_w}" '
        f'y2="{_TOP + plot_h}"/><line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{_TOP + plot_h}"/></g>'
    )
    out.append('<g fill="#333">' + "".join(labels) + "</g>")
    for segment in _segments(values, plot_w):
        points = " ".join(f"{px(i + 1):.2f},{py(v):.2f}" for i, v in segment)
        if len(segment) == 1:
            i, v = segment[0]
            out.append(f'<circle cx="{px(i + 1):.2f}" cy="{py(v):.2f}" r="2.5" fill="{_LINE}"/>')
        else:
            out.append(
                f'<polyline fill="none" stroke="{_LINE}" stroke-width="1.5" '
                f'stroke-linejoin="round" points="{points}"/>'
            )
    if not finite:
        out.append(
            f'<text x="{_LEFT + plot_w / 2:.1f}" y="{_TOP + plot_h / 2:.1f}" text-anchor="middle" fill="#b00">'
            "no finite loss values: training diverged (try a smaller learning rate)</text>"
        )
    scale = " (log scale)" if log_y else ""
    out.append(
        f'<text x="{_LEFT + plot_w / 2:.1f}" y="{height - 12}" text-anchor="middle">{escape(xlabel)}</text>'
    )
    out.append(
        f'<text x="16" y="{_TOP + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 16 {_TOP + plot_h / 2:.1f})">{escape(ylabel + scale)}</text>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_loss_curve(path, losses, **style) -> pathlib.Path:
    """Write loss_curve_svg(losses, **style) to `path` whole or not at all; returns the path."""
    target = check_svg_path(path)
    write_atomically(target, loss_curve_svg(losses, **style).encode("utf-8"))
    return target


def check_svg_path(path) -> pathlib.Path:
    """The path as a Path if a loss curve can be written there; an error naming the fix if not."""
    try:
        target = pathlib.Path(os.fspath(path))
    except TypeError:
        raise ExampleError(f"the loss curve path must be a str or os.PathLike, not {type(path).__name__}") from None
    if target.suffix.lower() != ".svg":
        raise ExampleError(f"the loss curve is written as SVG: give a path ending in .svg, not {str(target)!r}")
    check_writable(target)
    return target


def _x_axis(n: int):
    hi = max(n, 2)
    step = max(1, _nice_step((hi - 1) / 5))
    ticks = [1] + [t for t in range(int(step), hi + 1, int(step)) if t > 1]
    return 1, hi, ticks


def _linear_axis(lo: float, hi: float):
    if hi == lo:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    step = _nice_step((hi - lo) / 5)
    start = math.floor(lo / step) * step
    stop = math.ceil(hi / step) * step
    count = int(round((stop - start) / step))
    ticks = [_clean(start + k * step) for k in range(count + 1)]
    return ticks[0], ticks[-1], ticks


def _log_axis(lo: float, hi: float):
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    if a == b:
        b += 1
    every = max(1, math.ceil((b - a) / 8))
    ticks = [10.0**k for k in range(a, b + 1, every)]
    if ticks[-1] < 10.0**b:
        ticks.append(10.0**b)
    return 10.0**a, 10.0**b, ticks


def _nice_step(raw: float) -> float:
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    mag = 10.0 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw * (1 - 1e-9):
            return m * mag
    return 10 * mag


def _clean(v: float) -> float:
    # Tick positions built by repeated float steps pick up noise (0.30000000000000004).
    return float(f"{v:.12g}") if v != 0 else 0.0


def _tick_label(v: float) -> str:
    if v == 0:
        return "0"
    exp = math.floor(math.log10(abs(v)))
    if -4 <= exp <= 5:
        return f"{v:.6g}"
    mantissa = v / 10.0**exp
    return f"1e{exp}" if abs(mantissa - 1) < 1e-9 else f"{mantissa:.3g}e{exp}"


def _segments(values, plot_w: float):
    """Runs of (index, value) between non-finite values, thinned to ~2 points per pixel column."""
    buckets = max(1, int(plot_w))
    per = max(1, math.ceil(len(values) / buckets))
    runs, run = [], []
    for start in range(0, len(values), per):
        chunk = [(i, v) for i, v in enumerate(values[start : start + per], start)]
        if any(not math.isfinite(v) for _, v in chunk):
            # A gap: keep the finite points of the chunk on their own sides of it.
            for i, v in chunk:
                if math.isfinite(v):
                    run.append((i, v))
                elif run:
                    runs.append(run)
                    run = []
            continue
        if per == 1:
            run.extend(chunk)
            continue
        # Keep the lowest and highest point of each column, in epoch order, so spikes survive thinning.
        lo = min(chunk, key=lambda p: p[1])
        hi = max(chunk, key=lambda p: p[1])
        run.extend(sorted({lo, hi}))
    if run:
        runs.append(run)
    return runs


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})
