"""The regime map: log10 ||dh_T/dh_0|| over the weight scale against T (or against the activation).

Each cell is the median over a few seeds (the first is the settings' own seed), so that one seed whose product
became exactly 0 (every ReLU unit switched off once) or left floating point does not drag the cell; how many
seeds died is kept beside it.

One forward sweep gives every T at once, P_t = dh_t/dh_0 = diag(f'(a_t)) W_hh P_{t-1}, and all scales and seeds
run together as one batch of matrix products. P is rescaled at each step (its log10 scale kept apart) so that
neither vanishing nor exploding products leave floating point. The line where Pascanu et al.'s condition
changes, gamma * sigma_max(W_hh) = 1, sits at scale = 1 / (gamma * sigma_max of the scale-1 matrix).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz import verdicts
from rnnviz.activations import ACTIVATIONS, get_activation
from rnnviz.experiment import OUTPUT_SIZE, build_inputs
from rnnviz.init import random_rnn, sigma_max
from rnnviz.settings import LIMITS, Settings

MAP_HIDDEN = 32  # the map's hidden size (H above it would only slow it down; the picture barely moves)
MAP_SEEDS = 3
LOG10_FLOOR = -300.0  # a median that is exactly zero (dead ReLU units) is drawn at this depth
LOG10_CEILING = 300.0  # a median beyond floating point (the state overflowed) is drawn at this height


@dataclass(frozen=True)
class RegimeMap:
    axis: str  # "T" or "activation"
    scales: np.ndarray  # (S,) x axis
    rows: tuple  # (R,) the T values or the activation names
    log10_norms: np.ndarray  # (R, S) median over seeds of log10 ||dh_T/dh_0||_2, clipped to the floor and ceiling
    critical_scales: np.ndarray  # (R,) the scale where gamma * sigma_max = 1
    settings: Settings
    n_seeds: int = MAP_SEEDS  # each cell is the median over this many seeds
    seed_log10_norms: np.ndarray | None = None  # (n_seeds, R, S) each seed's value: -inf exactly 0, +inf overflowed
    seeds: tuple = ()  # the seeds, the settings' own first

    @property
    def dead_seeds(self) -> np.ndarray:
        """(R, S) how many seeds' ||dh_T/dh_0|| is exactly 0."""
        return (self.seed_log10_norms == -np.inf).sum(axis=0)

    @property
    def overflowed_seeds(self) -> np.ndarray:
        """(R, S) how many seeds' state left floating point."""
        return (self.seed_log10_norms == np.inf).sum(axis=0)

    def badge(self, row: int, column: int) -> str:
        """The badge of the cell's median, by the rule of `verdicts.badge`."""
        return verdicts.badge(float(np.median(self.seed_log10_norms[:, row, column])))

    def cell_words(self, row: int, column: int, separator: str = "; ") -> str:
        """What one cell shows, for a student comparing it with the sidebar: the median and each seed's value."""
        values = self.seed_log10_norms[:, row, column]
        median = float(np.median(values))
        parts = [
            f"median of {self.n_seeds} seeds: {verdicts.power_of_ten(median)} ({verdicts.badge(median)})",
            "seeds "
            + ", ".join(
                f"{seed}: {verdicts.power_of_ten(value)}" for seed, value in zip(self.seeds, values, strict=True)
            ),
        ]
        dead = int(self.dead_seeds[row, column])
        if dead:
            parts.append(f"{dead} of {self.n_seeds} died (exactly 0)")
        if self.overflowed_seeds[row, column]:
            parts.append(f"{int(self.overflowed_seeds[row, column])} of {self.n_seeds} overflowed")
        parts.append(f"the sidebar shows seed {self.seeds[0]}'s value when H = {MAP_HIDDEN}")
        return separator.join(parts)

    def first_scale_reaching(self, row: int, log10_level: float) -> float | None:
        """The smallest scale of the map whose median reaches 10^log10_level in `row`, or None on this map."""
        reached = np.flatnonzero(self.log10_norms[row] >= log10_level)
        return float(self.scales[reached[0]]) if reached.size else None


MAP_MAX_SCALE = 3.0  # the map's x axis ends here; the sidebar goes on to scales where the state overflows


