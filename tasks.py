#!/usr/bin/env python3
"""Set-up and the project's jobs in one file that needs nothing but Python 3.10+.

    python3 tasks.py demo     make .venv, install skipgrad and Graphviz, run the demo
    python3 tasks.py test     the same set-up plus test tools and torch==2.13.0, then lint and every test
    python3 tasks.py lint     ruff check, ruff format --check and mypy: any finding fails
    python3 tasks.py gpt      train microgpt's GPT on names and sample some (options: --steps 1000 ...)
    python3 tasks.py bench    the benchmark against micrograd and PyTorch (updates the README's table)
    python3 tasks.py notebooks  open the notebooks in JupyterLab
    python3 tasks.py refresh-notebooks [04 08 ...]  run the notebooks and store their outputs (all, or these)

Each job installs what it needs and skips what is already there, so running it again is quick.
Set SKIPGRAD_NO_TORCH=1 to test without PyTorch (its reference checks are then skipped).
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

EXTRAS = {
    "demo": ["viz", "progress"],
    "test": ["viz", "plot", "progress", "notebooks", "test", "lint", "torch"],
    "notebooks": ["notebooks", "lab"],
    "refresh-notebooks": ["viz", "plot", "progress", "notebooks", "torch"],
    "bench": ["bench", "torch"],
    "lint": ["lint"],
    "gpt": ["progress"],
}


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 10):
        return fail(f"skipgrad needs Python 3.10 or newer; this is {platform.python_version()}")
    if not argv or argv[0] not in JOBS:
        print(__doc__)
        return 2
    job, rest = argv[0], argv[1:]
    ensure_venv()
    extras = EXTRAS[job]
    if os.environ.get("SKIPGRAD_NO_TORCH") == "1":
        extras = [e for e in extras if e != "torch"]
    install(extras)
    if job in ("demo", "test", "notebooks", "refresh-notebooks"):
        ensure_graphviz()
    return JOBS[job](rest)


def demo(args: list[str]) -> int:
    return run([str(PYTHON), "-m", "autograd", "demo", *args])


def test(args: list[str]) -> int:
    linted = lint([])  # first, so its findings are not lost above the test output; fails the job at the end
    # tests/test_notebooks.py runs every notebook and compares it with its stored outputs. Unbuffered, so
    # that plugins' prints come out in order and pytest's summary is the last line.
    tested = run([str(PYTHON), "-m", "pytest", *args], env=dict(os.environ, PYTHONUNBUFFERED="1"))
    return tested or linted


LINTED = ["autograd", "nn", "tests", "benchmarks", "tasks.py", "conftest.py"]


def lint(args: list[str]) -> int:
    """Every check runs (so one run shows all findings); the job fails if any of them found something."""
    checks = [
        [str(PYTHON), "-m", "ruff", "check", *LINTED],
        [str(PYTHON), "-m", "ruff", "format", "--check", *LINTED],
        [str(PYTHON), "-m", "mypy"],  # files and strictness: [tool.mypy] in pyproject.toml
    ]
    failed = [" ".join(cmd[2:4]) for cmd in checks if run(cmd, cwd=ROOT) != 0]
    if failed:
        return fail(f"lint found problems ({', '.join(failed)}); `ruff format {' '.join(LINTED)}` fixes formatting")
    say("lint: clean")
    return 0


def gpt(args: list[str]) -> int:
    return run([str(PYTHON), "-m", "nn.names_gpt", *args])


def bench(args: list[str]) -> int:
    return run([str(PYTHON), "-m", "benchmarks", "--write", *args])


def notebooks(args: list[str]) -> int:
    return run([str(BIN / "jupyter"), "lab", str(ROOT / "notebooks"), *args])


def refresh_notebooks(args: list[str]) -> int:
    return run([str(PYTHON), str(ROOT / "tests" / "notebook_outputs.py"), *args])


JOBS = {
    "demo": demo,
    "test": test,
    "lint": lint,
    "gpt": gpt,
    "bench": bench,
    "notebooks": notebooks,
    "refresh-notebooks": refresh_notebooks,
}


# ---------------------------------------------------------------------------- set-up steps
def ensure_venv() -> None:
    if PYTHON.exists():
        return
    say(f"creating a virtual environment in {VENV}")
    made = subprocess.run([sys.executable, "-m", "venv", str(VENV)], capture_output=True, text=True)
    if made.returncode != 0:
        # Debian and Ubuntu ship venv's pip bootstrap as a separate package.
        shutil.rmtree(VENV, ignore_errors=True)
        minor = f"python3.{sys.version_info.minor}-venv"
        install_system_packages(["python3-venv", minor], why="Python's venv module (ensurepip)")
        run_or_exit([sys.executable, "-m", "venv", str(VENV)])


def install(extras: list[str]) -> None:
    """pip install -e .[extras] unless the same request was already installed."""
    spec = f".[{','.join(extras)}]"
    digest = hashlib.sha256(spec.encode())
    for name in ("setup.cfg", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    stamp = VENV / f".installed-{'-'.join(extras)}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    say(f"installing skipgrad with extras {', '.join(extras)}")
    run_or_exit([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", spec], cwd=ROOT)
    stamp.write_text(digest.hexdigest())


def ensure_graphviz() -> None:
    """The `dot` program draws graphs; `pip install graphviz` brings only the Python bindings."""
    if shutil.which("dot"):
        return
    if sys.platform == "darwin" and shutil.which("brew"):
        say("installing Graphviz with Homebrew")
        if run(["brew", "install", "graphviz"]) == 0:
            return
    elif shutil.which("apt-get"):
        install_system_packages(["graphviz"], why="the Graphviz `dot` program", required=False)
        if shutil.which("dot"):
            return
    say(
        "Graphviz's `dot` is missing, so pictures cannot be rendered (tests that need it are skipped).\n"
        "  Debian/Ubuntu: sudo apt-get install graphviz    macOS: brew install graphviz\n"
        "  Other systems: https://graphviz.org/download/"
    )


def install_system_packages(packages: list[str], why: str, required: bool = True) -> None:
    prefix: list[str] = []
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        if not shutil.which("sudo"):
            return give_up(f"{why} needs: sudo apt-get install {' '.join(packages)}", required)
        prefix = ["sudo"]
    if not shutil.which("apt-get"):
        return give_up(f"{why} is missing; install {' '.join(packages)} with your system's package manager", required)
    say(f"installing {' '.join(packages)} for {why}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    quiet = {"env": env, "stdout": subprocess.DEVNULL}
    run([*prefix, "apt-get", "update", "-qq"], **quiet)
    # One by one: python3.X-venv does not exist on every release.
    for package in packages:
        if run([*prefix, "apt-get", "install", "-y", "-qq", package], **quiet) != 0:
            say(f"apt-get could not install {package}")


def give_up(message: str, required: bool) -> None:
    """Stop when the step is required; otherwise say what to do by hand and go on."""
    if required:
        sys.exit(fail(message))
    say(message)


# ---------------------------------------------------------------------------- helpers
def run(cmd: list[str], **kwargs) -> int:
    return subprocess.run(cmd, **kwargs).returncode


def run_or_exit(cmd: list[str], **kwargs) -> None:
    code = run(cmd, **kwargs)
    if code != 0:
        sys.exit(fail(f"command failed with status {code}: {' '.join(cmd)}"))


def say(message: str) -> None:
    print(f"[tasks] {message}", flush=True)


def fail(message: str) -> int:
    print(f"[tasks] error: {message}", file=sys.stderr, flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
