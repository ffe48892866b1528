"""Run the notebooks and keep their outputs, so that a reader on the web sees the numbers and pictures.

    python3 tasks.py refresh-notebooks          run every notebook and store what it shows
    python3 tasks.py refresh-notebooks 04 08    only these

tests/test_notebooks.py runs each notebook the same way and compares what it shows with what is
stored. It ignores what changes from run to run by design: progress bars, and the pixels and layout
of pictures. The text inside a Graphviz picture, its numbers, is compared; a matplotlib plot only
by its presence, because its tick labels change with matplotlib's version (the numbers a plot shows
are asserted in the notebook's code). A cell whose output depends on the machine (a timing) carries
the tag `varies`; its numbers are not compared, only its words. And one rule for every cell: a
nonzero number below 1e-9 is floating-point rounding noise, whose digits change with the CPU, the BLAS
and the library build. It is never compared, and a stored notebook must not show one at all: it
asserts the bound in its code and prints the bound. The one exception is a cell tagged `tiny`, whose
tiny numbers are values computed step by step in Python's own floats (a vanishing gradient, 2.3e-20):
they are the same on every machine, and compared like any other number.

Pictures are stored small: matplotlib's as SVG with text kept as text (no glyph outlines), Graphviz's
as the SVG it makes. The live training view is a PNG.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
REFRESH = "python3 tasks.py refresh-notebooks"

# matplotlib settings for the stored pictures: SVG with its text as text (small, and its numbers can be
# compared), ids that do not change from run to run, and no date in the file (SOURCE_DATE_EPOCH below).
MATPLOTLIBRC = "svg.fonttype: none\nsvg.hashsalt: skipgrad\n"
WIDGET = "application/vnd.jupyter.widget-view+json"
PROGRESS_BAR = re.compile(r"\d+%\|")  # tqdm's "37%|███▋      | 37/100"
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?")
SVG_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)
NOISE = 1e-9  # a nonzero number smaller than this is rounding noise


def noise(text: str) -> list[str]:
    """The numbers in `text` that are rounding noise (0 < |x| < NOISE)."""
    return [number for number in NUMBER.findall(text) if is_noise(number)]


def is_noise(number: str) -> bool:
    if re.fullmatch(r"1e-\d+", number):  # a bare power of ten is a bound the notebook prints (below 1e-15)
        return False
    try:
        size = abs(float(number.replace(",", "")))
    except ValueError:  # not one number: a version such as 2.13.0
        return False
    return 0 < size < NOISE


def without_noise(text: str) -> str:
    return NUMBER.sub(lambda found: "<noise>" if is_noise(found[0]) else found[0], text)


def execute(path: Path, timeout: int = 300, preamble: str = "", cells: int | None = None) -> Any:
    """The notebook at `path` run top to bottom in a fresh kernel, with its outputs cleaned (see `clean`).

    `preamble` is code run in the kernel first, not kept in the notebook (a test's patch); `cells` keeps
    only that many code cells, and the text between them. Raises nbclient's CellExecutionError, naming the
    cell, if a cell fails (a failed assert included).
    """
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    if cells is not None:
        code = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
        notebook.cells = notebook.cells[: code[cells - 1] + 1]
    if preamble:
        notebook.cells.insert(0, nbformat.v4.new_code_cell(preamble))
    with tempfile.TemporaryDirectory() as settings:
        Path(settings, "matplotlibrc").write_text(MATPLOTLIBRC)
        env = dict(
            os.environ,
            MATPLOTLIBRC=settings,
            SOURCE_DATE_EPOCH="0",
            PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        )
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOKS)}},
            extra_arguments=["--InlineBackend.figure_formats=svg"],
        )
        client.execute(env=env)
    if preamble:
        del notebook.cells[0]
    return clean(notebook)


def clean(notebook: Any) -> Any:
    """Drop what a reader should not see stored: widgets (a progress bar, a slider: the web cannot run
    them), tqdm's text on stderr, and per-run execution metadata; join the pieces of each stream.
    Changes `notebook` in place and returns it."""
    notebook.metadata.pop("widgets", None)  # the state of widgets whose outputs are dropped below
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        kept: list[Any] = []
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stderr" and PROGRESS_BAR.search(output.text):
                continue
            if output.output_type in ("display_data", "execute_result") and WIDGET in output.data:
                continue
            last = kept[-1] if kept else None
            if last and output.output_type == last.output_type == "stream" and output.name == last.name:
                last.text += output.text  # the kernel cuts a stream into pieces wherever timing falls
                continue
            kept.append(output)
        cell.outputs = kept
    return notebook


def shown(notebook: Any) -> list[list[tuple[str, str]]]:
    """What each code cell shows, in a form that is the same on every run: text as is, an SVG picture
    by the text inside it, any other picture by its kind only; rounding noise is replaced by `<noise>`,
    and every number in a cell tagged `varies` by `#`."""
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        varies = "varies" in cell.metadata.get("tags", [])
        parts: list[tuple[str, str]] = []
        for output in cell.outputs:
            if output.output_type == "stream":
                parts.append((output.name, output.text))
            elif output.output_type == "error":
                parts.append(("error", f"{output.ename}: {output.evalue}"))
            else:
                data = output.data
                if "image/svg+xml" in data and "matplotlib.org" in data["image/svg+xml"]:
                    parts.append(("plot", ""))  # its tick labels are matplotlib's choice, by version
                elif "image/svg+xml" in data:
                    svg = data["image/svg+xml"]
                    parts.append(("svg", " | ".join(t.strip() for t in SVG_TEXT.findall(svg) if t.strip())))
                elif "image/png" in data:
                    parts.append(("png", ""))
                else:
                    parts.append(("text", data.get("text/plain", "")))
        if "tiny" not in cell.metadata.get("tags", []):
            parts = [(kind, without_noise(text)) for kind, text in parts]
        if varies:  # numbers masked, and the padding around them, which depends on their width
            parts = [(kind, re.sub(r" +", " ", NUMBER.sub("#", text))) for kind, text in parts]
        cells.append(parts)
    return cells


def store(path: Path) -> None:
    import nbformat

    notebook = execute(path)
    # The kernel reports its own Python version; keep the stored file the same whichever Python ran it.
    notebook.metadata.get("language_info", {}).pop("version", None)
    nbformat.write(notebook, path)


def main(args: list[str]) -> int:
    chosen = [p for p in sorted(NOTEBOOKS.glob("*.ipynb")) if not args or any(p.name.startswith(a) for a in args)]
    if not chosen:
        print(f"no notebook in {NOTEBOOKS} starts with {' or '.join(args)}", file=sys.stderr)
        return 2
    for path in chosen:
        print(f"running {path.name}", flush=True)
        store(path)
    size = sum(p.stat().st_size for p in NOTEBOOKS.glob("*.ipynb"))
    print(f"stored the outputs of {len(chosen)} notebook(s); all notebooks: {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
