"""Errors the course examples and their training raise; each message names the fix."""

from __future__ import annotations

from ..errors import GraphtraceError


class ExampleError(GraphtraceError, ValueError):
    """A course example was asked for with a name, option or device it cannot use."""


class UnknownExampleError(ExampleError):
    """No example is registered under the given name."""


class NotTrainableError(ExampleError):
    """The example draws a graph but has no training loop (or none in the asked-for engine)."""


class DeviceError(ExampleError):
    """The asked-for device is unknown to torch or not available on this machine."""
