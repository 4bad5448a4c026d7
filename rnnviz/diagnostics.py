"""What the pages measure on a run: Jacobian norms beside their bound and the growth factor (the regime and every
verdict in words: rnnviz.verdicts).

    ||dh_T/dh_k|| <= (gamma * sigma_max(W_hh))^(T-k)       gamma = sup |f'|

Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent neural networks": gamma * sigma_max
< 1 is sufficient for the long-term terms to vanish, gamma * sigma_max > 1 is necessary for them to explode.
Norms are carried as log10 so that products of 500 steps neither overflow nor underflow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz._checks import finite_number, positive_int
from rnnviz.cell import backward_sweep
from rnnviz.init import sigma_max, spectral_radius
from rnnviz.run import _check_run
from rnnviz.verdicts import EDGE_DECADES, Regime, regime  # noqa: F401 - the verdicts live in rnnviz.verdicts

EXACT_SPECTRAL_UP_TO = 64  # hidden sizes above this estimate ||.||_2 by warm-started subspace iteration
POWER_BLOCK = 8  # vectors in the subspace iteration
SATURATION_THRESHOLD = 0.1  # a unit is saturated when f'(a) < 0.1 * gamma


@dataclass(frozen=True)
class JacobianNorms:
    """log10 ||dh_T/dh_k|| for k = 0..T, spectral and Frobenius."""

    log10_spectral: np.ndarray  # (T+1,)
    log10_frobenius: np.ndarray  # (T+1,)
    exact_spectral: bool  # False when the spectral norm is a subspace-iteration estimate (a lower bound)

    @property
    def spectral(self) -> np.ndarray:
        """||dh_T/dh_k||_2 itself (0 or infinity where it leaves floating point)."""
        with np.errstate(over="ignore"):
            return 10.0**self.log10_spectral


def _log10(x: float) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.log10(x))


def jacobian_norms(run, exact_spectral: bool | None = None, path: str = "h") -> JacobianNorms:
    """log10 of ||dh_T/dh_k||_2 and ||dh_T/dh_k||_F for every k, in one backward sweep that rescales as it goes.

    The sweep keeps M_k = J[k] / s_k with log10 s_k accumulated apart, so norms like 10^-300 or 10^+400 are
    exact. The spectral norm is exact for H <= 64 (or when asked); above, warm-started subspace iteration gives a
    lower bound that agrees with it to about 1e-12 relative in practice. For an LSTM, path="c" measures the cell path
    dc_T/dc_k (h_k held fixed) instead of dh_T/dh_k.
    """
    _check_run(run)
    if run.batched:
        raise ValueError("run must be unbatched for jacobian_norms")
    cell, T, H = run.cell, run.T, run.cell.hidden_size
    cell.chain_start(path)  # a ValueError for a path that is not one of the cell's states
    exact = H <= EXACT_SPECTRAL_UP_TO if exact_spectral is None else bool(exact_spectral)
    log_spectral, log_frobenius = np.empty(T + 1), np.empty(T + 1)
    log_spectral[T], log_frobenius[T] = 0.0, 0.5 * np.log10(H)  # J[T] = I
    U = _starting_block(H)  # left singular subspace estimate, carried from one k to the next
    for k, M, log_scale in backward_sweep(run, path, rescale=True):  # M = d(path_T)/d(state_k) / 10^log_scale
        if not np.isfinite(log_scale):  # the product reached 0 (-inf) or left floating point (nan)
            log_spectral[: k + 1] = log_frobenius[: k + 1] = log_scale
            break
        J = cell.chain_readout(M, path)  # d(path_T)/d(path_k) / 10^log_scale
        log_frobenius[k] = log_scale + _log10(float(np.linalg.norm(J)))
        spectral, U = (_exact_spectral(J), U) if exact else _power_spectral(J, U)
        log_spectral[k] = log_scale + _log10(spectral)
    return JacobianNorms(log_spectral, log_frobenius, exact)


def _starting_block(H: int) -> np.ndarray:
    """A fixed orthonormal (H, p) block, p = min(POWER_BLOCK, H), to start subspace iteration from."""
    block = np.random.default_rng(0).standard_normal((H, min(POWER_BLOCK, H)))
    return np.linalg.qr(block)[0]


def _exact_spectral(M: np.ndarray) -> float:
    return float(np.sqrt(max(np.linalg.eigvalsh(M @ M.T)[-1], 0.0)))


def _power_spectral(M: np.ndarray, U: np.ndarray, iterations: int = 100, rtol: float = 1e-12):
    """sigma_1(M) by subspace iteration on M M^T from the orthonormal block U (H, p); returns it and the new U.

    Each estimate is sigma_1(M^T U) <= sigma_1(M) for orthonormal U: a lower bound that rises to sigma_1 at the
    rate (sigma_{p+1} / sigma_1)^2 per iteration. A block converges where one vector stalls on close singular
    values, and U carried over from the previous k starts it near the answer.
    """
    estimate = 0.0
    for _ in range(iterations):
        V = M.T @ U  # (n, p)
        previous, estimate = estimate, float(np.linalg.svd(V, compute_uv=False)[0])
        if estimate == 0.0 or estimate - previous <= rtol * estimate:
            break
        U, _ = np.linalg.qr(M @ V)  # orthonormal basis of M M^T U
    return estimate, U


def jacobian_at(run, k: int) -> tuple[np.ndarray, float]:
    """dh_T/dh_k as (direction, log10 scale): the matrix equals direction * 10**log10_scale, ||direction||_F = 1."""
    _check_run(run)
    if run.batched:
        raise ValueError("run must be unbatched for jacobian_at")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= run.T:
        raise ValueError(f"k must be an integer between 0 and T = {run.T}, got {k!r}")
    cell = run.cell
    M, log_scale = cell.chain_start(), 0.0  # k = T: dh_T/dh_T = I
    for _, M_k, log_scale_k in backward_sweep(run, stop=k, rescale=True):
        M, log_scale = M_k, log_scale_k  # down to dh_T/d(state_k)
    J = cell.chain_readout(M)
    if not np.isfinite(log_scale):  # the product reached 0 (-inf) or left floating point (nan)
        return J, log_scale
    norm = float(np.linalg.norm(J))
    if norm == 0.0 or not np.isfinite(norm):
        return J, (-np.inf if norm == 0.0 else np.nan)
    return J / norm, float(log_scale + np.log10(norm))


def log10_bound(gamma: float, sigma: float, seq_length: int) -> np.ndarray:
    """log10 (gamma * sigma_max)^(T-k) for k = 0..T, shape (T+1,): the bound on ||dh_T/dh_k||_2.

    The bound is 1 (log10 0) at k = T and -inf at k < T when gamma * sigma_max = 0.
    """
    gamma = finite_number("gamma", gamma, low=0.0)
    sigma = finite_number("sigma", sigma, low=0.0)
    T = positive_int("seq_length", seq_length, low=0)
    steps_back = T - np.arange(T + 1)  # T-k
    if gamma * sigma == 0.0:
        return np.where(steps_back == 0, 0.0, -np.inf)
    return steps_back * np.log10(gamma * sigma)


def growth_factor(log10_norms: np.ndarray) -> float:
    """The measured factor r per step: the least-squares fit of log10 ||dh_T/dh_k|| = c + (T-k) log10 r.

    Uses the finite part only; NaN when fewer than two points are finite.
    """
    log10_norms = np.asarray(log10_norms, dtype=float)
    steps_back = log10_norms.shape[0] - 1 - np.arange(log10_norms.shape[0])
    finite = np.isfinite(log10_norms)
    if finite.sum() < 2:
        return float("nan")
    slope = np.polyfit(steps_back[finite], log10_norms[finite], 1)[0]
    return float(10.0**slope)


def saturation_share(run, threshold: float = SATURATION_THRESHOLD) -> np.ndarray:
    """(T,) share of units with f'(a_t) < threshold * gamma at each step (for ReLU: the units that are off)."""
    _check_run(run)
    if getattr(run.cell, "kind", None) != "rnn":
        raise ValueError("run must be a run of an rnnviz.RNN for saturation_share (gated cells have no single f')")
    fprime = run.trace.fprime
    with np.errstate(invalid="ignore"):
        saturated = fprime < threshold * run.cell.activation.gamma
    return saturated.reshape(saturated.shape[0], -1).mean(axis=1)


