"""The explorer inside Jupyter (JupyterLab, Notebook 7, VS Code): an anywidget widget whose ES module is
the page's own script with elkjs inlined (no network), and whose synced `graph` trait holds the model.
anywidget is optional and imported only here, lazily; without it the Explorer shows its saved page.
"""

from __future__ import annotations

import functools
import html
import sys
from typing import Any

from .page import elk_source, explorer_script, own_source

HEIGHT = 620  # pixels: the explorer's height in an output (the saved page fills the window instead)

# elkjs's bundle picks how to export itself (CommonJS, AMD, else a global ELK); inside the block these
# names are undefined, so that it always makes the global `ELK` that the explorer's script reads, even
# on a page that defines an AMD `define`.
ELK_IN_A_MODULE = "{{\nconst define = undefined, module = undefined, exports = undefined;\n{elk}\n}}\n"

# anywidget calls render once per view of the widget (an output shown twice is two views). Each view
# mounts its own explorer and follows the `graph` trait: a new graph keeps what that view has expanded
# and its zoom. Graphs that arrive faster than they are laid out (a quick training loop) are drawn one
# after another, and those that a newer one overtook while waiting are skipped: the last is always drawn.
# Returns the clean-up that anywidget calls when the view goes away.
RENDER = """
function render({ model, el }) {
  const holder = document.createElement("div");
  holder.style.height = "%dpx";
  holder.style.border = "1px solid #e5e7eb";
  el.append(holder);
  const explorer = globalThis.SkipgradExplorer.mount(holder, JSON.parse(model.get("graph")));
  let drawn = explorer.ready; // settles when the layout before it is drawn (a failed one says so itself)
  let waiting = false; // an update is queued; it reads the graph when it starts, so it draws the latest
  const changed = () => {
    if (waiting) return;
    waiting = true;
    drawn = drawn.then(() => {
      waiting = false;
      return explorer.update(JSON.parse(model.get("graph")));
    });
  };
  model.on("change:graph", changed);
  return () => {
    model.off("change:graph", changed);
    explorer.stopPlaying();
  };
}
export default { render };
"""


def widget_module() -> str:
    """The widget's ES module: elkjs, the explorer's script, and `render` (raises LayoutLibraryMissing
    without elkjs)."""
    return ELK_IN_A_MODULE.format(elk=elk_source()) + explorer_script() + RENDER % HEIGHT


@functools.cache
def widget_class() -> Any:
    """The anywidget class (made once: its module is 1.7 MB of text); None without anywidget."""
    try:
        import anywidget
        import traitlets
    except ImportError:
        return None

    class ExplorerWidget(anywidget.AnyWidget):
        """The explorer of one graph; setting `graph` (the model as JSON) redraws every view in place."""

        _esm = widget_module()
        _css = own_source("explorer.css")
        graph = traitlets.Unicode("").tag(sync=True)

        def __repr__(self) -> str:  # what a front end without widgets shows
            return "ExplorerWidget (the skipgrad graph explorer: needs a Jupyter front end with widgets)"

    return ExplorerWidget


_noted_without_anywidget = False


def note_without_anywidget() -> None:
    """Say once that the explorer shows as a saved page in a frame, and what that costs."""
    global _noted_without_anywidget
    if not _noted_without_anywidget:
        _noted_without_anywidget = True
        print(
            "explore: anywidget is not installed (pip install 'skipgrad[notebooks]'), so the explorer shows "
            "as its saved page in a frame; update() redraws that frame, closing what was expanded",
            file=sys.stderr,
        )


def framed_page(page: str) -> dict[str, str]:
    """A display bundle showing the saved page in an iframe (its whole text in `srcdoc`)."""
    frame = (
        f'<iframe srcdoc="{html.escape(page, quote=True)}" title="skipgrad explorer" '
        f'style="width: 100%; height: {HEIGHT}px; border: 1px solid #e5e7eb"></iframe>'
    )
    return {"text/html": frame}


def in_a_kernel() -> bool:
    """True inside a Jupyter kernel (JupyterLab, Notebook, VS Code and Colab all run ipykernel, whose
    shell has a `kernel`), where outputs can show HTML and widgets; False in a terminal IPython or plain
    Python."""
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return getattr(shell, "kernel", None) is not None
