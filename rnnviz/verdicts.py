"""Every verdict the app puts into words, computed from the numbers of the run it describes.

The tolerances are named here and nowhere else. The bound behind the verdicts (Pascanu, Mikolov & Bengio 2013):

    ‖∂h_T/∂h_k‖ ≤ (γ σ_max)^(T-k)        γ = sup |f'|,  σ_max = ‖W_hh‖₂

γσ_max < 1 is sufficient for the long-term terms to vanish; γσ_max > 1 is necessary, not sufficient, for them to
explode; at γσ_max = 1 the bound is 1, so they cannot grow. Floating point returns "exactly 1" as
1.0000000000000033, so every comparison with 1 goes through `compare_with_one`.

Notation in every sentence: γ, σ_max, ρ, ‖∂h_T/∂h_0‖, and 10^x as `power_of_ten` writes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

UNIT_RTOL = 1e-9  # within this relative distance of 1 a quantity counts as 1 (an orthogonal ρ: 1.0000000000000033)
EDGE_DECADES = 2.0  # the badge: ‖∂h_T/∂h_0‖ ≤ 10^-2 vanishing, ≥ 10^+2 exploding, near the edge in between
WHOLE_DECADES_FROM = 10.0  # 10^x is written with one decimal below ten decades, as a whole number from there
FACTOR_DIGITS = 3  # significant digits of a factor such as ρ, γσ_max or the growth per step

BELOW, AT, ABOVE = "below", "at", "above"  # where a quantity stands against 1
VANISHING, NEAR_EDGE, EXPLODING = "vanishing", "near the edge", "exploding"  # the badge
EXACTLY_ZERO, OVERFLOWED = "exactly zero", "overflowed"  # how a product left the finite numbers


def compare_with_one(value: float, rtol: float = UNIT_RTOL) -> str:
    """BELOW, AT or ABOVE: `value` against 1, counting |value - 1| ≤ rtol as 1 (rtol = UNIT_RTOL)."""
    if abs(value - 1.0) <= rtol:
        return AT
    return BELOW if value < 1.0 else ABOVE


def relation_to_one(value: float) -> str:
    """ "<", "=" or ">": the sign between `value` and 1 in a sentence (tolerance UNIT_RTOL)."""
    return {BELOW: "<", AT: "=", ABOVE: ">"}[compare_with_one(value)]


def factor(value: float) -> str:
    """A factor with FACTOR_DIGITS significant digits, which never prints "1" unless it is 1 within UNIT_RTOL.

    0.99996 prints as 0.99996, not 1; 1.0000000000000033 prints as 1.
    """
    if not np.isfinite(value):
        return "∞" if value == np.inf else "n/a"
    if compare_with_one(value) == AT:
        return "1"
    for digits in range(FACTOR_DIGITS, 17):
        text = f"{value:.{digits}g}"
        if float(text) != 1.0:
            return text
    return repr(float(value))


def power_of_ten(log10_value: float, latex: bool = False) -> str:
    """10^x in the app's one notation: "10^-12.3", "10^+0.8", "10^0", "10^-2", "10^-20" (whole from WHOLE_DECADES_FROM);
    "0" for an exact zero, "∞" beyond floating point. latex=True writes 10^{-12.3} for a formula."""
    if log10_value == -np.inf:
        return "0"
    if not np.isfinite(log10_value):
        return r"\infty" if latex else "∞"
    digits = 0 if abs(log10_value) >= WHOLE_DECADES_FROM - 0.05 else 1
    text = f"{log10_value:+.{digits}f}".removesuffix(".0")
    if float(text) == 0.0:
        text = "0"
    return f"10^{{{text}}}" if latex else f"10^{text}"


def tolerance_words() -> str:
    """How "= 1" is meant, e.g. "within 10^-9 of 1"."""
    return f"within {power_of_ten(math.log10(UNIT_RTOL))} of 1"


# the badge ------------------------------------------------------------------------------------------------------


def badge(log10_norm: float) -> str:
    """The badge for a measured log10 ‖∂h_T/∂h_0‖: VANISHING at or below -EDGE_DECADES (exactly 0 included),
    EXPLODING at or above +EDGE_DECADES (beyond floating point included), NEAR_EDGE in between."""
    if np.isnan(log10_norm) or log10_norm >= EDGE_DECADES:
        return EXPLODING
    if log10_norm <= -EDGE_DECADES:
        return VANISHING
    return NEAR_EDGE


def badge_rule() -> str:
    """The badge's rule in words, for every place that colours or names a regime."""
    return (
        f"‖∂h_T/∂h_0‖ ≤ {power_of_ten(-EDGE_DECADES)} is **vanishing**, ≥ {power_of_ten(EDGE_DECADES)} is "
        f"**exploding**, in between **near the edge**"
    )


