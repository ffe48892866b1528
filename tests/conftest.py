import os
import sys

from hypothesis import settings

# The tests import the checkout's packages even when another `autograd` is installed.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Locally hypothesis explores new inputs on every run; CI replays a fixed set so that it is repeatable.
settings.register_profile("default", max_examples=30, deadline=None)
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")
