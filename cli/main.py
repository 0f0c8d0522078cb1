"""The `graphtrace` command: a thin click front end over graphtrace's public API."""

from __future__ import annotations

import sys

import click

from graphtrace import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="graphtrace")
def main():
    """See the PyTorch autograd graph, and step through the real backward pass."""


def _register_commands():
    # Each command lives in its own module; importing them here keeps main() the one entry point.
    from . import examples_command, render_command

    main.add_command(render_command.render)
    for command in examples_command.COMMANDS:
        main.add_command(command)


_register_commands()

if __name__ == "__main__":
    sys.exit(main())
