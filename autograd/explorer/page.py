"""One self-contained HTML file for a graph model: the data, the explorer's own JS and CSS, and the
layout library (elkjs), all inlined, so that the file opens offline and asks the network for nothing.
Imports nothing from the package; elkjs is read from where `python3 tasks.py` installs it.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ELK_VERSION = "0.12.1"  # tasks.py installs this version with npm; the page embeds its bundled build
ELK_FOLDER = HERE / "vendor" / "node_modules" / "elkjs"
ELK_BUNDLE = ELK_FOLDER / "lib" / "elk.bundled.js"
GENERATOR = '<meta name="generator" content="skipgrad explore">'
# The page may run its own inline scripts and styles and nothing else: no request leaves it.
POLICY = (
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
    "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">"
)


class LayoutLibraryMissing(FileNotFoundError):
    """elkjs, which lays out the explorer's graphs, is not installed in autograd/explorer/vendor."""


def elk_source() -> str:
    """The text of elkjs's bundled build (layout without a web worker), checked to be ELK_VERSION."""
    setup = (
        f"run the set-up (`python3 tasks.py test`, or `npm install --prefix {ELK_FOLDER.parent.parent} "
        f"elkjs@{ELK_VERSION}`)"
    )
    if not ELK_BUNDLE.is_file():
        raise LayoutLibraryMissing(f"the explorer's layout library elkjs is missing ({ELK_BUNDLE}): {setup}")
    version = json.loads((ELK_FOLDER / "package.json").read_text(encoding="utf-8")).get("version")
    if version != ELK_VERSION:
        raise LayoutLibraryMissing(f"the explorer needs elkjs {ELK_VERSION}, found {version}: {setup}")
    return ELK_BUNDLE.read_text(encoding="utf-8")


def own_source(name: str) -> str:
    """One of the explorer's own files (its scripts, explorer.css), which ship with the package."""
    return (HERE / name).read_text(encoding="utf-8")


# The explorer's own script, in parts with one job each, joined in this order into one function scope.
SCRIPTS = ("text.js", "graph.js", "explorer.js", "drawing.js", "panel.js")


def explorer_script() -> str:
    """The explorer's script: defines `SkipgradExplorer.mount(element, model)` (needs the global ELK)."""
    parts = "\n".join(own_source(name) for name in SCRIPTS)
    return f'(function (global) {{\n  "use strict";\n{parts}}})(typeof window !== "undefined" ? window : globalThis);\n'


def model_json(model: dict) -> str:
    r"""The model as compact JSON that can sit inside a <script> element: '<' only ever appears inside
    strings, where \u003c means the same, so no name can close the element.

    >>> print(model_json({"name": ["</script>"], "data": [1.5]}))
    {"name":["\u003c/script>"],"data":[1.5]}
    """
    return json.dumps(model, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")


def html_page(model: dict, title: str = "skipgrad explorer", *, generator: str = GENERATOR) -> str:
    """The whole page: the explorer mounted on the model, full window. `generator` is the page's
    <meta name="generator"> element, which says what wrote it (render_steps writes its own)."""
    script = explorer_script()
    for text in (script, elk_source()):
        if "</script" in text.lower():  # would end the inline script early
            raise ValueError("a script to inline contains '</script'")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">{POLICY}
<title>{html.escape(title)}</title>
{generator}
<style>
html, body {{ margin: 0; height: 100%; }}
{own_source("explorer.css")}
</style></head><body>
<div class="skipgrad-explorer" id="skipgrad-explorer"></div>
<script type="application/json" id="skipgrad-graph">{model_json(model)}</script>
<script>
{elk_source()}
</script>
<script>
{script}
</script>
<script>
SkipgradExplorer.mount(
  document.getElementById("skipgrad-explorer"),
  JSON.parse(document.getElementById("skipgrad-graph").textContent),
);
</script>
</body></html>
"""
