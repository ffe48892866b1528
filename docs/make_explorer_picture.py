"""Save the explorer's page of the seed circuit and a screenshot of it in docs/ (run:
.venv/bin/python docs/make_explorer_picture.py; needs Playwright and the system's Chromium)."""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from autograd import explore  # noqa: E402
from autograd.examples import seed_circuit  # noqa: E402

cost = seed_circuit()["cost"]
cost.backward()
page_file = explore(cost).save(Path(tempfile.mkdtemp()) / "seed_circuit.html")
with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
    page = browser.new_page(viewport={"width": 1760, "height": 560})
    page.goto(page_file.as_uri())
    page.wait_for_selector(".skipgrad-explorer[data-layouts='1']:not([data-busy])")
    page.click("[data-node='xy']")  # the chain rule at the fork: 4 = 2 + 2
    for _ in range(4):  # and backward, four steps in: r pushes into xy and s
        page.click("[data-action='step']")
    page.screenshot(path=str(ROOT / "docs" / "explorer_seed_circuit.png"))
    browser.close()
print(ROOT / "docs" / "explorer_seed_circuit.png")