def decades_words(log10_norm: float) -> str:
    """Where a measured log10 ‖∂h_T/∂h_0‖ stands against the badge's rule, e.g. "below 10^-2"."""
    label = badge(log10_norm)
    if label == VANISHING:
        return f"at or below {power_of_ten(-EDGE_DECADES)}"
    if label == EXPLODING:
        return f"at or above {power_of_ten(EDGE_DECADES)}"
    return f"between {power_of_ten(-EDGE_DECADES)} and {power_of_ten(EDGE_DECADES)}"


# Pascanu's conditions -------------------------------------------------------------------------------------------


def pascanu_case(gamma: float, sigma: float) -> str:
    """BELOW (vanishing guaranteed), AT (the bound is 1: cannot grow) or ABOVE (explosion possible): γσ_max
    against 1 within UNIT_RTOL."""
    return compare_with_one(gamma * sigma)


def steps_until_below(product: float, decades: float = EDGE_DECADES) -> int | None:
    """The least T with product^T ≤ 10^-decades (the bound under the badge's vanishing line); None when product
    ≥ 1 within UNIT_RTOL."""
    if product == 0.0:
        return 1
    if compare_with_one(product) != BELOW:
        return None
    return max(1, math.ceil(-decades / math.log10(product) - 1e-12))


def pascanu_sentence(gamma: float, sigma: float, steps: int | None = None) -> str:
    """Pascanu's condition for γ and σ_max in three cases, e.g. "γσ_max = 1 × 0.9 = 0.9 < 1: vanishing is
    guaranteed".

    γσ_max < 1 (UNIT_RTOL): "vanishing is guaranteed", said only when the bound (γσ_max)^T is itself at or below the
    badge's 10^-EDGE_DECADES over `steps` = T (or when no T is given); over a shorter T the sentence says the
    gradient must shrink and from which T the bound guarantees the badge's vanishing. γσ_max = 1: the bound is 1,
    it cannot grow. γσ_max > 1: explosion is possible (necessary, not sufficient).
    """
    product = gamma * sigma
    case = pascanu_case(gamma, sigma)
    numbers = f"γσ_max = {gamma:g} × {factor(sigma)} = {factor(product)}"
    if case == AT:
        return f"{numbers} ({tolerance_words()}): the bound is 1, so ‖∂h_T/∂h_k‖ cannot grow"
    if case == ABOVE:
        return f"{numbers} > 1: explosion is possible but not certain (the condition is necessary, not sufficient)"
    needed = steps_until_below(product)
    if steps is None or needed is None or steps >= needed:
        return f"{numbers} < 1: vanishing is guaranteed"
    return (
        f"{numbers} < 1: the gradient must shrink, but over T = {steps} steps the bound is only "
        f"{power_of_ten(steps * math.log10(product))}; it guarantees vanishing ({power_of_ten(-EDGE_DECADES)}) "
        f"from T = {needed}"
    )


def radius_sentence(radius: float) -> str:
    """A linear cell's long run, decided by ρ = ρ(W_hh) (‖W_hh^n‖^(1/n) → ρ), compared with 1 within UNIT_RTOL."""
    case = compare_with_one(radius)
    if case == AT:
        return (
            f"ρ = 1 ({tolerance_words()}): in the long run the terms neither shrink nor grow geometrically "
            f"(‖W_hh^n‖^(1/n) → ρ = 1)"
        )
    verdict = "vanish" if case == BELOW else "explode"
    return f"ρ = {factor(radius)} {relation_to_one(radius)} 1: in the long run the long-term terms {verdict}"


def pascanu_paragraph(activation: str, gamma: float, sigma: float, radius: float, label: str, steps: int) -> str:
    """The Gradients page's paragraph on Pascanu's conditions for this run (markdown): the linear cell's ρ, or
    the three cases of γσ_max, each ending on what this run measured (`label`, the badge) where the theory
    leaves it open."""
    limit = f"1/γ = {1.0 / gamma:g}"
    if activation == "linear":
        return (
            f"**Linear cell:** ∂h_T/∂h_k = W_hh^(T-k), so in the long run the spectral radius decides: "
            f"{radius_sentence(radius)}. σ_max = {factor(sigma)} bounds every step, loosely: "
            f"ρ^n ≤ ‖W_hh^n‖ ≤ σ_max^n (see the panel on σ_max below). This run is **{label}**."
        )
    case = pascanu_case(gamma, sigma)
    if case == BELOW:
        return (
            f"**Sufficient for vanishing:** σ_max = {factor(sigma)} < {limit}. Every step back multiplies the "
            f"gradient by at most γσ_max = {factor(gamma * sigma)}, whatever the inputs: "
            f"{pascanu_sentence(gamma, sigma, steps)}. This run is **{label}**."
        )
    if case == AT:
        return (
            f"**At the edge:** σ_max = {limit} ({tolerance_words()}), so γσ_max = 1 and the bound is 1: "
            f"‖∂h_T/∂h_k‖ cannot grow. Whether it shrinks depends on f'(a_t) and the directions: this run is "
            f"**{label}**."
        )
    return (
        f"**Necessary for exploding:** σ_max = {factor(sigma)} > {limit}, so the long-term terms may explode, but "
        f"need not: where |f'(a_t)| < γ (saturated or switched-off units) or the directions do not line up, they "
        f"still shrink. The measurement decides: this run is **{label}**."
    )


