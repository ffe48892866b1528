"""nn.data.names(): the bundled list of first names (public-domain US Census 1990 data) and its packaging."""

import configparser
import re
from importlib import resources
from pathlib import Path

import nn
from nn.data import names

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "nn" / "datasets"


def test_at_least_a_thousand_names():
    assert len(names()) >= 1000


def test_every_name_is_lowercase_a_to_z():
    bad = [w for w in names() if not re.fullmatch(r"[a-z]+", w)]
    assert bad == []


def test_no_duplicates():
    words = names()
    assert len(set(words)) == len(words)


def test_fixed_order_and_a_new_list_each_call():
    first, second = names(), names()
    assert first == second
    assert first is not second
    first.clear()
    assert names() == second  # changing one caller's list changes nothing for the next
    assert second[:4] == ["james", "john", "robert", "michael"]  # most frequent first


def test_exported_from_nn():
    assert nn.names is names
    assert "names" in nn.__all__


def test_file_is_one_name_per_line():
    raw = (DATASETS / "names.txt").read_bytes()
    assert raw.endswith(b"\n") and b"\r" not in raw
    assert raw.decode("ascii").splitlines() == names()
    assert len(raw) < 300_000


def test_readme_names_the_source_and_the_licence():
    readme = (DATASETS / "README.md").read_text(encoding="utf-8")
    for needed in ("names", "0.3.0", "Census", "1990", "dist.male.first", "dist.female.first", "public domain"):
        assert needed in readme, needed
    assert f"{len(names()):,}" in readme  # the count it states is the file's


def test_setup_cfg_ships_the_data_as_package_data():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    patterns = [p.strip() for p in cfg["options.package_data"]["nn"].split(",")]
    assert "datasets/*.txt" in patterns and "datasets/*.md" in patterns
    assert "py.typed" in patterns


def test_readable_as_a_package_resource():
    resource = resources.files("nn") / "datasets" / "names.txt"
    assert resource.is_file()
    assert resource.read_text(encoding="ascii").split() == names()
