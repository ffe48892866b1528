"""The explorer's saved pages in a real browser: headless Chromium (the system's, never a download),
driven by Playwright, opening files from disk with every request that is not a file aborted and
recorded. They show the numbers of grad_table and of the pictures, expand on click, and step as
backward_steps does."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from autograd import backward_steps, draw, grad_table, topological_order
from autograd.explorer import explore
from autograd.explorer.page import ELK_BUNDLE
from autograd.naming import number
from tests import explorer_graphs as graphs

CHROMIUM = Path("/usr/bin/chromium")
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="needs Playwright for Python: pip install 'skipgrad[test]'"
)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs the system's Chromium at {CHROMIUM} (never downloaded)"),
    pytest.mark.skipif(not ELK_BUNDLE.is_file(), reason="elkjs is not installed: run python3 tasks.py test"),
]
pytest.importorskip("graphviz")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


class Opened:
    """A saved page open in the browser, and every request it made that was not for a file."""

    def __init__(self, browser, path: Path) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 850})
        self.requests: list[str] = []

        def only_files(route) -> None:
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                self.requests.append(route.request.url)
                route.abort()

        self.context.route("**/*", only_files)
        self.page = self.context.new_page()
        self.page.on("request", self._record)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(path.as_uri())
        self.wait_layouts(1)

    def _record(self, request) -> None:  # also what a route would not see (a worker's, a redirect's)
        if not request.url.startswith("file:") and request.url not in self.requests:
            self.requests.append(request.url)

    def wait_layouts(self, count: int) -> None:
        self.page.wait_for_selector(f".skipgrad-explorer[data-layouts='{count}']:not([data-busy])", timeout=20_000)

    def texts(self, selector: str) -> list[list[str]]:
        return self.page.eval_on_selector_all(
            selector, "els => els.map(e => [...e.querySelectorAll('text')].map(t => t.textContent))"
        )

    def close(self) -> None:
        assert self.errors == [] and self.requests == []  # nothing asked of the network, no script error
        self.context.close()


def opened(browser, root, tmp_path: Path, **options) -> Opened:
    return Opened(browser, explore(root, names=False, **options).save(tmp_path / "graph.html"))


def picture_numbers(root) -> tuple[set, list]:
    """What draw()'s picture of `root` shows: each node's heading, data and grad lines, and each edge's
    value and gradient, read from its DOT source."""
    source = draw(root).source
    nodes = set(
        re.findall(r"<b>(.*?)</b><br/><font[^>]*>(data [^<]*)</font><br/><font[^>]*>(grad [^<]*)</font>", source)
    )
    edges = re.findall(
        r'-> \w+ \[label=<<font color="#1a7f37">([^<]*)</font><br/><font color="#cf222e">([^<]*)<', source
    )
    return nodes, sorted(edges)


def test_the_seed_circuit_shows_the_pictures_numbers_and_asks_the_network_for_nothing(browser, tmp_path):
    root = graphs.seed()
    shown = opened(browser, root, tmp_path)
    nodes = {tuple(lines[:3]) for lines in shown.texts("[data-node]")}
    edges = sorted(tuple(lines) for lines in shown.texts("g.sx-edge-label") if len(lines) == 2)
    want_nodes, want_edges = picture_numbers(root)
    assert nodes == want_nodes and edges == want_edges
    picture = shown.page.screenshot(path=str(tmp_path / "explorer_seed_circuit.png"))
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"
    shown.close()


def test_step_and_back_follow_backward_steps(browser, tmp_path):
    root = graphs.seed()
    frames = list(backward_steps(root, names=False))
    shown = opened(browser, root, tmp_path)
    page = shown.page

    def current() -> tuple[str, str, int]:
        name = page.get_attribute("[data-current]", "data-node")
        caption = page.inner_text("[data-field='caption']")
        return name, caption, page.locator("path.sx-lit").count()

    assert page.locator("[data-current]").count() == 0  # not stepping yet: the finished gradients
    for frame in frames:
        page.click("[data-action='step']")
        pushed_into = len({id(child) for child, _ in frame.edges})
        assert current() == (frame.node.label, frame.caption, pushed_into)
    for frame in reversed(frames[:-1]):
        page.click("[data-action='back']")
        assert current()[:2] == (frame.node.label, frame.caption)
    page.click("[data-action='back']")
    assert page.locator("[data-current]").count() == 0
    shown.close()


def test_while_stepping_the_panel_shows_the_gradient_so_far(browser, tmp_path):
    """The panel open on xy follows the steps: the gradient that has arrived at this step, not the end's."""
    root = graphs.seed()
    frames = list(backward_steps(root, names=False))
    xy = next(n for n in topological_order(root) if n.label == "xy")
    shown = opened(browser, root, tmp_path)
    page = shown.page
    page.fill("[data-control='search']", "xy")
    page.press("[data-control='search']", "Enter")
    page.wait_for_selector("[data-panel='xy']")
    seen = []
    for frame in frames:
        page.click("[data-action='step']")
        arrived = frame.grads.get(id(xy))
        assert page.inner_text("[data-panel] [data-field='grad']") == ("?" if arrived is None else number(arrived))
        seen.append(arrived)
    assert seen[-1] == xy.grad and len(set(seen)) >= 3  # none yet, then part of it, then all of it
    shown.close()


