"""Screenshots of the graph explorer for the README, in docs/ (run: .venv/bin/python
docs/make_explorer_picture.py; needs Playwright, the system's Chromium and elkjs):

- explorer_seed_circuit.png: render_steps' page of the seed circuit, three steps into backward (r
  pushing into xy and s, in orange), with the chain rule at xy (4 = 2 + 2) in the panel;
- explorer_gpt_block.png: one training step of the default nn.GPT (its loss on "olivia", seed 0),
  the transformer block expanded and the chain rule at the block's first residual addition, whose
  gradient is what the skip path and the MLP's branch send back.

Everything is seeded and drawn at a fixed window size, so running it again gives the same pictures.
"""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from autograd import explore, render_steps  # noqa: E402
from autograd.examples import seed_circuit  # noqa: E402
from nn import GPT, Characters, names  # noqa: E402

FOLDER = Path(tempfile.mkdtemp())
DRAWN = ".skipgrad-explorer:not([data-busy])"
SEED_PICTURE = ROOT / "docs" / "explorer_seed_circuit.png"
GPT_PICTURE = ROOT / "docs" / "explorer_gpt_block.png"
RESIDUAL = "block0.attn_add0"  # h = x + attn(norm1(x)) at position 0, dimension 0


def seed_page() -> Path:
    return render_steps(seed_circuit()["cost"], FOLDER / "steps")  # backward() need not have run


def gpt_page() -> Path:
    chars = Characters(names())
    model = GPT(chars.vocab_size, seed=0)
    loss = model.loss(chars.encode("olivia"))
    loss.backward()
    return explore(loss, names=False).save(FOLDER / "gpt.html")


def wait_layouts(page, count: int) -> None:
    page.wait_for_selector(f"{DRAWN}[data-layouts='{count}']", timeout=60_000)


with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")

    page = browser.new_page(viewport={"width": 1600, "height": 560})
    page.goto(seed_page().as_uri())
    wait_layouts(page, 1)  # opened at step 0, the seed
    page.click("[data-node='xy']")  # the chain rule at the fork: 4 = 2 + 2
    for _ in range(3):  # and three steps in: r sends 2 to xy and 2 to s
        page.click("[data-action='step']")
    page.screenshot(path=str(SEED_PICTURE))
    page.close()

    page = browser.new_page(viewport={"width": 1600, "height": 900})
    page.goto(gpt_page().as_uri())
    wait_layouts(page, 1)
    page.dispatch_event("[data-group='block0']", "click")  # the transformer block, expanded (it may lie out of view)
    wait_layouts(page, 2)
    page.fill("[data-control='search']", RESIDUAL)
    page.press("[data-control='search']", "Enter")  # its residual addition, centred, in the panel
    page.wait_for_selector(f"[data-panel='{RESIDUAL}']")
    page.wait_for_selector(DRAWN)
    drawn = int(page.get_attribute(DRAWN, "data-layouts"))
    page.click(".sx-node.sx-selected")  # and its two inputs: the stream x and the attention's output
    wait_layouts(page, drawn + 1)
    page.evaluate("() => skipgradExplorer.centre(skipgradExplorer.selected)")
    page.screenshot(path=str(GPT_PICTURE))
    browser.close()
for picture in (SEED_PICTURE, GPT_PICTURE):
    print(picture, f"{picture.stat().st_size / 1e3:.0f} kB")
