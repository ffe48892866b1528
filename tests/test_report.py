"""Per-node gradient tables."""

from autograd import Value, grad_table, print_grads
from autograd.examples import seed_circuit


def test_unlabelled_nodes_are_named_by_op_and_stable_index():
    a = Value(2.0)
    out = (3.0 - a) * a
    out.backward()
    lines = grad_table(out, names=False).splitlines()  # without the variable names (a, out)
    assert len(lines) == 2 + 3
    assert lines[2].split() == ["leaf#0", "2", "-1"]
    assert lines[3].split() == ["-#1", "-", "3,", "leaf#0", "1", "2"]  # left constant shown first
    assert lines[4].split() == ["*#2", "*", "-#1,", "leaf#0", "2", "1"]


def test_long_input_lists_are_shortened():
    from autograd import sum_of

    xs = [Value(float(i), f"input{i}") for i in range(20)]
    s = sum_of(xs)
    row = grad_table(s).splitlines()[-1]
    assert "..." in row and len(row) < 80


def test_print_grads_prints_the_table(capsys):
    nodes = seed_circuit()
    nodes["cost"].backward()
    print_grads(nodes["cost"])
    assert capsys.readouterr().out == grad_table(nodes["cost"]) + "\n"