# the regime of a run --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Regime:
    """How the gradient behaves over the run, and why, in words."""

    label: str  # the badge: VANISHING | NEAR_EDGE | EXPLODING
    reason: str  # in words, with the numbers; never disagrees with the label
    kind: str = ""  # the label, or EXACTLY_ZERO / OVERFLOWED when the product left the finite numbers


def regime(log10_norms: np.ndarray, gamma: float, sigma: float, radius: float) -> Regime:
    """Classify a run by its measured ‖∂h_T/∂h_0‖ (`badge`), with Pascanu's condition as the reason.

    Parameters
    ----------
    log10_norms : (T+1,) log10 ‖∂h_T/∂h_k‖ for k = 0..T (as from `diagnostics.jacobian_norms`); -inf where the
        product is exactly zero, NaN or +inf where it left floating point.
    gamma, sigma, radius : γ = sup |f'|, σ_max(W_hh) and ρ(W_hh), for the reason.
    """
    log10_norms = np.asarray(log10_norms, dtype=float)
    if log10_norms.ndim != 1 or log10_norms.shape[0] < 1:
        raise ValueError(f"log10_norms must have shape (T+1,), got {log10_norms.shape}")
    T = log10_norms.shape[0] - 1
    at_0 = float(log10_norms[0])
    label = badge(at_0)
    condition = f"{pascanu_sentence(gamma, sigma, T)}; ρ = {factor(radius)}"
    if not np.isfinite(at_0):
        finite = np.flatnonzero(np.isfinite(log10_norms))
        back = T - finite[0] + 1 if finite.size else 1  # the first step back whose product is not finite
        after = f"after {back} step{'s' if back != 1 else ''} back"
        if at_0 == -np.inf:
            return Regime(
                label,
                f"‖∂h_T/∂h_k‖ became exactly 0 {after}: every path through the units was cut, e.g. by ReLU "
                f"units that are off. {condition}.",
                EXACTLY_ZERO,
            )
        return Regime(label, f"‖∂h_T/∂h_k‖ left floating point {after}: it exploded. {condition}.", OVERFLOWED)
    over = f"Over {T} step{'s' if T != 1 else ''} ‖∂h_T/∂h_0‖ = {power_of_ten(at_0)}, {decades_words(at_0)}"
    if label == VANISHING:
        return Regime(label, f"{over}: the gradient vanishes. {condition}.", label)
    if label == EXPLODING:
        return Regime(label, f"{over}: the gradient explodes. {condition}.", label)
    return Regime(label, f"{over}: it neither vanishes nor explodes over this length. {condition}.", label)


# growth per step ------------------------------------------------------------------------------------------------


def growth_sentence(growth: float, seq_length: int, steps: int = 20) -> str:
    """The fitted factor per step in words: "× 0.982 per step (fitted over every k): 20 such steps make 10^-0.2".

    Never "shrinks by 0.982" (it reads as losing 98%); a factor of 1 within UNIT_RTOL says "keeps its size";
    the n steps are n = min(steps, seq_length), never more steps than the run has. The factor is the straight-line
    fit of log10 ‖∂h_T/∂h_k‖ over every k, so n such steps can differ from the measured value n steps back.
    """
    if not np.isfinite(growth) or growth <= 0:
        return "no finite growth factor could be measured"
    fitted = f"× {factor(growth)} per step (fitted over every k)"
    if compare_with_one(growth) == AT:
        return f"{fitted}: it keeps its size"
    n = min(int(steps), int(seq_length))
    return f"{fitted}: {n} such step{'s' if n != 1 else ''} make {power_of_ten(n * math.log10(growth))}"


# where the gradient comes from ----------------------------------------------------------------------------------


def recent_steps_sentence(carrying: int, seq_length: int, share: float = 0.99) -> str:
    """ "Recent inputs weigh more", measured: the last `carrying` of T steps carry `share` of the summed terms."""
    claim = (
        "the recent inputs weigh more"
        if carrying <= seq_length / 2
        else "the early steps still count, so recent inputs do not dominate here"
    )
    return f"The last **{carrying} of {seq_length} steps** carry {share:.0%} of the summed W_hh terms: {claim}."
