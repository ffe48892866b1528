import os
import shutil
import sys

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
