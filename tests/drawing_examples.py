"""The graphs whose drawings are pinned by golden files and shown in docs/, with their options."""

from autograd.examples import seed_circuit
from nn.examples import residual_block_example


def seed_circuit_graph():
    nodes = seed_circuit()
    nodes["cost"].backward()
    return nodes["cost"], {"highlight": [(nodes["xy"], nodes["r"])], "legend": True}


def residual_block_graph():
    loss, _ = residual_block_example()
    return loss, {"legend": True}
