"""`graphtrace render script.py`: run a script and draw the autograd graphs it builds."""

from __future__ import annotations

from pathlib import Path

import click

from graphtrace.render.dot import RANKDIRS
from graphtrace.render.files import FORMATS

# Static formats, then the animation's: an HTML player, or a folder of SVG frames (.svg is animated with --animate).
ALL_FORMATS = (*FORMATS, "html", "frames")


@click.command(context_settings={"ignore_unknown_options": False})
@click.argument("script", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("script_args", nargs=-1, type=click.UNPROCESSED)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output file (default: SCRIPT's name with the format's suffix).")
@click.option("--format", "fmt", type=click.Choice(ALL_FORMATS), help="Output format (default: from -o's suffix, else svg; html with --animate).")
@click.option("--var", "variables", multiple=True, metavar="NAME", help="Draw this module-level tensor (repeatable).")
@click.option("--show-saved/--hide-saved", default=True, show_default=True, help="Draw tensors saved for backward.")
@click.option("--show-attrs", is_flag=True, help="List each op's non-tensor saved attributes (alpha, dim, ...).")
@click.option("--rankdir", type=click.Choice(RANKDIRS), default="TB", show_default=True, help="Direction of the layout.")
@click.option("--animate", is_flag=True, help="Record the backward pass of the drawn tensor and animate it (.html, .svg, or a folder of frames).")
def render(script, script_args, output, fmt, variables, show_saved, show_attrs, rankdir, animate):
    """Run SCRIPT as __main__ and draw its autograd graphs.

    Draws the tensors named with --var, or else every module-level tensor with
    a grad_fn that is not an input of another. Arguments after `--` go to the
    script: graphtrace render train.py -o g.svg -- --epochs 3
    """
    from graphtrace.errors import GraphtraceError, ScriptError
    from graphtrace.jobs import render_script

    style = dict(show_saved=show_saved, show_attrs=show_attrs, rankdir=rankdir)
    try:
        report = render_script(script, list(script_args), output, fmt, list(variables), style, animate=animate)
    except ScriptError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1)
    except GraphtraceError as error:
        raise click.ClickException(str(error))
    click.echo(report)
