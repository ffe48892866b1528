import os
import sys

from hypothesis import settings

# The tests import the checkout's packages even when another `autograd` is installed.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

settings.register_profile("default", max_examples=30, deadline=None)
settings.load_profile("default")
