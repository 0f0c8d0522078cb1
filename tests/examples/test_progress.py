"""The progress bar draws on stderr, stays quiet when disabled, and does not redraw every step."""

import io

from graphtrace.examples import ProgressBar


def test_draws_to_the_given_stream_and_ends_with_a_newline():
    stream = io.StringIO()
    with ProgressBar(10, "train", stream=stream, width=10) as bar:
        for _ in range(10):
            bar.update()
    text = stream.getvalue()
    assert text.endswith("\rtrain [##########] 10/10\n")
    assert "\rtrain [----------] 0/10" in text


def test_throttles_redraws():
    stream = io.StringIO()
    with ProgressBar(20_000, stream=stream, width=30) as bar:
        for _ in range(20_000):
            bar.update()
    assert 30 <= stream.getvalue().count("\r") <= 33


def test_disabled_writes_nothing():
    stream = io.StringIO()
    with ProgressBar(5, "x", stream=stream, enabled=False) as bar:
        bar.update(5)
    assert stream.getvalue() == ""


def test_defaults_to_stderr_at_use(capsys):
    with ProgressBar(2, "s") as bar:
        bar.update(2)
    captured = capsys.readouterr()
    assert captured.out == "" and "2/2" in captured.err
