"""Initialisers for the recurrent matrix W_hh (and the rest of a cell), each with a scale the user sets.

- "gaussian":         entries N(0, scale^2 / H): spectral radius about `scale` for large H (circular law)
- "orthogonal":       scale * Q with Q orthogonal: every singular value equals `scale` (Saxe et al. 2014)
- "identity":         scale * I (IRNN with ReLU, Le, Jaitly & Hinton 2015)
- "spectral_radius":  a Gaussian matrix rescaled so that its spectral radius is exactly `scale`
- "sigma_max":        a Gaussian matrix rescaled so that its largest singular value is exactly `scale`
"""

from __future__ import annotations

import numpy as np

from rnnviz._checks import as_array, as_generator, as_square, finite_number, one_of, positive_int
from rnnviz.rnn import RNN

RECURRENT_INITS = ("gaussian", "orthogonal", "identity", "spectral_radius", "sigma_max")


def spectral_radius(W: np.ndarray) -> float:
    """rho(W) = max |eigenvalue of W| of a square matrix W: for a linear cell it decides vanishing or exploding."""
    W = as_square("W", W)
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def sigma_max(W: np.ndarray) -> float:
    """The largest singular value of W, its spectral norm ||W||_2 (an upper bound on the spectral radius)."""
    W = as_array("W", W, 2)
    if W.size == 0:
        raise ValueError(f"W must have at least one entry, got shape {W.shape}")
    return float(np.linalg.norm(W, 2))


def orthogonal(n_rows: int, n_cols: int, rng: np.random.Generator) -> np.ndarray:
    """A (semi-)orthogonal (n_rows, n_cols) matrix, uniformly distributed (QR of a Gaussian matrix, signs fixed).

    Q^T Q = I when n_rows >= n_cols, Q Q^T = I otherwise: every singular value is 1.
    """
    n_rows = positive_int("n_rows", n_rows)
    n_cols = positive_int("n_cols", n_cols)
    rng = as_generator("rng", rng)
    A = rng.standard_normal((max(n_rows, n_cols), min(n_rows, n_cols)))
    Q, R = np.linalg.qr(A)
    Q *= np.sign(np.diag(R))  # makes the distribution uniform (Haar), not biased by QR's sign convention
    return Q if n_rows >= n_cols else Q.T


def recurrent_matrix(init: str, hidden_size: int, scale: float, rng: np.random.Generator) -> np.ndarray:
    """W_hh (H, H) drawn by `init` (one of RECURRENT_INITS, see the module docstring) with the given scale.

    Parameters
    ----------
    init : "gaussian" | "orthogonal" | "identity" | "spectral_radius" | "sigma_max"
    hidden_size : H >= 1.
    scale : >= 0; the spectral radius (about, for "gaussian"; exactly, for "spectral_radius"), every singular
        value ("orthogonal", "identity") or the largest one ("sigma_max").
    rng : np.random.default_rng(seed).
    """
    one_of("init", init, RECURRENT_INITS)
    H = positive_int("hidden_size", hidden_size)
    scale = finite_number("scale", scale, low=0.0)
    rng = as_generator("rng", rng)
    if init == "identity":
        return scale * np.eye(H)
    if init == "orthogonal":
        return scale * orthogonal(H, H, rng)
    W = rng.standard_normal((H, H)) / np.sqrt(H)
    if init == "gaussian":
        return scale * W
    if init == "spectral_radius":
        return scale * W / spectral_radius(W)
    return scale * W / sigma_max(W)


def glorot_uniform(n_out: int, n_in: int, rng: np.random.Generator) -> np.ndarray:
    """Keras' default for dense kernels: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out))."""
    n_out = positive_int("n_out", n_out)
    n_in = positive_int("n_in", n_in)
    rng = as_generator("rng", rng)
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_out, n_in))


def random_rnn(
    hidden_size: int,
    input_size: int,
    output_size: int,
    activation: str = "tanh",
    init: str = "gaussian",
    scale: float = 1.0,
    seed: int = 0,
    input_scale: float = 1.0,
):
    """An RNN with W_hh from `recurrent_matrix`, W_xh ~ N(0, input_scale^2 / D), W_hy ~ N(0, 1 / H), zero biases.

    The same arguments give the same network: every draw comes from np.random.default_rng(seed).
    """
    H = positive_int("hidden_size", hidden_size)
    D = positive_int("input_size", input_size)
    O = positive_int("output_size", output_size)
    input_scale = finite_number("input_scale", input_scale, low=0.0)
    rng = np.random.default_rng(positive_int("seed", seed, low=0))
    W_hh = recurrent_matrix(init, H, scale, rng)
    W_xh = input_scale * rng.standard_normal((H, D)) / np.sqrt(D)
    W_hy = rng.standard_normal((O, H)) / np.sqrt(H)
    return RNN(W_xh, W_hh, np.zeros(H), W_hy, np.zeros(O), activation=activation)
