"""The regime map: log10 ||dh_T/dh_0|| over the weight scale against T (or against the activation).

One forward sweep gives every T at once, P_t = dh_t/dh_0 = diag(f'(a_t)) W_hh P_{t-1}, and all scales and seeds
run together as one batch of matrix products. P is rescaled at each step (its log10 scale kept apart) so that
neither vanishing nor exploding products leave floating point. The line where Pascanu et al.'s condition
changes, gamma * sigma_max(W_hh) = 1, sits at scale = 1 / (gamma * sigma_max of the scale-1 matrix).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.activations import ACTIVATIONS, get_activation
from rnnviz.experiment import OUTPUT_SIZE, build_inputs
from rnnviz.init import random_rnn, sigma_max
from rnnviz.settings import LIMITS, Settings

MAP_HIDDEN = 32  # the map's hidden size (H above it would only slow it down; the picture barely moves)
MAP_SEEDS = 3
LOG10_FLOOR = -300.0  # a product that is exactly zero (dead ReLU units) is drawn at this depth
LOG10_CEILING = 300.0  # a run whose state overflowed (the gradient exploded out of floating point) is drawn here


@dataclass(frozen=True)
class RegimeMap:
    axis: str  # "T" or "activation"
    scales: np.ndarray  # (S,) x axis
    rows: tuple  # (R,) the T values or the activation names
    log10_norms: np.ndarray  # (R, S) mean over seeds of log10 ||dh_T/dh_0||_2
    critical_scales: np.ndarray  # (R,) the scale where gamma * sigma_max = 1
    settings: Settings
    n_seeds: int = MAP_SEEDS  # each cell is the mean over this many seeds


MAP_MAX_SCALE = 3.0  # the map's x axis ends here; the sidebar goes on to scales where the state overflows


def default_scales() -> np.ndarray:
    low, high = LIMITS.scale
    return np.round(np.linspace(max(low, 0.1), min(high, MAP_MAX_SCALE), 30), 3)


def default_lengths(max_length: int = 200) -> np.ndarray:
    return np.unique(np.round(np.geomspace(2, max_length, 20)).astype(int))


def _log10_products(
    settings: Settings, activation: str, scales: np.ndarray, lengths: np.ndarray, n_seeds: int
) -> tuple[np.ndarray, float]:
    """(len(lengths), S) mean log10 ||dh_T/dh_0||_2 and the mean sigma_max of the scale-1 W_hh."""
    T = int(lengths.max())
    f = get_activation(activation)
    W_hh, input_parts, unit_sigmas = [], [], []
    seed_count = LIMITS.seed[1] - LIMITS.seed[0] + 1
    for seed in (LIMITS.seed[0] + (settings.seed - LIMITS.seed[0] + i) % seed_count for i in range(n_seeds)):
        varied = settings.replace(seed=seed, seq_length=min(max(T, 2), LIMITS.seq_length[1]))
        xs, tokens, _ = build_inputs(varied, np.random.default_rng(seed))
        O = xs.shape[1] if tokens is not None else OUTPUT_SIZE
        for scale in scales:
            cell = random_rnn(MAP_HIDDEN, xs.shape[1], O, activation, settings.init, float(scale), seed=seed)
            W_hh.append(cell.W_hh)
            input_parts.append(xs[:T] @ cell.W_xh.T + cell.b_h)  # (T, H)
        unit_sigmas.append(
            sigma_max(random_rnn(MAP_HIDDEN, xs.shape[1], O, activation, settings.init, 1.0, seed=seed).W_hh)
        )
    W_hh = np.array(W_hh)  # (N, H, H), N = seeds * scales
    input_parts = np.array(input_parts)  # (N, T, H)
    N, H = W_hh.shape[0], MAP_HIDDEN
    h = np.zeros((N, H))
    P = np.broadcast_to(np.eye(H), (N, H, H)).copy()
    log_scale = np.zeros(N)
    overflowed = np.zeros(N, dtype=bool)  # the state left floating point: the run exploded
    wanted = set(int(length) for length in lengths)
    out = {}
    with np.errstate(all="ignore"):
        for t in range(1, T + 1):
            a = np.einsum("nij,nj->ni", W_hh, h) + input_parts[:, t - 1]
            h = f.f(a)
            overflowed |= ~np.all(np.isfinite(h), axis=1)
            P = (f.df(a)[:, :, None] * W_hh) @ P  # dh_t/dh_0 = diag(f'(a_t)) W_hh dh_{t-1}/dh_0
            norms = np.linalg.norm(P, axis=(1, 2))
            alive = norms > 0
            P[alive] /= norms[alive, None, None]
            log_scale = np.where(alive, log_scale + np.log10(np.where(alive, norms, 1.0)), -np.inf)
            if t in wanted:
                spectral = np.sqrt(np.maximum(np.linalg.eigvalsh(P @ P.transpose(0, 2, 1))[:, -1], 0.0))
                log10 = np.clip(
                    np.nan_to_num(log_scale + np.log10(spectral), nan=LOG10_FLOOR), LOG10_FLOOR, LOG10_CEILING
                )
                log10 = np.where(overflowed, LOG10_CEILING, log10)
                out[t] = log10.reshape(n_seeds, -1).mean(axis=0)
    return np.array([out[int(length)] for length in lengths]), float(np.mean(unit_sigmas))


def regime_map(
    settings: Settings, axis: str = "T", scales=None, lengths=None, n_seeds: int = MAP_SEEDS, max_length: int = 200
) -> RegimeMap:
    """The map for the settings' init and input kind: over scale x T (for the settings' activation), or over
    scale x activation (at the settings' T)."""
    if axis not in ("T", "activation"):
        raise ValueError(f"axis must be 'T' or 'activation', got {axis!r}")
    scales = default_scales() if scales is None else np.asarray(scales, dtype=float)
    if axis == "T":
        lengths = default_lengths(max_length) if lengths is None else np.asarray(lengths, dtype=int)
        norms, unit_sigma = _log10_products(settings, settings.activation, scales, lengths, n_seeds)
        gamma = get_activation(settings.activation).gamma
        return RegimeMap(
            "T",
            scales,
            tuple(int(t) for t in lengths),
            norms,
            np.full(len(lengths), 1.0 / (gamma * unit_sigma)),
            settings,
            n_seeds,
        )
    rows, critical = [], []
    for name in ACTIVATIONS:
        norms, unit_sigma = _log10_products(settings, name, scales, np.array([settings.seq_length]), n_seeds)
        rows.append(norms[0])
        critical.append(1.0 / (ACTIVATIONS[name].gamma * unit_sigma))
    return RegimeMap("activation", scales, tuple(ACTIVATIONS), np.array(rows), np.array(critical), settings, n_seeds)
