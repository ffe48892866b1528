"""The benchmark harness runs (tiny sizes; no timing is asserted) and the README shows its latest tables."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_run_checks_gradients_and_prints_every_workload():
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for title in ("**W1:", "**W2: a chain", "**W2: the largest chain", "per op node as N grows", "**W3:", "**W4:"):
        assert title in done.stdout
    assert "| skipgrad |" in done.stdout


def test_readme_shows_the_stored_results():
    results = (ROOT / "benchmarks" / "results.md").read_text()
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- benchmark results: start -->\n", 1)[1].split("<!-- benchmark results: end -->")[0]
    assert block == results
    assert results.startswith("Benchmark run ") and "QUICK MODE" not in results
