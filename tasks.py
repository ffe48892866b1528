#!/usr/bin/env python3
"""Set-up and the project's jobs in one file that needs nothing but Python 3.10+.

    python3 tasks.py demo     make .venv, install skipgrad and Graphviz, run the demo
    python3 tasks.py test     the same set-up plus test tools and torch==2.13.0, then lint and every test
                              (notebooks included) on this Python; prints the 10 slowest tests
    python3 tasks.py test --all-pythons   the same, then every test again, without torch, on each other
                              Python 3.10+ found here (what CI runs)
    python3 tasks.py lint     ruff check, ruff format --check and mypy: any finding fails
    python3 tasks.py build    compile the engine with mypyc (demo, test, gpt, bench and the notebooks do it too)
    python3 tasks.py gpt      train microgpt's GPT on names and sample some (options: --steps 1000 ...)
    python3 tasks.py bench    the benchmark against micrograd and PyTorch (updates the README's table)
    python3 tasks.py notebooks  open the notebooks in JupyterLab
    python3 tasks.py refresh-notebooks [04 08 ...]  run the notebooks and store their outputs (all, or these)

Each job installs what it needs and skips what is already there, so running it again is quick.
Set SKIPGRAD_NO_TORCH=1 to test without PyTorch (its reference checks are then skipped).
The engine is compiled with mypyc when a C compiler and Python's headers are here, else it runs as pure
Python, which is said in one line; SKIPGRAD_PURE=1 runs pure Python without compiling.
With --all-pythons, the other Pythons are found in pyenv (its versions/ folder, so no version needs
selecting) or on PATH (Debian/Ubuntu, Homebrew); each gets its own .venv-3.X.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
MINORS = range(10, 15)  # the Pythons 3.X that skipgrad supports and `test` looks for (and any newer it finds)

EXTRAS = {
    "demo": ["viz", "progress", "compile"],
    "test": ["viz", "plot", "progress", "notebooks", "test", "lint", "torch", "compile"],
    "notebooks": ["notebooks", "lab", "compile"],
    "refresh-notebooks": ["viz", "plot", "progress", "notebooks", "torch", "compile"],
    "bench": ["bench", "torch", "compile"],
    "lint": ["lint"],
    "gpt": ["progress", "compile"],
    "build": ["compile"],
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
    if job in ("test", "notebooks", "refresh-notebooks", "bench"):  # the demo draws with dot alone
        ensure_elkjs()
    if job != "lint":
        ensure_compiled()
    return JOBS[job](rest)


def demo(args: list[str]) -> int:
    return run([str(PYTHON), "-m", "autograd", "demo", *args])


def test(args: list[str]) -> int:
    """Lint, then every test on this Python, in each build of the engine (compiled, then pure Python);
    with --all-pythons, every test again, without torch, on each other Python 3.10+ found here, compiled
    there too. Other arguments go to pytest."""
    all_pythons = "--all-pythons" in args
    args = [arg for arg in args if arg != "--all-pythons"]
    linted = lint([])  # first, so its findings are not lost above the test output; fails the job at the end
    torch = "without" if os.environ.get("SKIPGRAD_NO_TORCH") == "1" else "with"
    compiled = ensure_compiled()  # main() built it; this only reads that it is current
    version = platform.python_version()
    lines, status = [], 0
    for build in ("compiled", "pure Python") if compiled else ("pure Python",):
        say(f"Python {version} (this one, {torch} PyTorch): every test, the engine {build}")
        code, summary = pytest_on(PYTHON, ["--durations=10", *args], build_env(build))
        lines.append(f"Python {version} (this one, {torch} PyTorch), the engine {build}: {summary}")
        status = status or code
    if all_pythons:
        others, more = run_other_pythons(args)
        lines += more
        status = status or others
    say("the tests on each Python:\n" + "\n".join(f"[tasks]   {line}" for line in lines))
    return status or linted


def build_env(build: str) -> dict[str, str]:
    """The environment of a test run in one build: tests/test_compiled.py fails a compiled run whose
    engine silently runs as pure Python."""
    if build == "compiled":
        return {"SKIPGRAD_EXPECT_COMPILED": "1"}
    return {"SKIPGRAD_PURE": "1"}


def pytest_on(python: Path, args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run the suite with `python` (a venv's), showing its output; return its status and pytest's summary."""
    # tests/test_notebooks.py runs every notebook and compares it with its stored outputs. Unbuffered, so
    # that plugins' prints come out in order and pytest's summary is its last line.
    color = ["--color=yes"] if sys.stdout.isatty() else []
    cmd = [str(python), "-m", "pytest", *color, *args]
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(os.environ, PYTHONUNBUFFERED="1", **(env or {})),
    )
    summary = "pytest printed no summary"
    assert proc.stdout is not None
    for raw in proc.stdout:
        sys.stdout.buffer.write(raw)
        sys.stdout.flush()
        line = re.sub(r"\x1b\[[0-9;]*m", "", raw.decode(errors="replace")).strip(" =\n")
        if re.search(r"\d+ (passed|failed|errors?|skipped)|no tests ran", line):
            summary = re.sub(r" in [\d.]+s\b.*", "", line)
    code = proc.wait()
    return code, f"{summary}{'' if code == 0 else f' (pytest status {code})'} in {time.monotonic() - started:.0f} s"


