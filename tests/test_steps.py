"""The backward step-through: frames, the HTML page, and the page in a real headless Chromium."""

import os
import re
import shutil

import pytest

from autograd import Value, backward_steps
from autograd.examples import seed_circuit


def test_frames_follow_reverse_topological_order_and_end_with_backwards_gradients():
    nodes = seed_circuit()
    cost = nodes["cost"]
    frames = list(backward_steps(cost))
    assert [f.caption for f in frames] == [
        "seed: cost is the output, so its gradient is 1",
        "cost (+) sends 1 to out",
        "out (*) sends 2 to r",
        "r (+) sends 2 to xy and 2 to s",
        "s (+) sends 2 to m and 2 to xy",
        "m (max) sends 2 to z and 0 to w",
        "xy (*) sends -16 to x and 12 to y",
    ]
    assert all(n.grad == 0.0 for n in nodes.values())  # the step-through does not touch grads
    cost.backward()
    last = frames[-1].grads
    assert {name: last[id(n)] for name, n in nodes.items()} == {name: n.grad for name, n in nodes.items()}
    assert frames[3].node is nodes["r"] and frames[3].edges == ((nodes["xy"], nodes["r"]), (nodes["s"], nodes["r"]))
    assert id(nodes["x"]) not in frames[5].grads  # x gets its gradient only at the last step


@pytest.mark.usefixtures("graphviz")
def test_frame_drawing_shows_only_pushed_gradients():
    nodes = seed_circuit()
    frame = list(backward_steps(nodes["cost"]))[4]
    source = frame.draw(nodes["cost"]).source
    assert "grad ?" in source  # x, y, z, w not reached yet
    assert source.count("#f97316") == 3  # s and its two edges


def test_a_single_leaf_has_just_the_seed_frame():
    frames = list(backward_steps(Value(2.0, "v")))
    assert len(frames) == 1 and frames[0].caption == "seed: v is the output, so its gradient is 1"


def write_page(tmp_path):
    """The seed circuit's step-through page; the caller asks for the `dot` fixture."""
    from autograd import render_steps

    nodes = seed_circuit()
    return render_steps(nodes["cost"], tmp_path / "steps")


@pytest.mark.slow
@pytest.mark.usefixtures("dot")
def test_page_is_self_contained(tmp_path):
    page = write_page(tmp_path)
    text = page.read_text()
    assert sorted(p.name for p in page.parent.iterdir()) == ["index.html"] + [f"step_{i:03d}.svg" for i in range(7)]
    assert text.count('class="frame"') == 7 and "<svg" in text
    assert "http://" not in text.replace("http://www.w3.org", "") and "https://" not in text
    assert "<script src" not in text and "<link" not in text


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.mark.slow
@pytest.mark.usefixtures("dot")
def test_page_flips_frames_in_headless_chromium(tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    browser, driver_path = chromium(), shutil.which("chromedriver")
    if not browser or not driver_path:
        pytest.skip("no Chromium/chromedriver found (Debian: apt-get install chromium chromium-driver)")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page = write_page(tmp_path)
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager download a browser
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver_path), options=options)
    try:
        driver.get(page.as_uri())

        def visible():
            return [f.get_attribute("id") for f in driver.find_elements(By.CLASS_NAME, "frame") if f.is_displayed()]

        caption = driver.find_element(By.ID, "caption")
        assert visible() == ["frame0"] and caption.text == "seed: cost is the output, so its gradient is 1"
        driver.find_element(By.ID, "next").click()
        assert visible() == ["frame1"] and caption.text == "cost (+) sends 1 to out"
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
        assert visible() == ["frame2"] and driver.find_element(By.ID, "counter").text == "step 2 of 6"
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_LEFT)
        driver.find_element(By.ID, "prev").click()
        assert visible() == ["frame0"]
    finally:
        driver.quit()


@pytest.mark.slow
@pytest.mark.usefixtures("dot")
def test_notebook_slider_has_one_position_per_frame():
    pytest.importorskip("ipywidgets")
    from autograd.steps import step_widget

    nodes = seed_circuit()
    widget = step_widget(nodes["cost"])
    slider = widget.children[0]
    assert (slider.min, slider.max, slider.value) == (0, 6, 0)


def test_captions_quote_names_that_are_not_one_word():
    x, y = Value(3.0, "x"), Value(-4.0, "y")
    product = x * y
    product.label = "x * y"
    captions = [f.caption for f in backward_steps(product)]
    assert captions == ["seed: “x * y” is the output, so its gradient is 1", "“x * y” (*) sends -4 to x and 3 to y"]


@pytest.mark.slow
@pytest.mark.usefixtures("dot")
def test_a_shorter_run_removes_only_the_frames_it_wrote_before(tmp_path):
    from autograd import render_steps

    folder = tmp_path / "steps"
    render_steps(seed_circuit()["cost"], folder)  # 7 frames
    (folder / "notes.txt").write_text("mine")
    (folder / "step_100.svg").write_text("not written by render_steps")
    a = Value(2.0, "a")
    page = render_steps(a * 3.0, folder)  # 2 frames
    assert sorted(p.name for p in folder.iterdir()) == [
        "index.html",
        "notes.txt",
        "step_000.svg",
        "step_001.svg",
        "step_100.svg",
    ]
    assert page.read_text().count('class="frame"') == 2
    other = tmp_path / "site"
    other.mkdir()
    (other / "index.html").write_text("<html>someone else's page</html>")
    with pytest.raises(FileExistsError, match="not written by render_steps"):
        render_steps(a * 3.0, other)
    assert (other / "index.html").read_text() == "<html>someone else's page</html>"


def test_each_frame_names_its_nodes_as_its_caption_does(graphviz):
    a, b = Value(2.0, "a"), Value(3.0, "b")
    root = (a * b + a).tanh()
    for frame in backward_steps(root, names=False):
        headings = re.findall(r"<b>(.*?)</b>", frame.draw(root).source)
        named_in_caption = re.findall(r"“([^”]+)”|(\w+#\d+)", frame.caption)
        for quoted, bare in named_in_caption:
            assert any(h.startswith(f"{quoted or bare}  (") for h in headings), (frame.caption, headings)
