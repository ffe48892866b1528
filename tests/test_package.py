"""The import packages are skipgrad's own, not HIPS autograd's or anyone else's."""

from pathlib import Path

import autograd
import nn

ROOT = Path(__file__).resolve().parents[1]


def test_autograd_is_ours():
    assert Path(autograd.__file__).resolve() == ROOT / "autograd" / "__init__.py"
    assert hasattr(autograd, "grad_table") and hasattr(autograd.Value, "local_grads")


def test_nn_is_ours():
    assert Path(nn.__file__).resolve() == ROOT / "nn" / "__init__.py"


def test_distribution_is_not_named_autograd():
    text = (ROOT / "setup.cfg").read_text()
    assert "\nname = skipgrad\n" in text
