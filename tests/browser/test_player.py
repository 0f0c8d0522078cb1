"""The HTML player in real headless Chromium: stepping moves the highlight and the caption as recorded."""

import os
import shutil
from pathlib import Path

import pytest
import torch

from graphtrace.recorder import record
from graphtrace.render.animate import animate

pytestmark = [pytest.mark.browser, pytest.mark.layout]

CHROMIUM = os.environ.get("GRAPHTRACE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("GRAPHTRACE_ARTIFACTS", Path(__file__).resolve().parents[1] / "artifacts"))


@pytest.fixture
def page():
    # conftest skips `browser` tests without playwright or Chromium (and lets them fail under CI=true).
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1100, "height": 900})
        finally:
            browser.close()


def course_recording():
    x = torch.tensor(-2.0, requires_grad=True)
    y = torch.tensor(5.0, requires_grad=True)
    z = torch.tensor(-4.0, requires_grad=True)
    q = x + y
    f = q * z
    return record(f, names={"x": x, "y": y, "z": z, "q": q, "f": f})


def current_shapes(page):
    """Ids of the node groups whose shape the player marks as running now."""
    return page.eval_on_selector_all(
        "#gt-stage g.node",
        "gs => gs.filter(g => g.querySelector('[data-gt-state=current]')).map(g => g.id)",
    )


def test_player_steps_through_the_recording(page, tmp_path):
    rec = course_recording()
    animation = animate(rec)
    path = animation.save(tmp_path / "player.html")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: errors.append(request.url) if not request.url.startswith(("file:", "data:")) else None)
    page.goto(path.resolve().as_uri())
    caption = page.locator("#gt-caption")
    assert caption.inner_text() == animation.captions[0]
    assert page.get_attribute("#gt-player", "data-frame") == "0"
    for k, step in enumerate(rec.steps, start=1):
        if k % 2:
            page.click("#gt-next")
        else:
            page.keyboard.press("ArrowRight")
        assert page.get_attribute("#gt-player", "data-current") == step.node
        assert caption.inner_text() == animation.captions[k]
        assert current_shapes(page) == [step.node]
        # The shape really is drawn highlighted, not only labelled so.
        fill = page.eval_on_selector(f"#{step.node} [data-gt-state=current]", "e => getComputedStyle(e).fill")
        assert fill == "rgb(253, 230, 138)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = tmp_path / "player.png"
    page.screenshot(path=str(shot), full_page=True)
    shutil.copy(shot, ARTIFACTS / "player_add_mul.png")
    page.keyboard.press("ArrowLeft")
    assert caption.inner_text() == animation.captions[len(rec.steps) - 1]
    page.fill("#gt-slider", "0")
    page.dispatch_event("#gt-slider", "input")
    assert caption.inner_text() == animation.captions[0]
    page.click("#gt-last")
    assert caption.inner_text() == animation.captions[-1]
    assert page.get_attribute("#gt-player", "data-frame") == str(len(animation) - 1)
    assert errors == []


def test_player_plays_and_pauses(page, tmp_path):
    animation = animate(course_recording(), seconds_per_step=0.05)
    path = animation.save(tmp_path / "player.html")
    page.goto(path.resolve().as_uri())
    page.click("#gt-play")
    page.wait_for_function(f"document.getElementById('gt-player').dataset.frame === '{len(animation) - 1}'", timeout=5000)
    assert page.inner_text("#gt-play") == "Play"  # stopped by itself at the end
