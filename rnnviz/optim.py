"""Optimisers and gradient clipping, on a cell's parameter dict (updated in place).

Clipping (Pascanu, Mikolov & Bengio 2013):
- "norm":        if ||g|| > threshold then g <- threshold * g / ||g||    (the direction is kept)
- "elementwise": g_i <- clip(g_i, -threshold, threshold)                 (the direction changes)
||g|| is the global norm over every parameter's gradient.

Adam (Kingma & Ba 2015) with Keras' defaults (beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz._checks import finite_number, one_of

OPTIMIZERS = ("sgd", "adam")
CLIPPING = ("none", "norm", "elementwise")


def global_norm(grads: dict[str, np.ndarray]) -> float:
    """||g|| = sqrt(sum over every parameter of its squared entries)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))


@dataclass(frozen=True)
class Clipped:
    grads: dict[str, np.ndarray]
    norm_before: float  # ||g|| before clipping
    clipped: bool  # whether clipping changed anything


def clip(grads: dict[str, np.ndarray], method: str = "none", threshold: float = 1.0) -> Clipped:
    """The gradients clipped by `method` ("none" | "norm" | "elementwise") at `threshold`."""
    one_of("method", method, CLIPPING)
    norm = global_norm(grads)
    if method == "none":
        return Clipped(grads, norm, False)
    threshold = finite_number("threshold", threshold, low=0.0)
    if threshold <= 0:
        raise ValueError(f"threshold must be positive, got {threshold}")
    if method == "norm":
        if not norm > threshold:  # also leaves a NaN norm alone: the step is then skipped by the trainer
            return Clipped(grads, norm, False)
        factor = threshold / norm
        return Clipped({name: g * factor for name, g in grads.items()}, norm, True)
    clipped = {name: np.clip(g, -threshold, threshold) for name, g in grads.items()}
    changed = any(bool(np.any(np.abs(g) > threshold)) for g in grads.values())
    return Clipped(clipped, norm, changed)


class SGD:
    """theta <- theta - learning_rate * g."""

    def __init__(self, learning_rate: float = 0.01):
        self.learning_rate = finite_number("learning_rate", learning_rate, low=0.0)

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        for name, theta in params.items():
            theta -= self.learning_rate * grads[name]


class Adam:
    """m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  theta <- theta - lr_t m / (sqrt(v) + eps),
    lr_t = lr sqrt(1 - b2^t) / (1 - b1^t), as Keras and TensorFlow write it."""

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-7):
        self.learning_rate = finite_number("learning_rate", learning_rate, low=0.0)
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.t = 0
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        lr_t = float(self.learning_rate * np.sqrt(1 - b2**self.t) / (1 - b1**self.t))  # a float32 cell stays float32
        for name, theta in params.items():
            g = grads[name]
            m = self.m.setdefault(name, np.zeros_like(theta))
            v = self.v.setdefault(name, np.zeros_like(theta))
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            theta -= lr_t * m / (np.sqrt(v) + self.epsilon)


def make_optimizer(name: str, learning_rate: float):
    """SGD or Adam by name."""
    one_of("optimizer", name, OPTIMIZERS)
    return SGD(learning_rate) if name == "sgd" else Adam(learning_rate)
