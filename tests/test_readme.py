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
    assert ci.strip().splitlines()[-1] == "python3 tasks.py test"


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
