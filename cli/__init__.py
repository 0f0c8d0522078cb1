"""The `graphtrace` command line (installed as graphtrace.cli)."""
