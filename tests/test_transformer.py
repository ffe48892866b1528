"""The GPT parts: norms against PyTorch, central differences through a tiny GPT with both norms, the
loss, sampling, names of parameters, and the residual-stream diagnostics."""

import math

import pytest

from autograd import Value, gradcheck, topological_order
from nn import (
    GPT,
    CausalSelfAttention,
    Characters,
    Embedding,
    FeedForward,
    LayerNorm,
    RMSNorm,
    TransformerBlock,
    names,
    train_gpt,
)
from nn.residual_stream import path_lengths, residual_split

X = [0.3, -1.2, 2.5, 0.7, -0.4]
UPSTREAM = [0.9, -0.3, 1.7, 0.2, -1.1]


def weighted(outputs):
    return sum(u * y for u, y in zip(UPSTREAM, outputs, strict=True))


@pytest.mark.parametrize("kind", ["layer", "rms"])
def test_norms_match_pytorch_values_and_gradients(kind):
    torch = pytest.importorskip("torch")
    norm = (LayerNorm if kind == "layer" else RMSNorm)(5, eps=1e-5)
    for i, g in enumerate(norm.gain):
        g.data = 1.0 + 0.1 * i  # not the init values, so the gain's gradient is tested too
    x = [Value(v) for v in X]
    y = norm(x)
    weighted(y).backward()
    tx = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    gain = torch.tensor([g.data for g in norm.gain], dtype=torch.float64, requires_grad=True)
    if kind == "layer":
        bias = torch.zeros(5, dtype=torch.float64, requires_grad=True)
        ty = torch.nn.functional.layer_norm(tx, (5,), gain, bias, eps=1e-5)
    else:
        ty = torch.nn.functional.rms_norm(tx, (5,), gain, eps=1e-5)
    (ty * torch.tensor(UPSTREAM, dtype=torch.float64)).sum().backward()
    assert [v.data for v in y] == pytest.approx(ty.tolist(), rel=1e-12, abs=1e-14)
    assert [v.grad for v in x] == pytest.approx(tx.grad.tolist(), rel=1e-10, abs=1e-13)
    assert [g.grad for g in norm.gain] == pytest.approx(gain.grad.tolist(), rel=1e-10, abs=1e-13)


def test_norm_inputs_and_init():
    assert [g.data for g in LayerNorm(3).gain] == [1.0] * 3 and [b.data for b in LayerNorm(3).bias] == [0.0] * 3
    assert [g.data for g in RMSNorm(3).gain] == [1.0] * 3
    assert all(isinstance(v, Value) for v in RMSNorm(2)([1.0, 2.0]))  # numbers in, Values out
    with pytest.raises(ValueError, match="expects 3 inputs, got 2"):
        LayerNorm(3)([1.0, 2.0])


@pytest.mark.slow
@pytest.mark.parametrize("norm", ["pre", "post"])
@pytest.mark.parametrize("norm_layer", ["rms", "layer"])
def test_a_tiny_gpt_passes_central_differences(norm, norm_layer):
    model = GPT(5, block_size=4, n_embd=4, n_head=2, n_layer=2, norm=norm, norm_layer=norm_layer, seed=1, std=0.5)
    tokens = [4, 1, 2, 3, 4]
    params = model.parameters()
    model.loss(tokens).backward()
    eps = 1e-6
    for p in params[::5]:
        keep = p.data
        p.data = keep + eps
        up = model.loss(tokens).data
        p.data = keep - eps
        down = model.loss(tokens).data
        p.data = keep
        assert p.grad == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-8)


