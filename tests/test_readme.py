"""Every example in the README runs and prints exactly what the README shows."""

import contextlib
import io
import re
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def output_after(code):
    """The plain ``` block that follows a code block: what the README says it prints."""
    rest = README.split(code, 1)[1]
    return re.search(r"\n```\n(.*?)```", rest, flags=re.S).group(1)


def test_readme_opens_with_the_two_commands():
    first = blocks("sh")[0].splitlines()
    assert first[0].startswith("python3 tasks.py demo")
    assert first[1].startswith("python3 tasks.py test")
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert ci.strip().splitlines()[-1] == "python3 tasks.py test"


def test_engine_example_prints_the_table_shown():
    code = blocks("python")[0]
    shown = output_after(code)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {})
    assert printed.getvalue() == shown


def test_demo_prints_the_same_table(capsys):
    from autograd.cli import main
    main(["demo"])
    shown = output_after(blocks("python")[0])
    assert shown in capsys.readouterr().out
