"""One exception hierarchy for graphtrace; every message says what to do."""


class GraphtraceError(Exception):
    """Base class of every error graphtrace raises on purpose."""


class NotATensorError(GraphtraceError, TypeError):
    """Something that is not a tensor (or scalar Value) was given where one is needed."""


class NoGradFnError(GraphtraceError, ValueError):
    """A tensor has no autograd graph behind it: no grad_fn and requires_grad=False."""


class UnknownFormatError(GraphtraceError, ValueError):
    """An output format graphtrace cannot write."""


class OutputPathError(GraphtraceError, OSError):
    """The output path cannot be written (missing folder, no permission)."""


class LayoutProgramNotFound(GraphtraceError, RuntimeError):
    """Neither Graphviz's `dot` nor `graphviz-pure` could be found."""


class LayoutError(GraphtraceError, RuntimeError):
    """The layout program ran but failed."""


class ScriptError(GraphtraceError):
    """The user's script raised; the traceback has been reported."""


class NothingToDrawError(GraphtraceError, ValueError):
    """A script or call produced no tensor with an autograd graph to draw."""


class DeepGraphWarning(UserWarning):
    """The traced graph is deep enough that freeing it may overflow the C stack."""
