"""The self-contained HTML player page: the template and assets in render/player/, filled with one scene."""

from __future__ import annotations

import functools
import html
import json
import re
from importlib import resources

__all__ = ["player_page", "notebook_frame"]

_FIELD = re.compile(r"\{\{([A-Z]+)\}\}")


@functools.lru_cache(maxsize=None)
def _asset(name) -> str:
    return resources.files("graphtrace").joinpath("render", "player", name).read_text(encoding="utf-8")


def _script_json(data) -> str:
    """JSON safe inside <script>: "<", ">" and "&" written as \\u escapes, so no text can close the element."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def player_page(svg: str, data: dict, captions: list, frame_count: int, title: str) -> str:
    """The page: play/pause, step, slider, arrow keys; ``data`` drives the script; no network needed."""
    values = {
        "TITLE": html.escape(title),
        "CSS": _asset("player.css"),
        "JS": _asset("player.js"),
        "FRAMES": str(frame_count),
        "CAPTION": html.escape(captions[0]),
        "SVG": svg,
        "DATA": _script_json(data),
    }
    # Fields are filled in the template only, so a {{...}} inside a name or caption stays text.
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), _asset("player.html"))


def notebook_frame(page: str) -> str:
    """An iframe holding ``page``: it keeps each player's ids and script apart from the notebook and other players."""
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" style="width:100%;height:640px;border:1px solid #e5e7eb" '
            'title="graphtrace backward animation"></iframe>')
