"""Issue 21's examples, one test each: bad input anywhere in the public API gets a one-line TypeError or
ValueError that names the function, the argument and what was given, before anything is built, changed
or written. tests/test_bad_input_fuzz.py tries the same rule on generated junk."""

from __future__ import annotations

import json
import math

import pytest

import nn
from autograd import Value, checks, draw
from nn import GPT, MLP, Characters, fit, names, names_gpt, train_gpt


# ------------------------------------------------------------------------------ setters
@pytest.mark.parametrize(
    "field, value, error, message",
    [
        ("data", math.nan, ValueError, "Value.data: nan is not a finite number"),
        ("data", math.inf, ValueError, "Value.data: inf is not a finite number"),
        ("data", "a", TypeError, "Value.data: expected a real number, got str 'a'"),
        ("grad", "g", TypeError, "Value.grad: expected a real number, got str 'g'"),
        ("grad", math.inf, ValueError, "Value.grad: inf is not a finite number"),
        ("label", 5, TypeError, "Value.label: expected a str, got int 5"),
    ],
)
def test_setters_keep_the_nodes_promise_and_change_nothing_when_they_refuse(field, value, error, message):
    x = Value(2.0, "x")
    z = x * 3.0
    node = z if field == "grad" else x
    before = getattr(node, field)
    with pytest.raises(error) as refused:
        setattr(node, field, value)
    assert str(refused.value) == message
    assert getattr(node, field) == before


def test_setters_store_floats():
    x = Value(1.0)
    x.data, x.grad = 3, True
    assert type(x.data) is float and x.data == 3.0 and type(x.grad) is float and x.grad == 1.0


def test_a_closure_that_makes_a_gradient_inf_still_names_the_node():
    x = Value(1.0, "x")
    huge = Value(1.0, (x,), "huge")

    def _backward():
        x.grad += math.inf

    huge._backward = _backward
    with pytest.raises(OverflowError, match="gradient of x"):
        huge.backward()
    assert x.grad == 0.0


# ------------------------------------------------------------------------------ Value's constructor
def test_value_of_a_value_says_so():
    with pytest.raises(TypeError) as refused:
        Value(Value(1.0))
    assert str(refused.value) == (
        "Value(data): data is already a Value (Value(data=1.0, grad=0.0)); use it, or Value(v.data) for a new leaf"
    )


def test_value_with_an_int_second_argument_names_it():
    with pytest.raises(TypeError, match=r"^Value\(_children\): expected a tuple of Values \(or a str: the label\)"):
        Value(2.0, 5)


# ------------------------------------------------------------------------------ constructors
@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: GPT(-1), ValueError, "GPT(vocab_size): expected an int >= 2 (tokens and bos), got -1"),
        (lambda: GPT(0), ValueError, "GPT(vocab_size): expected an int >= 2 (tokens and bos), got 0"),
        (lambda: GPT(27, n_embd=0), ValueError, "GPT(n_embd): expected a positive int, got 0"),
        (lambda: GPT(27, block_size=0), ValueError, "GPT(block_size): expected a positive int, got 0"),
        (lambda: GPT(27, n_layer=-1), ValueError, "GPT(n_layer): expected an int >= 0, got -1"),
        (lambda: GPT(27, n_head=0), ValueError, "GPT(n_head): expected a positive int, got 0"),
        (lambda: GPT(27, n_head=3), ValueError, "GPT(n_head): n_embd (16) must be a multiple of n_head, got 3"),
        (lambda: GPT("27"), TypeError, "GPT(vocab_size): expected an int >= 2 (tokens and bos), got str '27'"),  # type: ignore[arg-type]
        (lambda: GPT(27, norm="mid"), ValueError, "GPT(norm): expected one of 'pre', 'post', got 'mid'"),
        (lambda: MLP(2, 3), TypeError, "MLP(nouts): expected a list of layer sizes, such as [16, 16, 1], got int 3"),  # type: ignore[arg-type]
        (lambda: MLP(2, [3, 0]), ValueError, "MLP(nouts): expected positive ints, got 0"),
        (lambda: nn.Linear(2, 2, std=math.nan), ValueError, "Linear(std): nan is not a finite number"),
        (lambda: nn.Neuron(2, seed="a"), TypeError, "Neuron(seed): expected an int or None, got str 'a'"),  # type: ignore[arg-type]
    ],
)
def test_constructors_check_their_arguments(make, error, message):
    with pytest.raises(error) as refused:
        make()
    assert str(refused.value) == message


def test_a_model_too_large_for_a_scalar_engine_is_refused_before_anything_is_built(monkeypatch):
    monkeypatch.setattr(nn.transformer.Embedding, "__init__", _never)
    with pytest.raises(ValueError, match=r"^GPT: these sizes make 12,000,073,000,000 parameters, more than"):
        GPT(27, n_embd=1_000_000)


def _never(*args, **kwargs):
    raise AssertionError("something was built")


