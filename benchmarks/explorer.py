"""The graph explorer at real sizes: saving one training step of the default nn.GPT, its page's first
view and the expansion of its block in headless Chromium, the plain-ops GPT step's page, and refusing
a graph of a million nodes. Run as a section of `python -m benchmarks`, or alone:

    python -m benchmarks.explorer          (--quick: the Python side only)

The browser is the system's Chromium (/usr/bin/chromium), driven by Playwright; nothing is downloaded.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from autograd import Value
from autograd.explorer import explore
from autograd.explorer.page import ELK_BUNDLE
from autograd.limits import GraphTooLargeError

CHROMIUM = Path("/usr/bin/chromium")
NAME = "olivia"  # as W5: 6 letters, 7 positions
MILLION = 1_000_000
GOALS = {  # key in `measured` -> (what, goal, met when)
    "explorer save": ("explorer: save one default GPT step", "<= 3 s", lambda s: s <= 3),
    "explorer size": ("explorer: its file", "<= 8 MB", lambda mb: mb <= 8),
    "explorer first view": ("explorer: its first view drawn", "<= 3 s", lambda s: s <= 3),
    "explorer expand": ("explorer: expanding its block", "<= 1 s", lambda s: s <= 1),
    "explorer plain ops": ("explorer: the plain-ops GPT step opens", "<= 5 s", lambda s: s <= 5),
    "explorer refusal": ("explorer: a graph of 1,000,000 nodes refused", "< 1 s", lambda s: s < 1),
}


def explorer_section(engines: list, sizes: dict, measured: dict[str, float]) -> str:
    """The table of this section; the goals' numbers go into `measured` (seconds, or MB for the size)."""
    from nn import GPT, Characters, names

    from . import gpt

    chars = Characters(names())
    tokens = chars.encode(NAME)
    model = GPT(chars.vocab_size, seed=0)
    loss = model.loss(tokens)
    loss.backward()
    rows = []
    folder = Path(tempfile.mkdtemp(prefix="skipgrad-explorer-"))
    if not ELK_BUNDLE.is_file():
        return _table([["everything", "not measured: elkjs is not installed (python3 tasks.py bench installs it)"]])
    started = time.perf_counter()
    explorer = explore(loss, names=False)
    gpt_page = explorer.save(folder / "gpt.html")
    measured["explorer save"] = time.perf_counter() - started
    measured["explorer size"] = gpt_page.stat().st_size / 1e6
    edges = len(explorer.model["src"])
    rows.append(
        [f"save one default GPT step ({explorer.nodes:,} nodes, {edges:,} edges)", _s(measured["explorer save"])]
    )
    rows.append(["its file", f"{measured['explorer size']:.2f} MB"])
    measured["explorer refusal"] = _refusal()
    rows.append([f"refuse a graph of {MILLION:,} nodes", _s(measured["explorer refusal"])])
    if sizes.get("explorer_browser", True):
        weights = gpt.draw_weights(chars.vocab_size, seed=1337)
        plain = gpt.skipgrad_plain_step(weights, tokens).forward()
        plain.backward()
        plain_explorer = explore(plain, names=False)
        plain_page = plain_explorer.save(folder / "plain.html")
        rows += _browser(gpt_page, plain_page, plain_explorer.nodes, measured)
    return _table(rows)


def _refusal() -> float:
    """Seconds to refuse a chain of a million nodes (built first, not timed)."""
    chain = Value(0.0)
    for _ in range(MILLION):
        chain = chain + 1.0
    started = time.perf_counter()
    try:
        explore(chain)
    except GraphTooLargeError:
        return time.perf_counter() - started
    raise AssertionError("a graph of a million nodes was not refused")


def _browser(gpt_page: Path, plain_page: Path, plain_nodes: int, measured: dict[str, float]) -> list[list[str]]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return [["in the browser", "not measured: Playwright is not installed (pip install 'skipgrad[test]')"]]
    if not CHROMIUM.exists():
        return [["in the browser", f"not measured: no Chromium at {CHROMIUM}"]]
    drawn = ".skipgrad-explorer[data-layouts='{}']:not([data-busy])"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(gpt_page.as_uri())
        page.wait_for_selector(drawn.format(1), timeout=60_000)
        measured["explorer first view"] = page.evaluate("skipgradExplorer.drawnAt") / 1e3  # since navigation
        shown = page.locator("[data-node]").count() + page.locator("[data-group]").count()
        block = page.evaluate("[...document.querySelectorAll('[data-group]')].map(e => e.dataset.group)")
        block = next(name for name in block if name.startswith("block"))
        clicked = page.evaluate(
            "name => { const t = performance.now(); "
            "document.querySelector(`[data-group='${name}']`).dispatchEvent(new MouseEvent('click', {bubbles: true})); "
            "return t; }",
            block,
        )
        page.wait_for_selector(drawn.format(2), timeout=60_000)
        measured["explorer expand"] = (page.evaluate("skipgradExplorer.drawnAt") - clicked) / 1e3
        after = page.locator("[data-node]").count() + page.locator("[data-group]").count()
        plain = browser.new_page(viewport={"width": 1400, "height": 900})
        plain.goto(plain_page.as_uri())
        plain.wait_for_selector(drawn.format(1), timeout=60_000)
        measured["explorer plain ops"] = plain.evaluate("skipgradExplorer.drawnAt") / 1e3
        browser.close()
    return [
        [f"its first view drawn, from opening the file ({shown} things shown)", _s(measured["explorer first view"])],
        [f"expanding {block}, click to drawn ({after} things shown)", _s(measured["explorer expand"])],
        [f"the plain-ops GPT step ({plain_nodes:,} nodes) opens", _s(measured["explorer plain ops"])],
    ]


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def _table(rows: list[list[str]]) -> str:
    title = (
        "**Explorer: one training step of the default nn.GPT (on one name, "
        f"{NAME!r}) saved as one HTML file and opened in headless Chromium**"
    )
    lines = [title, "", "| what | this run |", "|---|---|"] + [f"| {what} | {value} |" for what, value in rows]
    return "\n".join(lines)


def goals(measured: dict[str, float]) -> list[list[str]]:
    """Rows for the targets' table: what, goal, this run, met."""
    rows = []
    for key, (what, goal, met) in GOALS.items():
        if key not in measured:
            rows.append([what, goal, "not measured", "-"])
            continue
        value = measured[key]
        shown = f"{value:.2f} MB" if key == "explorer size" else f"{value:.2f} s"
        rows.append([what, goal, shown, "yes" if met(value) else "no"])
    return rows


if __name__ == "__main__":
    found: dict[str, float] = {}
    print(explorer_section([], {"explorer_browser": "--quick" not in sys.argv}, found))
    print()
    print("\n".join(f"| {' | '.join(row)} |" for row in goals(found)))
    os._exit(0)  # the million-node chain is let go with the process, not node by node
