"""Initialisers for the recurrent matrix W_hh (and the rest of a cell), each with a scale the user sets.

- "gaussian":         entries N(0, scale^2 / H): spectral radius about `scale` for large H (circular law)
- "orthogonal":       scale * Q with Q orthogonal: every singular value equals `scale` (Saxe et al. 2014)
- "identity":         scale * I (IRNN with ReLU, Le, Jaitly & Hinton 2015)
- "spectral_radius":  a Gaussian matrix rescaled so that its spectral radius is exactly `scale`
- "sigma_max":        a Gaussian matrix rescaled so that its largest singular value is exactly `scale`
"""

from __future__ import annotations

import numpy as np

from rnnviz._checks import finite_number, one_of, positive_int

RECURRENT_INITS = ("gaussian", "orthogonal", "identity", "spectral_radius", "sigma_max")


def spectral_radius(W: np.ndarray) -> float:
    """rho(W) = max |eigenvalue of W|."""
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def sigma_max(W: np.ndarray) -> float:
    """The largest singular value of W, its spectral norm ||W||_2."""
    return float(np.linalg.norm(W, 2))


def orthogonal(n_rows: int, n_cols: int, rng: np.random.Generator) -> np.ndarray:
    """A (semi-)orthogonal matrix, uniformly distributed (QR of a Gaussian matrix with the signs fixed)."""
    A = rng.standard_normal((max(n_rows, n_cols), min(n_rows, n_cols)))
    Q, R = np.linalg.qr(A)
    Q *= np.sign(np.diag(R))  # makes the distribution uniform (Haar), not biased by QR's sign convention
    return Q if n_rows >= n_cols else Q.T


def recurrent_matrix(init: str, hidden_size: int, scale: float, rng: np.random.Generator) -> np.ndarray:
    """W_hh (H, H) drawn by `init` (one of RECURRENT_INITS) with the given scale."""
    one_of("init", init, RECURRENT_INITS)
    H = positive_int("hidden_size", hidden_size)
    scale = finite_number("scale", scale, low=0.0)
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
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_out, n_in))


def random_rnn(hidden_size: int, input_size: int, output_size: int, activation: str = "tanh",
               init: str = "gaussian", scale: float = 1.0, seed: int = 0, input_scale: float = 1.0):
    """An RNN with W_hh from `recurrent_matrix`, W_xh ~ N(0, input_scale^2 / D), W_hy ~ N(0, 1 / H), zero biases."""
    from rnnviz.rnn import RNN

    H = positive_int("hidden_size", hidden_size)
    D = positive_int("input_size", input_size)
    O = positive_int("output_size", output_size)
    rng = np.random.default_rng(seed)
    W_hh = recurrent_matrix(init, H, scale, rng)
    W_xh = input_scale * rng.standard_normal((H, D)) / np.sqrt(D)
    W_hy = rng.standard_normal((O, H)) / np.sqrt(H)
    return RNN(W_xh, W_hh, np.zeros(H), W_hy, np.zeros(O), activation=activation)