def state_norms(states: np.ndarray) -> np.ndarray:
    """||h_t|| (or ||dL/dh_t||) for every t of a (T+1, H) array."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.linalg.norm(states.reshape(states.shape[0], -1), axis=1)


def term_norms(per_step: np.ndarray) -> np.ndarray:
    """(T,) Frobenius norm of each step's term of a per-step gradient array (T, *shape)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.linalg.norm(per_step.reshape(per_step.shape[0], -1), axis=1)


def cumulative_share_from_end(norms: np.ndarray) -> np.ndarray:
    """share[t-1] = sum_{s >= t} norms[s-1] / sum norms: how much the last steps carry."""
    total = float(np.nansum(norms))
    if total == 0 or not np.isfinite(total):
        return np.full(norms.shape, np.nan)
    return np.cumsum(norms[::-1])[::-1] / total


def steps_carrying(norms: np.ndarray, share: float = 0.99) -> int:
    """The fewest last steps whose terms carry `share` of the summed term norms (all T when not finite)."""
    finite_number("share", share, low=0.0, high=1.0)
    cumulative = cumulative_share_from_end(norms)[::-1]  # from the last step backwards
    if not np.all(np.isfinite(cumulative)):
        return norms.shape[0]
    return int(np.searchsorted(cumulative, share - 1e-12) + 1)


def weight_summary(W_hh: np.ndarray, gamma: float) -> dict[str, float]:
    """Spectral radius, sigma_max and gamma * sigma_max of W_hh."""
    sigma = sigma_max(W_hh)
    return {"spectral_radius": spectral_radius(W_hh), "sigma_max": sigma, "gamma_sigma_max": gamma * sigma}