def run_other_pythons(args: list[str]) -> tuple[int, list[str]]:
    """The suite without torch on each other Python 3.10+ here, in .venv-3.X; one line for each version."""
    extras = [e for e in EXTRAS["test"] if e not in ("lint", "torch")]  # lint runs once, above
    pythons = find_pythons()
    status, lines = 0, []
    for minor in sorted(set(MINORS) | set(pythons)):
        if minor == sys.version_info.minor:
            continue
        found = pythons.get(minor)
        if found is None:
            lines.append(f"Python 3.{minor}: not found, skipped")
            say(lines[-1])
            continue
        exe, version = found
        venv = ROOT / f".venv-3.{minor}"
        ensure_venv(exe, venv)
        install(extras, venv)
        build = "compiled" if ensure_compiled(venv) else "pure Python"
        say(f"Python {version} ({exe}): every test, without PyTorch, the engine {build}")
        # The `slow` marker's rule (tests/slow_marker.py) is checked once, on this Python: an older one is slower.
        code, summary = pytest_on(venv_python(venv), ["-p", "no:tests.slow_marker", *args], build_env(build))
        lines.append(f"Python {version}, the engine {build}: {summary}")
        say(lines[-1])
        status = status or code
    return status, lines


def find_pythons() -> dict[int, tuple[str, str]]:
    """{minor: (interpreter, version)} for the Pythons 3.10+ that run here, besides pyenv's shims.

    pyenv's python3.X shims refuse to run a version that is not selected, so pyenv's own folders come
    first; then each python3.X on PATH, /usr/bin (Debian, Ubuntu) and Homebrew's bin, that really runs."""
    candidates: list[Path] = []
    root = os.environ.get("PYENV_ROOT")
    if not root and shutil.which("pyenv"):
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip()
    if not root and (Path.home() / ".pyenv").is_dir():  # installed, but not set up in this shell
        root = str(Path.home() / ".pyenv")
    if root:
        patch = re.compile(r"3\.(\d+)\.(\d+)")  # CPython releases only: not 3.13.0t, 3.14-dev or pypy3.10
        names = [(m, p.name) for p in Path(root, "versions").glob("3.*") if (m := patch.fullmatch(p.name))]
        for m, name in sorted(names, key=lambda found: (int(found[0][1]), int(found[0][2])), reverse=True):
            candidates.append(Path(root, "versions", name, "bin", f"python3.{m[1]}"))
    dirs = [*os.environ.get("PATH", "").split(os.pathsep), "/usr/bin", "/opt/homebrew/bin", "/usr/local/bin"]
    for folder in dict.fromkeys(d for d in dirs if d):
        candidates += sorted(Path(folder).glob("python3.[0-9]*"), reverse=True)
    found: dict[int, tuple[str, str]] = {}
    for exe in candidates:
        minor = re.fullmatch(r"python3\.(\d+)", exe.name)
        if not minor or int(minor[1]) < MINORS[0] or int(minor[1]) in found or not os.access(exe, os.X_OK):
            continue
        try:
            ran = subprocess.run(
                [str(exe), "-c", "import platform; print(platform.python_version())"],
                capture_output=True,
                text=True,
                timeout=60,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        version = ran.stdout.strip()
        if ran.returncode == 0 and version.startswith(f"3.{minor[1]}."):
            found[int(minor[1])] = (str(exe), version)
    return found


LINTED = ["autograd", "nn", "tests", "benchmarks", "tasks.py", "conftest.py"]


def build(args: list[str]) -> int:
    return 0  # main() has compiled the engine (or said why not)


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
    "build": build,
    "gpt": gpt,
    "bench": bench,
    "notebooks": notebooks,
    "refresh-notebooks": refresh_notebooks,
}


