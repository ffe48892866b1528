"""`explore(root)`: the graph explorer of one graph, which saves itself as one HTML file.
Imports the explorer's model and page; nothing is drawn in Python (the page lays out and draws)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import checks
from ..naming import Names
from ..value import Value
from .model import DEFAULT_MAX_NODES, graph_model
from .page import html_page


class Explorer:
    """An interactive view of one graph: boxes that open on click, pan and zoom, a search box, the
    chain rule at any node, and backward step by step. Made by `explore(root)`.

    The graph's numbers are read when the Explorer is made (call `explore` again after more training).
    """

    def __init__(
        self, root: Value, *, names: Names = True, optimizer: Any = None, max_nodes: int = DEFAULT_MAX_NODES
    ) -> None:
        self.model = graph_model(root, names=names, optimizer=optimizer, max_nodes=max_nodes)

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
