"""`python -m graphtrace` runs the command-line interface."""

from graphtrace.cli.main import main

main()
