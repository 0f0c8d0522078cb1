"""Whole jobs behind the command line: run a script, trace what it built, write the file."""

from __future__ import annotations

from pathlib import Path

from .errors import UnknownFormatError
from .render.files import check_output, graph_bytes, write_atomically
from .stack import run_with_large_stack


def render_script(script, script_args, output, fmt, variables, style, *, animate=False) -> str:
    """Run ``script``, draw its tensors to ``output``; return a one-line report of what was drawn.

    Everything about the output is checked before the script runs. The script,
    the trace and the freeing of the script's graphs all happen on a large
    stack, so deep graphs cannot crash the process when they are freed.
    """
    script = Path(script)
    if animate:
        return animate_script(script, script_args, output, fmt, variables, style)
    if fmt in ("html", "frames"):
        raise UnknownFormatError(f"format {fmt!r} is an animation: add --animate, or choose svg, png, pdf, dot or json")
    output = Path(output) if output is not None else Path(f"{script.stem}.{fmt or 'svg'}")
    fmt = check_output(output, fmt)

    def job():
        from .script import drawable_tensors, run_script, tensor_names
        from .tracing import trace

        namespace = run_script(script, script_args)
        try:
            chosen = drawable_tensors(namespace, variables)
            graph = trace(chosen, names=tensor_names(namespace))
            return list(chosen), graph.number_of_nodes(), graph_bytes(graph, fmt, **style)
        finally:
            namespace.clear()  # the script's graphs are freed here, on the large stack

    drawn, node_count, data = run_with_large_stack(job)
    write_atomically(output, data)
    return f"drew {', '.join(drawn)} ({node_count} nodes) to {output}"


def animate_script(script, script_args, output, fmt, variables, style) -> str:
    """Run ``script``, record the backward pass of the one tensor it draws, and write the animation.

    ``output`` ending in .html gives the player, .svg an animated SVG, a folder
    numbered SVG frames. The script's tensor must be a scalar (or choose one
    with --var); everything about the output is checked before the script runs.
    """
    from .render.animate import check_animation_path, resolve_animation_format
    from .render.layout import check_format_supported

    script = Path(script)
    output = Path(output) if output is not None else Path(f"{script.stem}.html")
    fmt = resolve_animation_format(output, fmt)
    check_animation_path(output, fmt)
    check_format_supported("svg")  # every animation format is made from one SVG layout

    def job():
        from .errors import NothingToDrawError
        from .recorder import record
        from .render.animate import Animation
        from .script import drawable_tensors, run_script, tensor_names

        namespace = run_script(script, script_args)
        try:
            chosen = drawable_tensors(namespace, variables)
            if len(chosen) != 1:
                raise NothingToDrawError(
                    f"--animate records one backward pass, and the script has {len(chosen)} tensors to draw "
                    f"({', '.join(chosen)}); choose one with --var NAME"
                )
            (name, tensor), = chosen.items()
            recording = record(tensor, names=tensor_names(namespace))
            animation = Animation(recording, **style)
            animation.save(output, format=fmt)
            return name, len(recording.steps)
        finally:
            namespace.clear()

    name, steps = run_with_large_stack(job)
    return f"animated the backward pass of {name} ({steps} steps) to {output}"