# ---------------------------------------------------------------------------- set-up steps
def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv(python: str = sys.executable, venv: Path = VENV) -> None:
    if venv_python(venv).exists():
        return
    say(f"creating a virtual environment in {venv}")
    made = subprocess.run([python, "-m", "venv", str(venv)], capture_output=True, text=True)
    if made.returncode != 0:
        # Debian and Ubuntu ship venv's pip bootstrap as a separate package.
        shutil.rmtree(venv, ignore_errors=True)
        minor = subprocess.run([python, "-c", "import sys; print(sys.version_info[1])"], capture_output=True, text=True)
        packages = ["python3-venv", f"python3.{minor.stdout.strip()}-venv"]
        install_system_packages(packages, why=f"the venv module (ensurepip) of {python}")
        run_or_exit([python, "-m", "venv", str(venv)])


def install(extras: list[str], venv: Path = VENV) -> None:
    """pip install -e .[extras] unless an earlier job already installed these extras (or more) from the
    same setup.cfg and pyproject.toml. Each install keeps what the venv had: it asks for the union."""
    digest = hashlib.sha256(b"".join((ROOT / name).read_bytes() for name in ("setup.cfg", "pyproject.toml")))
    stamp = venv / ".skipgrad-installed"  # first line: the digest; then one installed extra per line
    lines = stamp.read_text().split() if stamp.exists() else []
    had = set(lines[1:]) if lines[:1] == [digest.hexdigest()] else set()
    if set(extras) <= had:
        return
    wanted = sorted(had | set(extras))
    say(f"installing skipgrad with extras {', '.join(wanted)} into {venv.name}")
    run_or_exit([str(venv_python(venv)), "-m", "pip", "install", "--quiet", "-e", f".[{','.join(wanted)}]"], cwd=ROOT)
    stamp.write_text("\n".join([digest.hexdigest(), *wanted]) + "\n")


# Runs in the venv's Python: autograd/compiling.py, loaded from its file (the engine itself is not
# imported, since the build replaces its compiled files), says if the build is current, else builds it.
COMPILE = """
import importlib.util, sys
from pathlib import Path
spec = importlib.util.spec_from_file_location("skipgrad_compiling", sys.argv[1])
compiling = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compiling)
print("up to date" if compiling.choose({})[0] else compiling.build(Path(sys.argv[2])) or "built")
"""


def ensure_compiled(venv: Path = VENV) -> bool:
    """Compile the engine with mypyc for this venv's Python, unless it is compiled from the current
    sources already; one line says what happened. Returns whether the compiled engine will run."""
    if os.environ.get("SKIPGRAD_PURE") == "1":
        say("SKIPGRAD_PURE=1: the engine runs as pure Python (not compiled)")
        return False
    started = time.monotonic()
    log = ROOT / "build" / f"compile-{venv.name}.log"
    done = subprocess.run(
        [str(venv_python(venv)), "-c", COMPILE, str(ROOT / "autograd" / "compiling.py"), str(log)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    outcome = done.stdout.strip().splitlines()[-1] if done.returncode == 0 and done.stdout.strip() else ""
    if outcome == "up to date":
        return True
    if outcome == "built":
        say(f"compiled the engine with mypyc in {time.monotonic() - started:.0f} s ({venv.name})")
        return True
    reason = outcome or (done.stderr.strip().splitlines() or ["no output"])[-1]
    say(f"the engine runs as pure Python, not compiled: {reason}")
    return False


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


ELKJS = "elkjs@0.12.1"  # the explorer's layout library, embedded in the pages it saves (autograd/explorer/page.py)
ELK_FOLDER = ROOT / "autograd" / "explorer" / "vendor"  # git-ignored: third-party code is not committed


def ensure_elkjs() -> None:
    """The graph explorer lays out graphs with elkjs, installed pinned from npm's registry (npm with apt
    when it is missing, as Graphviz is); without it the explorer cannot save a page and its tests skip."""
    name, version = ELKJS.split("@")
    package = ELK_FOLDER / "node_modules" / name / "package.json"
    if package.exists() and f'"version": "{version}"' in package.read_text(encoding="utf-8"):
        return
    if not shutil.which("npm"):
        install_system_packages(["npm"], why="npm, which installs the explorer's layout library", required=False)
    if not shutil.which("npm"):
        say(f"npm is missing, so the explorer cannot save pages without {ELKJS}: sudo apt-get install npm")
        return
    say(f"installing {ELKJS} into {ELK_FOLDER.relative_to(ROOT)}")
    ELK_FOLDER.mkdir(parents=True, exist_ok=True)
    flags = ["--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error"]
    run_or_exit(["npm", "install", "--prefix", str(ELK_FOLDER), *flags, ELKJS])


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