def test_attention_is_causal_and_checks_shapes():
    attn = CausalSelfAttention(4, 2, seed=3, std=0.5)
    xs = [[Value(0.1 * (i + j)) for j in range(4)] for i in range(3)]
    out = attn(xs)
    later = xs[2][0]
    first_output_inputs = {id(n) for n in topological_order(out[0][0])}
    assert id(later) not in first_output_inputs  # position 0 never sees position 2
    assert gradcheck(lambda a, b: attn([[a, b, 0.3, -0.2], [b, a, 0.1, 0.5]])[1][2], [0.4, -0.7])
    with pytest.raises(ValueError, match="multiple of n_head"):
        CausalSelfAttention(5, 2)
    assert len(FeedForward(4, seed=0).fc1.weight) == 16


def test_the_first_loss_is_close_to_ln_vocab_and_bad_tokens_are_named():
    chars = Characters(names())
    model = GPT(chars.vocab_size, seed=0)
    losses = [model.loss(chars.encode(w)).data for w in ("emma", "olivia", "noah", "liam")]
    assert chars.vocab_size == 27 and abs(sum(losses) / 4 - math.log(27)) < 0.15
    with pytest.raises(ValueError, match="17 positions but block_size is 16"):
        model.loss([26] * 18)
    with pytest.raises(ValueError, match="token 27 is not in 0..26"):
        model.loss([26, 27])
    with pytest.raises(ValueError, match="token -1"):
        model.loss([26, -1])
    with pytest.raises(ValueError, match="at least 2 tokens"):
        model.loss([26])


@pytest.mark.slow
def test_generate_is_reproducible_and_stops_at_bos():
    model = GPT(5, block_size=6, seed=0)
    first, second = model.generate(4, seed=7), model.generate(4, seed=7)
    assert first == second and len(first) == 4
    assert all(len(s) <= 6 and 4 not in s for s in first)
    with pytest.raises(ValueError, match="temperature"):
        model.generate(1, temperature=0)


def test_parameters_have_pytorch_style_names_and_are_exactly_the_graph_leaves():
    model = GPT(5, block_size=4, n_embd=4, n_head=2, n_layer=2, norm="post", norm_layer="layer", seed=0)
    named = model.named_parameters()
    assert len({n for n, _ in named}) == len(named) == len(model.parameters())
    assert named[0][0] == "wte.weight.0.0" and "blocks.1.attn.wq.weight.3.2" in dict(named)
    assert "blocks.0.norm1.bias.1" in dict(named) and named[-1][0] == "lm_head.weight.4.3"
    loss = model.loss([4, 0, 1, 2, 4])
    leaves = {id(n) for n in topological_order(loss) if not n.children}
    unused = {id(p) for p in model.wte.weight[3]}  # token 3 does not occur
    assert leaves == {id(p) for p in model.parameters()} - unused


def test_characters_round_trip_and_refuse_unknown_characters():
    chars = Characters(["abc", "cab"])
    assert chars.encode("cab") == [3, 2, 0, 1, 3] and chars.decode([2, 0, 1]) == "cab"
    with pytest.raises(ValueError, match="outside the vocabulary: 'z'"):
        chars.encode("zab")
    assert len(Embedding(4, 3, seed=0)(2)) == 3
    with pytest.raises(ValueError, match=r"Embedding\(index\): expected an int in 0..3, got 4"):
        Embedding(4, 3)(4)


@pytest.mark.slow
def test_training_lowers_the_loss():
    words = ["emma", "olivia", "ava", "mia", "amelia", "ella"]
    chars = Characters(words)
    model = GPT(chars.vocab_size, block_size=8, seed=0)
    before = sum(model.loss(chars.encode(w)).data for w in words)
    history = train_gpt(model, words, steps=60, lr=0.02, progress=False)
    after = sum(model.loss(chars.encode(w)).data for w in words)
    assert len(history.loss) == 60 and after < 0.75 * before


