import contextlib
import io
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# The tests import the checkout's packages even when another `autograd` is installed.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Locally hypothesis explores new inputs on every run; CI replays a fixed set so that it is repeatable.
settings.register_profile("default", max_examples=30, deadline=None)
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


# Pictures need the graphviz package and Graphviz's `dot` program. A test that needs them asks for one of
# these fixtures (as an argument, with @pytest.mark.usefixtures, or with request.getfixturevalue halfway
# through, after the part that needs neither); without them it is skipped with the reason.
@pytest.fixture
def graphviz():
    """The graphviz package: enough to build DOT text (draw) and to test what happens without `dot`."""
    return pytest.importorskip("graphviz")


@pytest.fixture
def dot(graphviz):
    """The graphviz package and Graphviz's `dot` program: enough to render pictures."""
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed")
    return graphviz


README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.fixture(scope="session")
def run_readme_example():
    """exec()s a README example once per session and returns what it printed and its variables."""
    done: dict[str, tuple[str, dict[str, Any]]] = {}

    def run(code: str) -> tuple[str, dict[str, Any]]:
        if code not in done:
            printed = io.StringIO()
            variables: dict[str, Any] = {}
            with contextlib.redirect_stdout(printed):
                exec(code, variables)
            done[code] = (printed.getvalue(), variables)
        return done[code]

    return run


@pytest.fixture(scope="session")
def micrograd_demo(run_readme_example):
    """The variables of the README's moons example, micrograd's demo. Its training takes seconds, so it
    runs once: test_readme checks what it prints, test_nn_training what the training reached."""
    code = next(code for code in re.findall(r"```python\n(.*?)```", README, flags=re.S) if "make_moons(" in code)
    return run_readme_example(code)[1]


def pytest_terminal_summary(terminalreporter):
    """How many calls the bad-input fuzzer made, and their time (the issue asks for the count)."""
    fuzz = sys.modules.get("tests.test_bad_input_fuzz") or sys.modules.get("test_bad_input_fuzz")
    calls = getattr(fuzz, "CALLS", None)
    if calls and calls["count"]:
        terminalreporter.write_line(
            f"bad-input fuzzer: {calls['count']:,} calls to the public API, {calls['seconds']:.1f} s inside them; "
            f"the slowest took {calls['slowest']:.3f} s ({calls.get('slowest_call')}), "
            f"the largest {calls['largest'] / 2**20:.1f} MB"
        )
