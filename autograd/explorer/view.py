"""`explore(root)`: the graph explorer of one graph, which saves itself as one HTML file and shows itself
in Jupyter (widget.py). Imports the explorer's model and page; nothing is drawn in Python (the page lays
out and draws)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import checks
from ..naming import Names
from ..value import Value
from .model import DEFAULT_MAX_NODES, graph_model
from .page import html_page, model_json
from .widget import framed_page, in_a_kernel, note_without_anywidget, widget_class


class Explorer:
    """An interactive view of one graph: boxes that open on click, pan and zoom, a search box, the
    chain rule at any node, and backward step by step. Made by `explore(root)`.

    The graph's numbers are read when the Explorer is made, and again by `update(root)`. In Jupyter an
    Explorer that ends a cell shows itself (an anywidget widget; without anywidget, its saved page in a
    frame), and `update` redraws that output in place.
    """

    def __init__(
        self, root: Value, *, names: Names = True, optimizer: Any = None, max_nodes: int = DEFAULT_MAX_NODES
    ) -> None:
        self.model = graph_model(root, names=names, optimizer=optimizer, max_nodes=max_nodes)
        self._options: dict[str, Any] = {"names": names, "optimizer": optimizer, "max_nodes": max_nodes}
        self._widget: Any = None  # made when first shown in Jupyter
        self._frames: list[Any] = []  # without anywidget: the display handles of the frames shown

    def update(self, root: Value) -> None:
        """Read `root`'s graph again (a new step's graph, or the same one after more training), with the
        options given to `explore`; every output showing this Explorer redraws in place, keeping what is
        expanded (by name) and the zoom, and `save` writes the new graph. Returns None, so that a cell
        ending with `explorer.update(loss)` does not show the explorer once more.

        >>> from autograd import Value
        >>> x = Value(2.0, "x"); y = x * x; y.backward()
        >>> explorer = explore(y)
        >>> z = x * x * x; z.backward()
        >>> explorer.update(z)
        >>> explorer.model["data"]
        [2.0, 4.0, 8.0]
        """
        if not isinstance(root, Value):
            raise TypeError(f"Explorer.update: expected a Value (the graph's output), got {type(root).__name__}")
        self.model = graph_model(root, **self._options)
        if self._widget is not None:
            self._widget.graph = model_json(self.model)
        if self._frames:
            bundle = framed_page(self.html())
            for handle in self._frames:
                handle.update(bundle, raw=True)

    @property
    def widget(self) -> Any:
        """The anywidget widget showing this Explorer (one, made on first use), to place in a layout of
        ipywidgets; raises ImportError without anywidget."""
        if self._widget is None:
            made = widget_class()
            if made is None:
                raise ImportError("Explorer.widget needs anywidget: pip install 'skipgrad[notebooks]'")
            self._widget = made(graph=model_json(self.model))
        return self._widget

    def _ipython_display_(self) -> None:
        """Jupyter shows the widget; without anywidget, the saved page in a frame; outside a kernel, the repr."""
        from IPython.display import display

        if not in_a_kernel():
            print(repr(self))
        elif self._widget is not None or widget_class() is not None:
            display(self.widget)
        else:
            note_without_anywidget()
            self._frames.append(display(framed_page(self.html()), raw=True, display_id=True))

    @property
    def nodes(self) -> int:
        return len(self.model["name"])

    def html(self, title: str = "") -> str:
        """The self-contained page (data, the explorer and its layout library inlined)."""
        root = self.model["name"][self.model["root"]]
        return html_page(self.model, title or f"skipgrad explorer: {root}")

    def save(self, path: str | Path, *, title: str = "") -> Path:
        """Write the page to `path` (one file, no network needed to open it) and return the path.

        >>> from autograd import Value
        >>> import tempfile, os
        >>> x = Value(2.0, "x"); y = x * x; y.backward()
        >>> folder = tempfile.mkdtemp()
        >>> from autograd.explorer.page import ELK_BUNDLE
        >>> ELK_BUNDLE.is_file() and explore(y).save(os.path.join(folder, "g.html")).stat().st_size > 1e6
        True
        """
        target = Path(checks.path(path, "Explorer.save"))
        page = self.html(title)  # made before the file is opened: a failure leaves no half-written file
        target.write_text(page, encoding="utf-8")
        return target

    def __repr__(self) -> str:
        return f"Explorer({self.nodes} nodes, {len(self.model['src'])} edges)"


def explore(root: Value, *, names: Names = True, optimizer: Any = None, max_nodes: int = DEFAULT_MAX_NODES) -> Explorer:
    """The graph explorer of `root`'s graph; `.save("graph.html")` writes it as one offline HTML file.

    Args:
        names: how nodes without a label are named, as in `grad_table` (the caller's variables by
            default); the page's `data-node` attributes carry these names.
        optimizer: an optimizer over some of the graph's parameters (nn.Adam, nn.SGD): its state per
            parameter is shown in the chain-rule panel.
        max_nodes: a larger graph is refused (GraphTooLargeError) after walking only this many nodes.

    >>> from autograd import Value
    >>> a, b = Value(2.0, "a"), Value(-3.0, "b")
    >>> c = a * b; c.backward()
    >>> explore(c)
    Explorer(3 nodes, 2 edges)
    """
    return Explorer(root, names=names, optimizer=optimizer, max_nodes=max_nodes)