# ------------------------------------------------------------------ where the gradient goes
def test_the_stream_and_branch_parts_add_up_to_the_gradient():
    model = GPT(5, block_size=4, n_embd=4, n_head=2, n_layer=2, seed=0, std=0.4)
    tokens = [4, 1, 2, 4]
    loss = model.loss(tokens)
    loss.backward()
    rows = residual_split(loss, model)
    assert [(r.block, r.branch) for r in rows] == [
        ("block0", "attn"),
        ("block0", "mlp"),
        ("block1", "attn"),
        ("block1", "mlp"),
    ]
    assert all(0.0 < r.stream_share < 1.0 for r in rows)
    # With the attention branch of block 0 cut, what reaches its input is the stream part alone.
    xs = model.embed(tokens[:-1])
    from nn.losses import cross_entropy

    cut_loss = cross_entropy(model.head(model.stream(xs, cut={0: ["attn"]})), tokens[1:])
    cut_loss.backward()
    stream_only = sum(abs(v.grad) for x in xs for v in x) / 12
    full = model.embed(tokens[:-1])
    cross_entropy(model.head(model.stream(full)), tokens[1:]).backward()
    assert stream_only == pytest.approx(rows[0].stream, rel=1e-12)
    assert TransformerBlock(4, 2, residual=False).residual_joins() == {}


def test_path_lengths_add_up_and_the_straight_path_is_the_stream_alone():
    model = GPT(5, block_size=4, n_embd=4, n_head=2, n_layer=2, seed=0, std=0.4)
    tokens = [4, 1, 2, 4]
    result = path_lengths(model, tokens)
    assert result.branches == 4 and result.paths == [1, 4, 6, 4, 1]
    assert sum(result.share) == pytest.approx(1.0) and sum(result.path_share) == pytest.approx(1.0)
    xs = model.embed(tokens[:-1])
    from nn.losses import cross_entropy

    cross_entropy(model.head(model.stream(xs, cut={0: ["attn", "mlp"], 1: ["attn", "mlp"]})), tokens[1:]).backward()
    straight = math.sqrt(sum(v.grad**2 for x in xs for v in x))
    assert result.size[0] == pytest.approx(straight, rel=1e-12)


@pytest.mark.slow
def test_the_names_job_prints_the_loss_as_it_goes_and_samples(capsys):
    from nn.names_gpt import main

    assert main(["--steps", "20", "--every", "10", "--samples", "3", "--seed", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("5163 names, 27 tokens, 4240 parameters; the first loss should be near ln 27 = 3.296")
    assert [line.split(":")[0] for line in out[1:3]] == ["step    10", "step    20"]
    assert out[3].startswith("trained 20 steps in ") and len([line for line in out if line.startswith("sample")]) == 3
    with pytest.raises(SystemExit):
        main(["--steps", "0"])


@pytest.mark.slow
def test_pre_and_post_norm_gradients_per_block():
    """Xiong et al. 2020 at our scale: post-norm gradients grow toward the output, pre-norm's do not."""
    from nn.residual_stream import compare_norms

    table = compare_norms(depths=(6,), seeds=(0,))
    post, pre = table[("post", 6)], table[("pre", 6)]
    assert len(post) == len(pre) == 6
    assert sum(post[3:]) > sum(post[:3]) and sum(pre[3:]) < sum(pre[:3])


def test_the_split_works_for_residual_mlps_too():
    from nn import ResidualMLP

    model = ResidualMLP(2, 3, 2, seed=0)
    out = model([0.5, -0.5])
    out.backward()
    rows = residual_split(out, model)
    assert [(r.block, r.branch) for r in rows] == [("block0", "skip"), ("block1", "skip")]


def test_most_edges_of_a_gpt_step_are_inside_dot_nodes():
    """The README's account of where nn.GPT's time goes: its work is per edge, and the edges are dots'."""
    chars = Characters(names())
    order = topological_order(GPT(chars.vocab_size, seed=0).loss(chars.encode("olivia")))
    edges = sum(len(node.children) for node in order)
    in_dots = sum(len(node.children) for node in order if node.op == "dot")
    assert in_dots > 0.9 * edges and edges > 7 * len(order)
