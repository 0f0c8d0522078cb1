"""`graphtrace examples`, `graphtrace train NAME` and `graphtrace gallery`: the course examples from the shell."""

from __future__ import annotations

import time
from pathlib import Path

import click

DEVICE_HELP = "auto (CUDA when available, else CPU), cpu, cuda or cuda:N."


def _fail(error) -> click.ClickException:
    # ClickException prints "Error: <message>" and exits 1; the message already names the fix.
    return click.ClickException(str(error))


@click.command("examples", short_help="List the course examples.")
def examples():
    """List the course examples: name, title, engines, and how each trains."""
    from graphtrace.examples import all_examples

    rows = [("NAME", "TITLE", "ENGINES", "TRAINS")]
    for example in all_examples():
        engines = "torch, scalar" if example.has_scalar else "torch"
        if example.trainable:
            where = "torch, scalar" if example.scalar_trainable else "torch"
            trains = f"{where} ({example.recipe.epochs} epochs, lr {example.recipe.lr:g})"
        else:
            trains = "no"
        rows.append((example.name, example.title, engines, trains))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        click.echo("  ".join([*cells, row[3]]).rstrip())


@click.command("train")
@click.argument("name")
@click.option("--device", default="auto", show_default=True, help=f"Where to train: {DEVICE_HELP}")
@click.option("--epochs", type=click.IntRange(min=1), help="Gradient steps (default: the course's).")
@click.option(
    "--lr", type=click.FloatRange(min=0, min_open=True), help="Learning rate, > 0 (default: the course's)."
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seeds data and weights.")
@click.option(
    "--engine", type=click.Choice(["torch", "scalar"]), default="torch", show_default=True,
    help="torch, or the same loop in graphtrace.scalar (CPU only).",
)
@click.option(
    "--plot", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.svg", help="Write the loss curve as SVG."
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def train(name, device, epochs, lr, seed, engine, plot, quiet):
    """Train course example NAME and print its first and final loss.

    Every option is checked before training starts. The progress bar goes to
    stderr; `graphtrace examples` lists what trains.
    """
    from graphtrace.errors import GraphtraceError
    from graphtrace.examples import train as train_example

    try:
        result = train_example(
            name, device=device, epochs=epochs, lr=lr, seed=seed, progress=not quiet, plot=plot, engine=engine
        )
    except GraphtraceError as error:
        raise _fail(error) from None
    click.echo(
        f"trained {result.name} ({result.engine}, {result.dtype}) on {result.device}: "
        f"{result.epochs} epochs, lr {result.lr:g}, seed {result.seed}"
    )
    click.echo(f"{result.loss_label}: first {result.losses[0]:.6g}, final {result.final_loss:.6g}")
    if result.plot is not None:
        click.echo(f"wrote {result.plot}")


@click.command("gallery", short_help="Build the gallery of every example, with an index.html.")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("gallery"), show_default=True,
    help="Folder to (re)write; an existing one must be empty or an earlier gallery.",
)
@click.option(
    "--device", default="cpu", show_default=True,
    help=f"Where to build and train: {DEVICE_HELP} cpu keeps the output reproducible.",
)
@click.option("-e", "--example", "names", multiple=True, metavar="NAME", help="Only this example (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def gallery(out, device, names, quiet):
    """Build the gallery of every course example, with an index.html that shows them all.

    For each example: the autograd graph (SVG, and its DOT beside it), the
    scalar-engine graph where there is one, the backward animation (HTML
    player and animated SVG) and, where the example trains, the loss curve.
    Training runs the course's epochs, capped so that a build stays fast. The
    folder is written whole or not at all.
    """
    from graphtrace.errors import GraphtraceError
    from graphtrace.gallery import MAX_EPOCHS, build_gallery

    start = time.perf_counter()
    try:
        report = build_gallery(out, device=device, examples=list(names) or None, progress=not quiet)
    except GraphtraceError as error:
        raise _fail(error) from None
    seconds = time.perf_counter() - start
    count = len(report.entries)
    click.echo(
        f"wrote {report.index}: {count} example{'s' if count != 1 else ''}, {len(report.files)} files "
        f"(trained on {report.device}, at most {MAX_EPOCHS} epochs) in {seconds:.1f} s"
    )


COMMANDS = [examples, train, gallery]
