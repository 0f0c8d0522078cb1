"""The gallery's index.html: one self-contained page (inline CSS, relative links, no script, no network)."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

__all__ = ["index_html"]

_CSS = """
:root { --ink: #1f2933; --muted: #52606d; --line: #e4e7eb; --accent: #1d4ed8; --paper: #f8fafc; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       color: var(--ink); background: var(--paper); }
header, main, footer { max-width: 1120px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 32px; }
h1 { font-size: 2rem; margin: 0 0 8px; letter-spacing: -0.01em; }
h1 small { font-size: 1rem; font-weight: 400; color: var(--muted); margin-left: 8px; }
.lead { max-width: 70ch; color: var(--muted); margin: 0 0 16px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em;
       background: #eef2f7; border-radius: 4px; padding: 1px 5px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
nav { margin: 20px 0 8px; }
nav ol { list-style: none; margin: 0; padding: 0; display: grid;
         grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 6px 16px; }
nav li { padding: 6px 10px; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
nav li a { font-weight: 600; }
nav li span { display: block; font-size: 0.85rem; color: var(--muted); white-space: nowrap;
              overflow: hidden; text-overflow: ellipsis; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; margin: 24px 0;
          padding: 20px 24px 24px; }
section h2 { margin: 0 0 4px; font-size: 1.35rem; }
section h2 a.anchor { color: inherit; }
.tags { margin: 0 0 10px; font-size: 0.85rem; color: var(--muted); }
.tag { display: inline-block; border-radius: 999px; padding: 1px 9px; margin-right: 6px;
       background: #eef2f7; color: #334e68; }
.tag.train { background: #e3f9e5; color: #1f5f2a; }
.caption { max-width: 75ch; margin: 0 0 16px; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 12px; background: #fff;
         display: flex; flex-direction: column; }
figure .frame { flex: 1; display: flex; align-items: center; justify-content: center; min-height: 120px; }
figure img { display: block; max-width: 100%; max-height: 640px; height: auto; width: auto; }
figcaption { font-size: 0.85rem; color: var(--muted); margin-top: 10px; border-top: 1px solid var(--line);
             padding-top: 8px; }
figcaption b { color: var(--ink); }
.note { font-size: 0.9rem; color: #8a4b08; background: #fffbea; border: 1px solid #f7d070;
        border-radius: 6px; padding: 8px 12px; margin: 12px 0 0; }
footer { color: var(--muted); font-size: 0.85rem; padding-bottom: 40px; }
"""


def index_html(entries, *, device: str, max_epochs: int, seed: int) -> str:
    """The index page for gallery Entries (see graphtrace.gallery); every text is escaped."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>graphtrace gallery</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>graphtrace gallery <small>the course examples, drawn from the real autograd graph</small></h1>",
        '<p class="lead">For every example: the graph torch builds (every <code>grad_fn</code>, the '
        "<code>AccumulateGrad</code> nodes that write <code>.grad</code>, the tensors saved for backward), "
        "the same graph built by graphtrace's scalar engine where the example has one, the backward pass "
        "in the order the engine really ran it (open the player to step through it), and the loss curve "
        f"where the example trains. Training ran on {_e(device)} with seed {seed}, for the course's number "
        f"of epochs or {max_epochs:,} at most. Click a picture to open it on its own.</p>",
        "<nav><ol>",
    ]
    for entry in entries:
        parts.append(
            f'<li><a href="#{_e(entry.name)}">{_e(entry.name)}</a><span title="{_e(entry.title)}">'
            f"{_e(entry.title)}</span></li>"
        )
    parts += ["</ol></nav>", "</header>", "<main>"]
    for entry in entries:
        parts.append(_section(entry))
    parts += [
        "</main>",
        "<footer><p>Built by <code>graphtrace gallery</code>. Rebuild with the same command: "
        "the graphs' DOT sources (<code>*.dot</code> beside each SVG) come out byte for byte the same.</p></footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _section(entry) -> str:
    tags = [f'<span class="tag">{_e(engine)}</span>' for engine in entry.engines]
    if entry.training is not None:
        tags.append('<span class="tag train">trains</span>')
    figures = []
    if "graph" in entry.files:
        figures.append(
            _figure(entry.files["graph"], f"{entry.title}: autograd graph (torch)", "<b>Autograd graph</b> (torch)")
        )
    if "scalar" in entry.files:
        figures.append(
            _figure(
                entry.files["scalar"],
                f"{entry.title}: graph built by the scalar engine",
                "<b>Scalar engine</b>: the same program in <code>graphtrace.scalar</code>",
            )
        )
    if "animation" in entry.files:
        figures.append(
            _figure(
                entry.files["animation"],
                f"{entry.title}: animated backward pass",
                f"<b>Backward pass</b> from <code>{_e(entry.animated_output)}</code>, as the engine ran it. "
                f'<a href="{_url(entry.files["player"])}">Open the player</a> to step through it.',
            )
        )
    if entry.training is not None:
        figures.append(
            _figure(entry.files["loss"], f"{entry.title}: loss curve", _training_text(entry.training))
        )
    lines = [
        f'<section id="{_e(entry.name)}">',
        f'<h2><a class="anchor" href="#{_e(entry.name)}">{_e(entry.title)}</a></h2>',
        f'<p class="tags"><code>{_e(entry.name)}</code> {" ".join(tags)}</p>',
        f'<p class="caption">{_e(entry.caption)}</p>',
        '<div class="figures">',
        *figures,
        "</div>",
    ]
    for note in entry.notes:
        lines.append(f'<p class="note">{_e(note)}</p>')
    lines.append("</section>")
    return "\n".join(lines)


def _figure(path: str, alt: str, caption_html: str) -> str:
    url = _url(path)
    return (
        f'<figure><a class="frame" href="{url}"><img src="{url}" alt="{_e(alt)}"></a>'
        f"<figcaption>{caption_html}</figcaption></figure>"
    )


def _training_text(training) -> str:
    epochs = f"{training.epochs:,} epochs"
    if training.epochs != training.course_epochs:
        epochs += f" (the course trains {training.course_epochs:,}; the gallery stops early to build fast)"
    return (
        f"<b>Loss curve</b>: {epochs} on {_e(training.device)}, lr {training.lr:g}, seed {training.seed}. "
        f"{_e(training.loss_label)} {_number(training.first_loss)} &rarr; {_number(training.final_loss)}."
    )


def _number(value: float) -> str:
    return _e(f"{value:.4g}")


def _url(path: str) -> str:
    # Relative links, percent-encoded per segment, so the page works from file:// and any web folder.
    return _e(quote(path, safe="/"))


def _e(text) -> str:
    return escape(str(text), quote=True)
