"""The import packages are skipgrad's own, not HIPS autograd's or anyone else's, and need no optional package."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

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


# The packages that setup.cfg's extras bring, by the names they are imported as.
OPTIONAL = ["graphviz", "PIL", "matplotlib", "tqdm", "numpy", "torch", "micrograd", "IPython", "ipywidgets"]


@pytest.mark.slow
def test_only_the_modules_the_root_conftest_lists_need_an_optional_package_to_import():
    """Plain `pytest` imports every module for its doctests; the root conftest.py skips those it lists
    when their package is missing. Every other module must import with no optional package at all."""
    conftest = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    assert conftest is not None and conftest.loader is not None
    listed = importlib.util.module_from_spec(conftest)
    conftest.loader.exec_module(listed)
    modules = sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for package in ("autograd", "nn")
        for path in (ROOT / package).glob("*.py")
        if path.name != "__main__.py"
    )
    script = (
        "import importlib, json, sys\n"
        f"for name in {OPTIONAL!r}:\n"
        "    sys.modules[name] = None  # import fails as if not installed\n"
        "failed = {}\n"
        f"for module in {modules!r}:\n"
        "    try:\n"
        "        importlib.import_module(module)\n"
        "    except ModuleNotFoundError as missing:\n"
        "        failed[module.replace('.', '/') + '.py'] = missing.name\n"
        "print(json.dumps(failed))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == listed.NEEDS
