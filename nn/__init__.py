"""skipgrad's neural-network modules built on autograd.Value."""
