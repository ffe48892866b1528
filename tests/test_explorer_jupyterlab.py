"""The explorer as a widget in a real JupyterLab: a server on 127.0.0.1 (a free port, a token, no
browser, settings in a temporary folder), notebook 11 (a copy, outputs cleared) opened in headless
Chromium (the system's, never a download) through Playwright, its cells run from the keyboard. The
widget draws its graph in the output, `update` during training redraws the same output with the new
numbers (no output is added), and the GPT's explorer finds the residual addition the notebook names.
The server and its kernels are stopped at the end, whatever happens."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from autograd.explorer.page import ELK_BUNDLE

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "11_explore_the_graph.ipynb"
CHROMIUM = Path("/usr/bin/chromium")
MISSING = [
    name for name in ("playwright", "jupyterlab", "anywidget", "nbformat") if importlib.util.find_spec(name) is None
]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)}: pip install -e '.[test,notebooks]'"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs the system's Chromium at {CHROMIUM} (never downloaded)"),
    pytest.mark.skipif(not ELK_BUNDLE.is_file(), reason="elkjs is not installed: run python3 tasks.py test"),
]
# JupyterLab's settings for this server only: every cell kept in the page (no virtual scrolling, so that
# the outputs of cells out of view can be read), and no announcements asked for.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}
SECONDS = 120  # the longest wait for one group of cells (the notebook takes about 15 s)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Lab:
    """`jupyter lab` serving `folder`, started in its own process group so that stopping it stops its
    kernels too."""

    def __init__(self, folder: Path) -> None:
        self.port, self.token = free_port(), secrets.token_hex(16)
        settings = folder / ".settings"
        for name, values in SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
            JUPYTER_CONFIG_DIR=str(folder / ".config"),
            JUPYTER_RUNTIME_DIR=str(folder / ".runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(folder / ".workspaces"),
            IPYTHONDIR=str(folder / ".ipython"),
        )
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={folder}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",  # it would otherwise ask a package index for extensions
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # a container's root: the server refuses without this
            command.append("--allow-root")
        self.log = (folder / ".lab.log").open("w")
        self.process = subprocess.Popen(
            command, cwd=folder, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self._wait_until_serving(folder)

    def _wait_until_serving(self, folder: Path) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                pytest.fail(f"jupyter lab exited ({self.process.returncode}):\n{(folder / '.lab.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        pytest.fail(f"jupyter lab did not answer within 60 s:\n{(folder / '.lab.log').read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the server and its kernels: this group only
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        self.log.close()


@pytest.fixture
def lab(tmp_path):
    import nbformat

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(notebook, tmp_path / NOTEBOOK.name)
    server = Lab(tmp_path)
    try:
        yield server
    finally:
        server.stop()


class Notebook:
    """The notebook open in JupyterLab: its cells, run one after another from the keyboard."""

    def __init__(self, page) -> None:
        self.page, self.ran = page, 0
        self.cells = page.locator(".jp-Notebook .jp-Cell")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        # the kernel has started and answered (cells run before that are not run at all)
        page.get_by_text(re.compile(r"\(ipykernel\) \| Idle")).wait_for(timeout=60_000)
        self.cells.first.click()
        page.keyboard.press("Escape")  # command mode: shift+enter runs the cell and selects the next

    def run_through(self, last: int) -> None:
        """Run the cells up to and including cell `last` (counting from 0), and wait until they ran."""
        while self.ran <= last:
            self.page.keyboard.press("Shift+Enter")
            self.ran += 1
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            errors = self.page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            failed = [text for text in errors.all_inner_texts() if "Error" in text]
            assert not failed, f"a cell failed:\n{failed[0]}"
            prompt = self.cells.nth(last).locator(".jp-InputArea-prompt").inner_text()
            if re.fullmatch(r"\[\d+\]:", prompt.strip()):  # "[*]:" while it runs or waits
                return
            self.page.wait_for_timeout(200)
        pytest.fail(f"cell {last} did not finish within {SECONDS} s")

    def drawn(self, cell: int) -> list[list[str]]:
        """The lines of text of every node that the explorers in this cell's output draw."""
        script = "area => [...area.querySelectorAll('[data-node]')].map(n => [...n.querySelectorAll('text')]"
        script += ".map(t => t.textContent))"
        return self.cells.nth(cell).locator(".jp-OutputArea").evaluate(script)


def code_cells(kind: str) -> list[int]:
    """The positions of notebook 11's cells (among all its cells): the 'code' ones, or 'any'."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return [i for i, cell in enumerate(cells) if kind == "any" or cell["cell_type"] == kind]


def test_notebook_11_shows_the_explorer_and_update_redraws_it_in_place(lab):
    from playwright.sync_api import sync_playwright

    code = code_cells("code")
    first_explorer, training, gpt = code[1], code[2], code[3]
    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})

            def only_this_server(route) -> None:
                if route.request.url.startswith(lab.url):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            context.route("**/*", only_this_server)
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{lab.url}/lab/tree/{NOTEBOOK.name}?token={lab.token}")
            notebook = Notebook(page)

            notebook.run_through(first_explorer)
            output = notebook.cells.nth(first_explorer).locator(".jp-OutputArea")
            output.locator(".skipgrad-explorer[data-layouts]:not([data-busy]) [data-node]").first.wait_for(
                timeout=60_000
            )
            before = notebook.drawn(first_explorer)
            assert any("data 0.6361" in lines for lines in before), before  # the loss of point 40, untrained

            notebook.run_through(training)
            page.wait_for_function(
                """(cell) => {
                    const area = document.querySelectorAll('.jp-Notebook .jp-Cell')[cell];
                    const texts = [...area.querySelectorAll('[data-node] text')].map(t => t.textContent);
                    return texts.includes('data 0.4459') && !area.querySelector('[data-busy]');
                }""",
                arg=first_explorer,
                timeout=60_000,
            )
            after = notebook.drawn(first_explorer)
            assert after != before and any("data 0.4459" in lines for lines in after)  # the last update's loss
            assert output.locator(".skipgrad-explorer").count() == 1  # redrawn in place: still one explorer
            shown_again = notebook.cells.nth(training).locator(".jp-OutputArea")
            assert shown_again.locator(".skipgrad-explorer").count() == 1  # the same widget shown beside the figure
            assert shown_again.locator("img").count() == 1  # the loss and decision boundary, replaced in place

            notebook.run_through(len(code_cells("any")) - 1)
            gpt_output = notebook.cells.nth(gpt).locator(".jp-OutputArea")
            gpt_output.locator(".skipgrad-explorer[data-layouts]:not([data-busy]) [data-node]").first.wait_for(
                timeout=60_000
            )
            search = gpt_output.locator("[data-control='search']")

            def panel(name: str) -> str:
                search.fill(name)
                search.press("Enter")
                shown = gpt_output.locator(f"[data-panel='{name}']")
                shown.wait_for(timeout=60_000)
                return shown.inner_text()

            # what notebook 11 says to click, with the numbers it computes (the panel writes 6 digits)
            addition = panel("block0.attn_add0")
            assert "op: + of +#18, block0.attn.wo.y0" in addition and "grad 0.0229776" in addition
            stream = panel("+#18")
            assert "grad 0.0710909" in stream and "block0.attn_add0\t1\t×\t0.0229776\t=\t0.0229776" in stream
        finally:
            browser.close()
    assert errors == [], errors
    assert outside == [], f"asked the network for {outside}"
