"""The explorer in Jupyter: Explorer.update, the anywidget widget (its trait, its ES module, its
`render` in a real browser with a stand-in for anywidget's model), and the frame shown without
anywidget. tests/test_explorer_jupyterlab.py runs it in a real JupyterLab."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograd import Value
from autograd.explorer import explore, view, widget
from autograd.explorer.page import ELK_BUNDLE, model_json
from nn import MLP

needs_elk = pytest.mark.skipif(not ELK_BUNDLE.is_file(), reason="elkjs is not installed: run python3 tasks.py test")


def mlp_loss(x0: float) -> Value:
    """MLP(2, [4, 1]) on one sample, squared error, after backward: boxes to open, numbers that x0 changes."""
    model = MLP(2, [4, 1], seed=0)
    loss = (model([Value(x0, "x0"), Value(-2.0, "x1")]) - 0.5) ** 2
    loss.backward()
    return loss


def product(a: float, b: float) -> Value:
    x, y = Value(a, "x"), Value(b, "y")
    out = x * y + x
    out.label = "out"
    out.backward()
    return out


def test_update_reads_the_new_graph_with_the_options_given_to_explore():
    explorer = explore(product(2.0, 3.0), names=False)
    explorer.update(product(-1.0, 5.0))
    assert explorer.model == explore(product(-1.0, 5.0), names=False).model
    assert explorer.model["data"][explorer.model["root"]] == -6.0


@pytest.mark.parametrize("wrong", [3.0, None, "out", [Value(1.0)]])
def test_update_refuses_what_is_not_a_value(wrong):
    explorer = explore(product(2.0, 3.0))
    with pytest.raises(TypeError, match=r"Explorer.update: expected a Value \(the graph's output\), got "):
        explorer.update(wrong)
    assert explorer.model["data"][explorer.model["root"]] == 8.0  # unchanged


@needs_elk
def test_save_after_update_writes_the_new_graph(tmp_path):
    explorer = explore(product(2.0, 3.0))
    explorer.update(product(7.0, 3.0))
    page = explorer.save(tmp_path / "g.html").read_text(encoding="utf-8")
    assert model_json(explorer.model) in page and '"data":[7.0,3.0,21.0,28.0]' in page


def test_outside_a_kernel_an_explorer_displays_as_its_repr(capsys):
    explore(product(2.0, 3.0))._ipython_display_()
    assert capsys.readouterr().out == "Explorer(4 nodes, 4 edges)\n"


class Handle:
    """IPython's DisplayHandle, recording what it was updated with."""

    def __init__(self, bundle: dict) -> None:
        self.bundles = [bundle]

    def update(self, bundle: dict, raw: bool = False) -> None:
        assert raw
        self.bundles.append(bundle)


@needs_elk
def test_without_anywidget_the_saved_page_shows_in_a_frame_that_update_replaces(monkeypatch, capsys):
    display = pytest.importorskip("IPython.display")
    shown: list[Handle] = []

    def fake_display(bundle, raw=False, display_id=False):
        assert raw and display_id is True
        shown.append(Handle(bundle))
        return shown[-1]

    monkeypatch.setattr(display, "display", fake_display)
    monkeypatch.setattr(view, "widget_class", lambda: None)
    monkeypatch.setattr(view, "in_a_kernel", lambda: True)
    monkeypatch.setattr(widget, "_noted_without_anywidget", False)
    explorer = explore(product(2.0, 3.0))
    explorer._ipython_display_()
    explorer._ipython_display_()  # shown twice: both frames follow update
    note = capsys.readouterr().err
    assert note.count("anywidget is not installed") == 1 and "pip install 'skipgrad[notebooks]'" in note
    explorer.update(product(7.0, 3.0))
    for handle in shown:
        first, last = (bundle["text/html"] for bundle in handle.bundles)
        assert first.startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;') and "&lt;script&gt;" in first
        assert "&quot;data&quot;:[7.0,3.0,21.0,28.0]" in last and "[7.0,3.0,21.0,28.0]" not in first
    with pytest.raises(ImportError, match="Explorer.widget needs anywidget"):
        explorer.widget  # noqa: B018