def test_the_panels_numbers_are_grad_tables(browser, tmp_path):
    loss, adam = graphs.small_mlp()
    rows = graphs.grad_table_rows(grad_table(loss, names=False))
    shown = opened(browser, loss, tmp_path, optimizer=adam)
    page = shown.page
    order = topological_order(loss)
    names = list(rows)
    picked = [names[0], names[1], names[len(names) // 2], names[-2], names[-1]]
    for name in picked:
        page.fill("[data-control='search']", name)
        page.press("[data-control='search']", "Enter")
        page.wait_for_selector(f"[data-panel='{name}']")
        got = (page.inner_text("[data-panel] [data-field='data']"), page.inner_text("[data-panel] [data-field='grad']"))
        assert got == rows[name], name
        node = order[names.index(name)]
        sent = page.eval_on_selector_all(
            "[data-panel] [data-term] [data-field='sent']", "els => els.map(e => e.textContent)"
        )
        consumers = [
            (parent, local)
            for parent in order
            for child, local in zip(parent.children, parent.local_grads, strict=True)
            if child is node
        ]
        assert sent == [number(local * parent.grad) for parent, local in consumers]
    page.fill("[data-control='search']", names[0])  # a parameter: its Adam state
    page.press("[data-control='search']", "Enter")
    assert page.inner_text("[data-panel] [data-field='optimizer-m']") == number(adam.m[0])
    # and a click on a drawn node opens its panel (once this one is closed, as it may cover the node)
    page.click("[data-panel] .sx-close")
    page.click("[data-node='loss']")
    assert page.inner_text("[data-panel] [data-field='grad']") == "1"
    shown.close()


def test_a_click_expands_a_box_and_shows_more_nodes(browser, tmp_path):
    loss, _ = graphs.small_mlp()
    shown = opened(browser, loss, tmp_path)
    page = shown.page
    before = page.locator("[data-node]").count()
    outer = page.get_attribute("[data-group][data-expanded='false']", "data-group")
    box, layouts = outer, 1
    while True:  # the model's box holds the layers' boxes, which hold the neurons'
        page.click(f"[data-group='{box}']")
        layouts += 1
        shown.wait_layouts(layouts)
        assert page.get_attribute(f"[data-group='{box}']", "data-expanded") == "true"
        if page.locator("[data-node]").count() > before or layouts > 4:
            break
        box = page.get_attribute("[data-group][data-expanded='false']", "data-group")
    assert page.locator("[data-node]").count() > before
    page.click(f"[data-group='{outer}'] .sx-frame-title")  # its title closes it again
    shown.wait_layouts(layouts + 1)
    assert page.get_attribute(f"[data-group='{outer}']", "data-expanded") == "false"
    assert page.locator("[data-node]").count() == before
    shown.close()


def test_a_plain_graph_opens_on_the_output_and_a_click_reveals_inputs(browser, tmp_path):
    from autograd import Value

    total = Value(0.0, "start")
    for k in range(400):  # a chain far longer than one view
        total = total + Value(float(k), f"x{k}") * 0.5
    total.label = "total"
    total.backward()
    shown = opened(browser, total, tmp_path)
    page = shown.page
    before = page.locator("[data-node]").count()
    assert 20 < before <= 150 and page.locator("[data-node='total']").count() == 1
    hidden = page.eval_on_selector_all(
        "[data-node]", "els => els.filter(e => e.textContent.includes('hidden')).map(e => e.dataset.node)"
    )
    page.dispatch_event(f"[data-node='{hidden[0]}']", "click")  # it may lie outside the zoomed-in view
    shown.wait_layouts(2)
    assert page.locator("[data-node]").count() > before
    shown.close()


@pytest.mark.skipif(shutil.which("chromium") is None and not CHROMIUM.exists(), reason="no browser")
def test_the_command_lines_page_opens(browser, tmp_path):
    from autograd.cli import main

    path = tmp_path / "g.html"
    assert main(["grad", "x*y + max(z, w)", "x=3", "y=-4", "z=2", "w=-1", "--html", str(path)]) == 0
    shown = Opened(browser, path)
    assert shown.page.locator("[data-node='x * y']").count() == 1
    shown.close()


def test_numbers_are_written_as_python_writes_them(browser, tmp_path):
    import random

    rng = random.Random(0)
    xs = [0.0, -0.0, 1.0, -1.5, 2.0 / 3.0, 1e-5, 1.23456e-5, 99999.5, 123456.0, 1234567.0, 1e21, -3.5e-300]
    xs += [rng.uniform(-1, 1) * 10 ** rng.randint(-8, 8) for _ in range(300)]
    shown = opened(browser, graphs.seed(), tmp_path)
    for digits in (4, 6):
        got = shown.page.evaluate(f"xs => xs.map(x => SkipgradExplorer.formatG(x, {digits}))", xs)
        want = ["0" if (text := f"{x:.{digits}g}") == "-0" else text for x in xs]
        assert got == want
    shown.close()


def test_update_keeps_what_is_expanded(browser, tmp_path):
    loss, _ = graphs.small_mlp()
    shown = opened(browser, loss, tmp_path)
    page = shown.page
    box = page.get_attribute("[data-group][data-expanded='false']", "data-group")
    page.click(f"[data-group='{box}']")
    shown.wait_layouts(2)
    again, _ = graphs.small_mlp()  # another graph of the same model: what a training loop makes
    model = explore(again, names=False).model
    page.evaluate("model => skipgradExplorer.update(model)", model)
    shown.wait_layouts(3)
    assert page.get_attribute(f"[data-group='{box}']", "data-expanded") == "true"
    shown.close()


def test_the_step_page_opens_at_step_0_and_steps_in_backward_steps_order(browser, tmp_path):
    """render_steps's page is the explorer at the seed: step, back and play visit backward_steps' frames."""
    from autograd import render_steps

    root = graphs.small_mlp()[0]  # boxes: a step may be at a node inside a closed box
    frames = list(backward_steps(root, names=False))
    shown = Opened(browser, render_steps(root, tmp_path / "steps", names=False))
    page = shown.page
    element = ".skipgrad-explorer"

    def at() -> tuple[str, str]:
        return page.get_attribute(element, "data-frame"), page.inner_text("[data-field='caption']")

    assert at() == ("0", frames[0].caption) and page.get_attribute("[data-current]", "data-node") == "loss"
    assert page.inner_text("[data-field='step']") == f"step 0 of {len(frames) - 1}"
    visited = [at()]
    for _ in frames[1:]:
        page.click("[data-action='step']")
        page.wait_for_selector(f"{element}:not([data-busy])")
        visited.append(at())
        current = page.eval_on_selector_all("[data-current]", "els => els.map(e => e.dataset.node || e.dataset.group)")
        assert len(current) == 1, current
    assert visited == [(str(f.index), f.caption) for f in frames]
    page.click("[data-action='step']")  # at the last step, step stays there
    assert at()[0] == str(len(frames) - 1)
    page.click("[data-action='back']")
    assert at() == (str(len(frames) - 2), frames[-2].caption)
    page.fill("[data-control='speed']", "30")
    page.click("[data-action='play']")  # from the last but one: plays to the end and stops
    page.wait_for_selector(f"{element}[data-frame='{len(frames) - 1}']")
    page.wait_for_function("() => !skipgradExplorer.playing()")
    shown.close()


def test_the_step_page_of_the_seed_circuit_lights_each_steps_edges(browser, tmp_path):
    from autograd import render_steps

    root = graphs.seed()
    frames = list(backward_steps(root))
    shown = Opened(browser, render_steps(root, tmp_path / "steps"))
    page = shown.page
    for frame in frames:
        lit = page.locator("path.sx-lit").count()
        assert page.get_attribute("[data-current]", "data-node") == frame.node.label
        assert page.inner_text("[data-field='caption']") == frame.caption
        assert lit == len({id(child) for child, _ in frame.edges})
        page.click("[data-action='step']")
    shown.close()
