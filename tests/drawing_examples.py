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


def micrograd_api_dot(roots: dict) -> str:
    """DOT text of graphs read only through micrograd's API (`_prev`, `_op`, `data`, `grad`), as drawing
    code written for micrograd reads them: one box per graph, a record per Value and an oval per op."""
    lines = ["digraph micrograd_api {", "\trankdir=LR", "\tnode [shape=record fontname=Helvetica fontsize=11]"]
    for k, (title, root) in enumerate(roots.items()):
        lines.append(f'\tsubgraph cluster_{k} {{\n\t\tlabel="{title}" fontname=Helvetica')
        names: dict[int, str] = {}
        found, todo = [], [root]
        while todo:
            v = todo.pop()
            if id(v) not in names:
                names[id(v)] = f"v{k}_{len(names)}"
                found.append(v)
                todo.extend(v._prev)
        for v in found:
            name = names[id(v)]
            lines.append(f'\t\t{name} [label="{{ data {v.data:.4g} | grad {v.grad:.4g} }}"]')
            if v._op:
                lines += [f'\t\t{name}op [label="{v._op}" shape=ellipse]', f"\t\t{name}op -> {name}"]
                lines += sorted(f"\t\t{names[id(child)]} -> {name}op" for child in v._prev)
        lines.append("\t}")
    lines.append("}")
    return "\n".join(lines) + "\n"
