"""Every example in the README runs and prints exactly what the README shows."""

import re
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_readme_opens_with_the_two_commands():
    first = blocks("sh")[0].splitlines()
    assert first[0].startswith("python3 tasks.py demo")
    assert first[1].startswith("python3 tasks.py test")
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert ci.strip().splitlines()[-1] == "python3 tasks.py test --all-pythons"  # the README's, on every Python
    assert "`python3 tasks.py test --all-pythons`" in README


def examples():
    """(code, what the README says it prints) for every python block followed by 'prints'."""
    return re.findall(r"```python\n(.*?)```\n\n(?:prints[^\n]*\n)\n```\n(.*?)```", README, flags=re.S)


# The examples that train or build deep networks take seconds each.
SLOW = ("make_moons(", "compare_gradient_flow(", "compare_norms(")


def marked_examples():
    return [
        pytest.param(code, shown, marks=pytest.mark.slow) if any(s in code for s in SLOW) else (code, shown)
        for code, shown in examples()
    ]


@pytest.mark.parametrize("code, shown", marked_examples())
def test_examples_print_what_the_readme_shows(code, shown, run_readme_example):
    printed, _ = run_readme_example(code)  # once per session: test_nn_training reads the moons example's variables
    assert printed == shown


def test_every_python_block_is_checked():
    assert len(examples()) == len(blocks("python"))


def test_demo_prints_the_readme_table(capsys):
    from autograd.cli import main

    main(["demo", "--no-render"])
    assert examples()[0][1] in capsys.readouterr().out


def test_the_readme_and_notebook_08_show_one_pre_and_post_norm_experiment():
    """Both call compare_norms with its defaults; the README's numbers are the ones notebook 08 shows."""
    import json

    notebook = json.loads(
        (Path(__file__).resolve().parents[1] / "notebooks" / "08_residual_stream_of_a_gpt.ipynb").read_text()
    )
    shown = "".join("".join(output.get("text", "")) for cell in notebook["cells"] for output in cell.get("outputs", []))
    for norm in ("post", "pre"):
        readme = re.search(rf"{norm}-norm: ([\d. ]+?)   last four / first four ([\d.]+)", README)
        stored = re.search(
            rf"{norm}-norm, \|dL/dW\| of mlp.fc2, block 0..7: \[(.*?)\]   last half / first half ([\d.]+)", shown
        )
        assert readme and stored
        assert [float(g) for g in readme[1].split()] == [float(g) for g in stored[1].split(",")]
        assert readme[2] == stored[2]