# ------------------------------------------------------------------------------ calling a GPT
def test_a_gpt_takes_a_numpy_array_of_tokens_as_loss_does():
    np = pytest.importorskip("numpy")
    model = GPT(27, block_size=4, n_embd=4, n_head=1, seed=0)
    assert [v.data for v in model(np.array([26, 4]))[-1]] == [v.data for v in model([26, 4])[-1]]
    assert model.loss(np.array([26, 4, 26])).data == model.loss([26, 4, 26]).data


def test_a_gpt_names_tokens_of_the_wrong_kind():
    model = GPT(5, seed=0)
    with pytest.raises(TypeError, match=r"^GPT\(tokens\): expected token ids \(ints\), got str 'a' at 1$"):
        model([4, "a"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"^GPT: token 9 is not in 0..4$"):
        model([4, 9])
    with pytest.raises(TypeError, match=r"^GPT\(cut\): expected a dict"):
        model([4, 1], cut=["attn"])  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ the model's own vocabulary
def test_train_gpt_refuses_words_whose_vocabulary_is_not_the_models():
    model = GPT(27, seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError) as refused:  # those 200 names have no 'x': 26 tokens, not 27
        train_gpt(model, names()[:200], steps=300, progress=False)
    assert str(refused.value).startswith("train_gpt: the tokenizer Characters('abcdefghijklmnopqrstuvwyz' + bos)")
    assert "pass the tokenizer the model was made for: train_gpt(..., tokenizer=chars)" in str(refused.value)
    assert model.state_dict() == before and model.tokenizer is None


def test_train_gpt_trains_on_the_tokenizer_it_is_given_and_keeps_it():
    chars = Characters(names())
    model = GPT(chars.vocab_size, block_size=4, n_embd=4, n_head=1, seed=0)
    train_gpt(model, names()[:200], tokenizer=chars, steps=2, progress=False)
    assert model.tokenizer is chars
    with pytest.raises(ValueError, match="is not the model's own tokenizer"):
        train_gpt(model, ["ab"], tokenizer=Characters(["ab"]), steps=1, progress=False)
    with pytest.raises(ValueError, match=r"^train_gpt\(words\): 'ab1' and maybe others have characters .*'1'"):
        train_gpt(model, ["ab1"], steps=1, progress=False)


def test_a_saved_gpt_keeps_its_tokenizer_and_samples_decode_the_same_way(tmp_path):
    chars = Characters(["ab", "ba", "abc"])
    model = GPT(chars.vocab_size, block_size=4, n_embd=4, n_head=1, seed=0)
    train_gpt(model, ["ab", "ba", "abc"], steps=2, progress=False)  # adopts Characters(words): it fits
    assert model.tokenizer == chars
    nn.save(model, tmp_path / "gpt.json")
    again = nn.load(tmp_path / "gpt.json")
    assert isinstance(again, GPT)
    assert again.tokenizer == chars
    sampled = [again.tokenizer.decode(t) for t in again.generate(3, seed=1)]
    assert sampled == [model.tokenizer.decode(t) for t in model.generate(3, seed=1)]


def test_a_file_saved_before_tokenizers_were_kept_still_loads(tmp_path):
    nn.save(GPT(4, block_size=2, n_embd=2, n_head=1, seed=0), tmp_path / "old.json")
    data = json.loads((tmp_path / "old.json").read_text())
    assert "tokenizer" not in data
    again = nn.load(tmp_path / "old.json")
    assert isinstance(again, GPT) and again.tokenizer is None


# ------------------------------------------------------------------------------ loading is bounded
@pytest.mark.parametrize("n_embd", [1_000_000, 700])
def test_a_file_that_asks_for_a_huge_model_is_refused_before_building(tmp_path, monkeypatch, n_embd):
    nn.save(GPT(27, block_size=4, n_embd=4, n_head=1, seed=0), tmp_path / "gpt.json")  # 436 weights
    data = json.loads((tmp_path / "gpt.json").read_text())
    data["architecture"]["kwargs"]["n_embd"] = n_embd
    data["architecture"]["kwargs"]["n_head"] = 1
    (tmp_path / "gpt.json").write_text(json.dumps(data))
    monkeypatch.setattr(nn.transformer.Embedding, "__init__", _never)
    with pytest.raises(ValueError, match="could not be made from the saved arguments: GPT") as refused:
        nn.load(tmp_path / "gpt.json")
    if n_embd == 700:  # under the engine's limit, but far more than the file's weights
        assert str(refused.value).endswith(
            "GPT would have 5,922,700 parameters but {} holds 436 weights: corrupt file".format(tmp_path / "gpt.json")
        )


def test_load_budget_is_only_for_the_load():
    assert checks._budget.get() is None


# ------------------------------------------------------------------------------ the GPT command line
@pytest.mark.parametrize("temperature", ["1e-300", "nan", "inf", "-1", "0"])
def test_skipgrad_gpt_refuses_a_temperature_while_parsing(temperature, monkeypatch, capsys):
    monkeypatch.setattr(names_gpt, "train_gpt", _never)
    monkeypatch.setattr(names_gpt, "names", _never)
    with pytest.raises(SystemExit) as leaving:
        names_gpt.main(["--temperature", temperature])
    assert leaving.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --temperature: expected a number from 0.001 to 1000, got {temperature}" in err


def test_sampling_at_a_tiny_temperature_is_greedy_not_an_error():
    model = GPT(5, block_size=4, n_embd=4, n_head=1, seed=0)
    assert model.generate(2, temperature=1e-300, seed=0) == model.generate(2, temperature=1e-6, seed=0)


# ------------------------------------------------------------------------------ smaller ones
def test_fit_names_a_three_dimensional_x_and_bad_sizes():
    np = pytest.importorskip("numpy")
    model = MLP(2, [1], seed=0)
    with pytest.raises(TypeError, match=r"^fit\(X\[0\]\): expected numbers or Values \(X is 1-D or 2-D\), got list"):
        fit(model, np.zeros((2, 2, 2)), [1, -1], steps=1, progress=False)
    with pytest.raises(ValueError, match=r"^fit\(batch_size\): expected a positive int or None, got 0$"):
        fit(model, [[0.0, 1.0]], [1], batch_size=0, progress=False)
    with pytest.raises(ValueError, match=r"^fit\(steps\): expected a positive int, got -1$"):
        fit(model, [[0.0, 1.0]], [1], steps=-1, progress=False)
    with pytest.raises(ValueError, match=r"^fit\(X\): row 1 has 1 numbers but row 0 has 2 \(ragged\)$"):
        fit(model, [[0.0, 1.0], [1.0]], [1, -1], steps=1, progress=False)


def test_characters_decode_names_a_token_out_of_range():
    with pytest.raises(ValueError, match=r"^Characters.decode\(tokens\): expected ids in 0..3, got 99$"):
        Characters(["abc"]).decode([99])
    with pytest.raises(TypeError, match=r"^Characters\(words\): expected a list of words \(strs\), got str"):
        Characters("abc")


def test_save_into_a_missing_folder_names_the_users_path_and_writes_nothing(tmp_path):
    target = tmp_path / "missing" / "model.json"
    with pytest.raises(FileNotFoundError) as refused:
        nn.save(MLP(2, [1], seed=0), target)
    assert str(refused.value) == f"[Errno 2] nn.save: there is no folder {target.parent} to write {target} in"
    assert ".tmp" not in str(refused.value) and list(tmp_path.iterdir()) == []


def test_highlight_must_be_a_list_of_nodes_and_edges_of_the_graph():
    pytest.importorskip("graphviz")
    x = Value(2.0, "x")
    y = x * 3.0
    z = y.tanh()
    with pytest.raises(
        TypeError, match=r"^draw\(highlight\): expected a list .* got a Value; write highlight=\[node\]$"
    ):
        draw(z, highlight=y)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^draw\(highlight\): \(.*\) is not an edge of this graph"):
        draw(z, highlight=[(x, z)])  # x feeds y, not z
    with pytest.raises(ValueError, match=r"^draw\(highlight\): the node Value\(data=5.0.*is not in this graph$"):
        draw(z, highlight=[Value(5.0)])
    assert "#f97316" in draw(z, highlight=[(x, y), z]).source


def test_an_optimizer_step_too_large_for_a_float_changes_no_parameter():
    ps = [Value(1.0), Value(2.0)]
    ps[0].grad, ps[1].grad = 1.0, 1e300
    for optimizer in (nn.SGD(ps, lr=1e10), nn.SGD(ps, lr=1e10, momentum=0.9)):
        with pytest.raises(OverflowError, match=r"^SGD.step: parameter 1 would become -inf .*nothing was changed"):
            optimizer.step()
        assert [p.data for p in ps] == [1.0, 2.0] and optimizer.velocity is None


def test_set_data_for_many_nodes_is_all_or_nothing():
    from autograd.fields import set_data, zero_grads

    ps = [Value(1.0), Value(2.0)]
    with pytest.raises(ValueError, match=r"^set_data: nan is not a finite number$"):
        set_data(ps, [3.0, math.nan])
    assert [p.data for p in ps] == [1.0, 2.0]
    set_data(ps, [3, 4.5])
    ps[0].grad = 2.0
    zero_grads(ps)
    assert [(type(p.data), p.data, p.grad) for p in ps] == [(float, 3.0, 0.0), (float, 4.5, 0.0)]


def test_every_message_above_is_one_line_and_names_its_function():
    # The fuzzer checks this on junk; here the rule itself on a few ordinary mistakes.
    mistakes = [
        lambda: nn.SGD([], lr=0.1),
        lambda: nn.Adam([Value(1.0)], betas=(0.9, 1.0)),
        lambda: GPT(5).generate(-1),
    ]
    for mistake in mistakes:
        with pytest.raises((TypeError, ValueError)) as refused:
            mistake()
        text = str(refused.value)
        assert "\n" not in text and text.split(":")[0].split("(")[0] in ("SGD", "Adam", "generate")
