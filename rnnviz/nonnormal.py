"""Spectral radius against sigma_max: how a non-normal W_hh can grow for a while before it shrinks.

For a linear cell dh_T/dh_k = W_hh^(T-k), so the gradient's size over n steps back is ||W_hh^n||_2. Gelfand's
formula gives ||W^n||^(1/n) -> rho(W) (the spectral radius) as n grows, so rho < 1 decides that the gradient
vanishes in the end. But ||W^n|| <= sigma_max(W)^n is all one can say for small n: when W is non-normal
(W W^T != W^T W, its eigenvectors are not orthogonal), ||W^n|| can first rise above 1 before the spectral
radius wins. For a normal matrix (symmetric, orthogonal, ...) ||W^n|| = rho^n exactly: no transient.

Trefethen & Embree (2005), "Spectra and Pseudospectra", ch. 14-15, on transient growth of matrix powers.
"""

from __future__ import annotations

import numpy as np

from rnnviz._checks import as_square, finite_number, positive_int
from rnnviz.init import sigma_max, spectral_radius


def log10_power_norms(W: np.ndarray, n_max: int, at: np.ndarray | None = None) -> np.ndarray:
    """log10 ||W^n||_2 for n = 0..n_max (or only at the steps `at`), exact even when the powers leave floating point.

    The power is carried as P_n = W^n / s_n with log10 s_n accumulated apart (as `diagnostics.jacobian_norms`
    does for the Jacobian products); -inf once W^n is exactly zero (a nilpotent W). Each norm costs an SVD, so
    for a large W pass the steps `at` (increasing, within 0..n_max) to measure only those; the result then has
    one value per step of `at`.
    """
    W = as_square("W", W)
    n_max = positive_int("n_max", n_max, low=0)
    steps = np.arange(n_max + 1) if at is None else np.asarray(at, dtype=int)
    if steps.ndim != 1 or (steps.size and (steps.min() < 0 or steps.max() > n_max or np.any(np.diff(steps) <= 0))):
        raise ValueError(f"at must be increasing steps between 0 and n_max = {n_max}, got {at!r}")
    wanted = set(steps.tolist())
    log_norms = dict.fromkeys(wanted, -np.inf)
    if 0 in wanted:
        log_norms[0] = 0.0  # ||I|| = 1
    P, log_scale = np.eye(W.shape[0]), 0.0  # P = W^n / 10^log_scale
    for n in range(1, int(steps.max()) + 1 if steps.size else 1):
        P = W @ P
        scale = float(np.linalg.norm(P))
        if scale == 0.0:
            break
        P /= scale
        log_scale += np.log10(scale)
        if n in wanted:
            log_norms[n] = log_scale + 0.5 * np.log10(max(np.linalg.eigvalsh(P @ P.T)[-1], 0.0))  # ||P||_2^2
    return np.array([log_norms[n] for n in steps.tolist()], dtype=float)


def departure_from_normality(W: np.ndarray) -> float:
    """Henrici's relative departure from normality, sqrt(||W||_F^2 - sum |lambda_i|^2) / ||W||_F, in [0, 1].

    0 for a normal matrix (then ||W^n|| = rho^n), near 1 when the eigenvalues say little about the norms.
    """
    W = as_square("W", W)
    frobenius_sq = float(np.sum(W**2))
    if frobenius_sq == 0.0:
        return 0.0
    eigen_sq = float(np.sum(np.abs(np.linalg.eigvals(W)) ** 2))
    return float(np.sqrt(max(frobenius_sq - eigen_sq, 0.0) / frobenius_sq))


def nonnormal_example(radius: float = 0.9, coupling: float = 4.0) -> np.ndarray:
    """The 2 x 2 matrix [[radius, coupling], [0, radius]]: spectral radius `radius`, sigma_max above it.

    Its powers are [[r^n, n c r^(n-1)], [0, r^n]]: the off-diagonal entry n c r^(n-1) first grows linearly,
    then decays like r^n. With radius 0.9 and coupling 4, ||W^n|| peaks near 10^1.2 around n = 9 before it
    shrinks, although every eigenvalue is 0.9.
    """
    radius = finite_number("radius", radius, low=0.0)
    coupling = finite_number("coupling", coupling)
    return np.array([[radius, coupling], [0.0, radius]])


def transient_peak(log10_norms: np.ndarray) -> tuple[int, float]:
    """(n, log10 ||W^n||) where the norms of the powers peak: n = 0 means no transient growth."""
    log10_norms = np.asarray(log10_norms, dtype=float)
    finite = np.where(np.isfinite(log10_norms), log10_norms, -np.inf)
    n = int(np.argmax(finite))
    return n, float(finite[n])


def summary(W: np.ndarray) -> dict[str, float]:
    """Spectral radius, sigma_max and the departure from normality of W."""
    return {
        "spectral_radius": spectral_radius(W),
        "sigma_max": sigma_max(W),
        "departure_from_normality": departure_from_normality(W),
    }
