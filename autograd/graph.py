"""The graph walk lives beside the node layout it reads, in value.py; this name stays importable."""

from .value import topological_order

__all__ = ["topological_order"]
