"""The import packages are skipgrad's own, not HIPS autograd's or anyone else's, and need no optional package."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_installed_packages_are_ours(tmp_path):
    """Outside the checkout (no conftest putting it on sys.path), the installed `autograd` and `nn` are
    this project's: not HIPS autograd or any other package of that name."""
    script = "import autograd, nn; print(autograd.grad_table.__module__, nn.GPT.__module__)"
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True)
    if "No module named 'autograd'" in done.stderr:
        pytest.skip("skipgrad is not installed in this Python (pip install -e .)")
    assert done.stdout.split() == ["autograd.report", "nn.transformer"], done.stderr


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


@pytest.mark.slow
def test_the_slow_marker_rule_fails_a_run_with_a_slow_unmarked_test(tmp_path):
    """tests/slow_marker.py: an unmarked test that spends 0.2 s of CPU fails the run, naming it; marked, it passes."""
    (tmp_path / "test_busy.py").write_text(
        "import time\n"
        "import pytest\n\n"
        "def busy():\n"
        "    end = time.process_time() + 0.3\n"
        "    while time.process_time() < end:\n"
        "        pass\n\n"
        "def test_quick():\n    pass\n\n"
        "@pytest.mark.slow\ndef test_marked():\n    busy()\n\n"
        "def test_unmarked():\n    busy()\n"
    )
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "tests.slow_marker",
        "-W",
        "ignore",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ran = subprocess.run([*command, "test_busy.py"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert ran.returncode == 1 and "3 passed" in ran.stdout
    assert "not marked slow, but spent 0.3" in ran.stdout and "test_busy.py::test_unmarked" in ran.stdout
    ran = subprocess.run(
        [*command, "test_busy.py", "-k", "not unmarked"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert ran.returncode == 0 and "not marked slow" not in ran.stdout
    blocked = [*command, "-p", "no:tests.slow_marker", "test_busy.py"]  # what --all-pythons does on the other Pythons
    assert subprocess.run(blocked, cwd=tmp_path, capture_output=True, text=True, env=env).returncode == 0
