"""parameters() comes from the attribute walk now; this checks that the order did not change for any
model kind. tests/golden/parameter_order.json was recorded on the code before the change (commit 63742dd,
where each class wrote parameters() by hand): for each zoo model, the names of `parameters()` in its
order (named from the attributes), as a count, the first three and a sha256 of the names joined by
newlines."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.model_zoo import every_model

GOLDEN = json.loads((Path(__file__).parent / "golden" / "parameter_order.json").read_text())


def order(model) -> list[str]:
    """The names of model.parameters(), in its order, each named by the attribute that holds it."""
    names = {id(p): name for name, p in model.named_parameters()}
    return [names[id(p)] for p in model.parameters()]


RECORDED = [(i, make) for i, make in every_model() if i in GOLDEN]  # zoo rows added later have no record


@pytest.mark.parametrize("make", [m for _, m in RECORDED], ids=[i for i, _ in RECORDED])
def test_parameters_keep_the_order_they_had_when_written_by_hand(make, request):
    names = order(make())
    golden = GOLDEN[request.node.callspec.id]
    assert len(names) == golden["count"] and names[:3] == golden["first"]
    assert hashlib.sha256("\n".join(names).encode()).hexdigest() == golden["sha256"]


def test_every_recorded_model_is_still_in_the_zoo():
    assert set(GOLDEN) <= {i for i, _ in every_model()} and len(RECORDED) == len(GOLDEN) == 69