def default_scales() -> np.ndarray:
    low, high = LIMITS.scale
    return np.round(np.linspace(max(low, 0.1), min(high, MAP_MAX_SCALE), 30), 3)


def default_lengths(max_length: int = 200) -> np.ndarray:
    return np.unique(np.round(np.geomspace(2, max_length, 20)).astype(int))


def map_seeds(settings: Settings, n_seeds: int) -> tuple[int, ...]:
    """The settings' seed and the next n_seeds - 1 (wrapping around the allowed range)."""
    seed_count = LIMITS.seed[1] - LIMITS.seed[0] + 1
    return tuple(LIMITS.seed[0] + (settings.seed - LIMITS.seed[0] + i) % seed_count for i in range(n_seeds))


def _log10_products(
    settings: Settings, activation: str, scales: np.ndarray, lengths: np.ndarray, n_seeds: int
) -> tuple[np.ndarray, float]:
    """(n_seeds, len(lengths), S) log10 ||dh_T/dh_0||_2 of each seed (-inf for exactly 0, +inf where the state
    overflowed) and the mean sigma_max of the scale-1 W_hh."""
    T = int(lengths.max())
    f = get_activation(activation)
    W_hh, input_parts, unit_sigmas = [], [], []
    for seed in map_seeds(settings, n_seeds):
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
                log10 = np.where(alive, log_scale + np.log10(spectral), -np.inf)
                log10 = np.where(overflowed | np.isnan(log10), np.inf, log10)
                out[t] = log10.reshape(n_seeds, -1)
    return np.stack([out[int(length)] for length in lengths], axis=1), float(np.mean(unit_sigmas))


def _median(seed_values: np.ndarray) -> np.ndarray:
    """The median over seeds (axis 0), clipped to the drawable floor and ceiling."""
    return np.clip(np.median(seed_values, axis=0), LOG10_FLOOR, LOG10_CEILING)


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
        seed_values, unit_sigma = _log10_products(settings, settings.activation, scales, lengths, n_seeds)
        gamma = get_activation(settings.activation).gamma
        return RegimeMap(
            "T",
            scales,
            tuple(int(t) for t in lengths),
            _median(seed_values),
            np.full(len(lengths), 1.0 / (gamma * unit_sigma)),
            settings,
            n_seeds,
            seed_values,
            map_seeds(settings, n_seeds),
        )
    rows, critical = [], []
    for name in ACTIVATIONS:
        seed_values, unit_sigma = _log10_products(settings, name, scales, np.array([settings.seq_length]), n_seeds)
        rows.append(seed_values[:, 0])
        critical.append(1.0 / (ACTIVATIONS[name].gamma * unit_sigma))
    seed_values = np.stack(rows, axis=1)  # (n_seeds, R, S)
    return RegimeMap(
        "activation",
        scales,
        tuple(ACTIVATIONS),
        _median(seed_values),
        np.array(critical),
        settings,
        n_seeds,
        seed_values,
        map_seeds(settings, n_seeds),
    )


def edge_lines(regime: RegimeMap, rows: list[int] | None = None) -> list[str]:
    """Where each row of the map turns, measured on its medians: the first scale where ||dh_T/dh_0|| reaches 1
    and where the badge turns to exploding, beside the theory line gamma * sigma_max = 1 (or: beyond the map)."""
    end = f"{regime.scales[-1]:g}"
    explode = verdicts.power_of_ten(verdicts.EDGE_DECADES)
    lines = []
    for row in range(len(regime.rows)) if rows is None else rows:
        edge = regime.first_scale_reaching(row, 0.0)
        exploding = regime.first_scale_reaching(row, verdicts.EDGE_DECADES)
        critical = float(regime.critical_scales[row])
        beyond = ", beyond the map" if critical > regime.scales[-1] else ""
        reaches = f"reaches 1 at scale {edge:g}" if edge is not None else f"stays below 1 up to scale {end}"
        explodes = (
            f", exploding (≥ {explode}) from {exploding:g}" if exploding is not None else ", never exploding here"
        )
        name = regime.rows[row]
        label = f"T = {name}" if regime.axis == "T" else str(name)
        lines.append(f"**{label}**: {reaches}{explodes}; γσ_max = 1 at scale {critical:.2g}{beyond}")
    return lines
