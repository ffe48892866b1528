"""The graph explorer: any graph, live, zoomable, collapsible, steppable, in one HTML file.
See autograd/explorer/view.py (Explorer), model.py (the graph's data) and page.py (the HTML file).
"""

from .view import Explorer, explore

__all__ = ["Explorer", "explore"]
