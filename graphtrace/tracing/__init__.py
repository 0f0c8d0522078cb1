"""Tracers: walk an autograd graph (torch or the scalar engine) into a Graph."""

from .walk import trace, trace_with_index

__all__ = ["trace", "trace_with_index"]
