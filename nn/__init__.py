"""skipgrad's neural-network modules on top of autograd.Value: MLPs, residual blocks, losses,
optimizers, toy data, training, and gradient-flow diagnostics.

>>> from nn import MLP
>>> MLP(2, [16, 16, 1], seed=1337)([0.5, -1.0]).role.qualified_name
'layer2.n0.z'
"""

from .data import make_circles, make_moons, make_spirals, names
from .diagnostics import (
    GradientFlow,
    LayerGradient,
    compare_gradient_flow,
    first_layer_ratio,
    gradient_flow,
    plot_gradient_flow,
)
from .io import load, save
from .losses import binary_cross_entropy_with_logits, cross_entropy, hinge_loss, l2_penalty, mse_loss
from .module import MLP, Layer, Module, Neuron, Sequential
from .optim import SGD, Adam, Optimizer
from .residual import ResidualBlock, ResidualMLP, plain_and_residual
from .text import Characters
from .torch_export import from_torch, to_torch
from .train import History, accuracy, fit, train_gpt
from .transformer import (
    GPT,
    CausalSelfAttention,
    Embedding,
    FeedForward,
    LayerNorm,
    Linear,
    RMSNorm,
    TransformerBlock,
    softmax,
)

__all__ = [
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "Sequential",
    "ResidualBlock",
    "ResidualMLP",
    "plain_and_residual",
    "mse_loss",
    "hinge_loss",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "l2_penalty",
    "SGD",
    "Adam",
    "Optimizer",
    "make_moons",
    "make_circles",
    "make_spirals",
    "Embedding",
    "Linear",
    "RMSNorm",
    "LayerNorm",
    "CausalSelfAttention",
    "FeedForward",
    "TransformerBlock",
    "GPT",
    "softmax",
    "Characters",
    "train_gpt",
    "names",
    "fit",
    "accuracy",
    "History",
    "gradient_flow",
    "compare_gradient_flow",
    "first_layer_ratio",
    "plot_gradient_flow",
    "GradientFlow",
    "LayerGradient",
    "save",
    "load",
    "to_torch",
    "from_torch",
]