@pytest.mark.slow  # importing ipywidgets and anywidget, and making the 1.7 MB module, take a fifth of a second
@needs_elk
def test_the_widget_holds_the_graph_and_update_sets_it():
    pytest.importorskip("anywidget")
    explorer = explore(product(2.0, 3.0))
    shown = explorer.widget
    assert explorer.widget is shown and json.loads(shown.graph) == explorer.model
    explorer.update(product(7.0, 3.0))
    assert explorer.widget is shown and json.loads(shown.graph) == explorer.model
    assert shown._esm.endswith("export default { render };\n") and "SkipgradExplorer" in shown._esm
    assert ELK_BUNDLE.read_text(encoding="utf-8") in shown._esm  # inlined: the widget asks the network for nothing
    assert "html, body {" not in shown._css and ".skipgrad-explorer" in shown._css  # styles only its own elements
    bundle = shown._repr_mimebundle_()[0]
    assert "application/vnd.jupyter.widget-view+json" in bundle and "ExplorerWidget" in bundle["text/plain"]


# anywidget's model, as much of it as render uses: get, on and off, and a way to change the graph.
FAKE_MODEL = """
async ([esm, graph]) => {
  const url = URL.createObjectURL(new Blob([esm], { type: "text/javascript" }));
  const { default: widget } = await import(url);
  const handlers = [];
  const state = { graph };
  window.fakeModel = {
    get: (key) => state[key],
    on: (event, handler) => handlers.push([event, handler]),
    off: (event, handler) => handlers.splice(handlers.findIndex(([e, h]) => e === event && h === handler), 1),
    set: (key, value) => { state[key] = value; for (const [e, h] of handlers) if (e === `change:${key}`) h(); },
    handlers,
  };
  const el = document.createElement("div");
  document.body.append(el);
  window.cleanUp = widget.render({ model: window.fakeModel, el });
}
"""


@pytest.mark.slow
@needs_elk
def test_render_mounts_the_explorer_and_follows_the_graph_keeping_what_is_expanded():
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip(f"needs the system's Chromium at {chromium} (never downloaded)")
    before, after = mlp_loss(1.0), mlp_loss(3.0)
    explorer = explore(before, names=False)
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium))
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.set_content("<!DOCTYPE html><html><body></body></html>")
            page.evaluate(FAKE_MODEL, [widget.widget_module(), model_json(explorer.model)])

            def settled(layouts: int) -> None:
                page.wait_for_selector(f".skipgrad-explorer[data-layouts='{layouts}']:not([data-busy])", timeout=20_000)

            settled(1)
            assert page.evaluate("getComputedStyle(document.querySelector('.skipgrad-explorer')).height") == "620px"
            box = page.locator("[data-group][data-expanded='false']").first
            name = box.get_attribute("data-group")
            box.dispatch_event("click")  # it may lie outside the view, which opens zoomed in on the output
            settled(2)
            drawn = page.locator("[data-node] text").all_text_contents()
            explorer.update(after)
            page.evaluate("graph => window.fakeModel.set('graph', graph)", model_json(explorer.model))
            settled(3)
            assert page.get_attribute(f"[data-group='{name}']", "data-expanded") == "true"  # kept open
            assert page.locator("[data-node] text").all_text_contents() != drawn  # the new numbers
            # two graphs at once (a quick training loop): one layout, of the last
            explorer.update(before)
            page.evaluate(
                "([first, last]) => { window.fakeModel.set('graph', first); window.fakeModel.set('graph', last); }",
                [model_json(explore(after, names=False).model), model_json(explorer.model)],
            )
            settled(4)
            assert page.locator("[data-node] text").all_text_contents() == drawn
            page.evaluate("window.cleanUp()")
            assert page.evaluate("window.fakeModel.handlers.length") == 0  # no longer follows the graph
        finally:
            browser.close()
    assert errors == []


@pytest.mark.slow
@needs_elk
def test_the_frame_shown_without_anywidget_draws_the_graph():
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip(f"needs the system's Chromium at {chromium} (never downloaded)")
    explorer = explore(product(2.0, 3.0), names=False)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium))
        try:
            page = browser.new_page()
            page.set_content(
                f"<!DOCTYPE html><html><body>{widget.framed_page(explorer.html())['text/html']}</body></html>"
            )
            frame = page.frame_locator("iframe")
            frame.locator(".skipgrad-explorer[data-layouts='1']:not([data-busy])").wait_for(timeout=20_000)
            assert "data 8" in frame.locator("[data-node='out']").text_content()  # x * y + x at x=2, y=3
        finally:
            browser.close()
