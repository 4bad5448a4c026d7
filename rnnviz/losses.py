"""Where the loss sits, and the gradient dy = dL/dy it sends into backpropagation through time.

The four shapes of RNN differ in which steps receive an input and which carry a loss term L_t; the loss is
L = sum of L_t over the steps that carry one, so dy_t = 0 at the others and their gradient terms do not exist.
"""

from __future__ import annotations

import numpy as np

from rnnviz._checks import one_of, positive_int
from rnnviz.activations import softmax

LOSS_PLACEMENTS = ("many_to_one", "many_to_many", "one_to_many")
LOSSES = ("cross_entropy", "mse")


def loss_steps(placement: str, seq_length: int) -> np.ndarray:
    """(T,) bool: step t carries a loss term (many-to-one: the last step only)."""
    one_of("placement", placement, LOSS_PLACEMENTS)
    T = positive_int("seq_length", seq_length)
    mask = np.ones(T, dtype=bool)
    if placement == "many_to_one":
        mask[:-1] = False
    return mask


def input_steps(placement: str, seq_length: int) -> np.ndarray:
    """(T,) bool: step t receives an input (one-to-many: only step 1)."""
    one_of("placement", placement, LOSS_PLACEMENTS)
    T = positive_int("seq_length", seq_length)
    mask = np.ones(T, dtype=bool)
    if placement == "one_to_many":
        mask[1:] = False
    return mask


def softmax_cross_entropy(y: np.ndarray, targets: np.ndarray, mask: np.ndarray | None = None):
    """L = -sum_t log softmax(y_t)[target_t] over the masked steps; dy_t = softmax(y_t) - onehot(target_t).

    y: logits (T, [B,] O); targets: class indices (T, [B]); mask: (T,) bool or None for every step.
    Returns (L, dy) with dy shaped like y; y may hold non-finite numbers (an exploding run), then so do L and dy.
    """
    y = _as_outputs(y)
    targets = np.asarray(targets)
    if targets.shape != y.shape[:-1]:
        raise ValueError(f"targets must have shape {y.shape[:-1]}, got {targets.shape}")
    if not np.issubdtype(targets.dtype, np.integer) or targets.min() < 0 or targets.max() >= y.shape[-1]:
        raise ValueError(f"targets must be class indices between 0 and {y.shape[-1] - 1}")
    weight = _step_weights(mask, y)
    one_hot = np.zeros_like(y)
    np.put_along_axis(one_hot, targets[..., None], 1.0, axis=-1)
    with np.errstate(all="ignore"):
        p = softmax(y)
        z = y - np.max(y, axis=-1, keepdims=True)
        log_p = np.take_along_axis(z, targets[..., None], axis=-1)[..., 0] - np.log(np.sum(np.exp(z), axis=-1))
        loss = float(-np.sum(np.where(weight[..., 0] > 0, log_p, 0.0)))
        return loss, np.where(weight > 0, weight * (p - one_hot), 0.0)


def mean_squared_error(y: np.ndarray, targets: np.ndarray, mask: np.ndarray | None = None):
    """L = sum_t mean_i (y_t,i - target_t,i)^2 over the masked steps; dy_t = 2 (y_t - target_t) / O.

    y: outputs (T, [B,] O); targets: shaped like y; mask: (T,) bool or None for every step.
    """
    y = _as_outputs(y)
    try:
        targets = np.asarray(targets, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError("targets must be an array of numbers shaped like y") from error
    if targets.shape != y.shape:
        raise ValueError(f"targets must have shape {y.shape}, got {targets.shape}")
    weight = _step_weights(mask, y)
    with np.errstate(all="ignore"):
        error = np.where(weight > 0, y - targets, 0.0)
        loss = float(np.sum(weight * error**2) / y.shape[-1])
        return loss, weight * 2.0 * error / y.shape[-1]


def output_gradient(
    y: np.ndarray, targets: np.ndarray, placement: str = "many_to_many", loss: str = "cross_entropy"
) -> tuple[float, np.ndarray]:
    """(L, dy) for a loss attached where `placement` puts it; dy is shaped like y.

    Parameters
    ----------
    y : outputs (T, [B,] O) of a run.
    targets : class indices (T, [B]) for "cross_entropy", values shaped like y for "mse".
    placement : "many_to_one" (a loss on the last step only), "many_to_many" or "one_to_many" (every step).
    loss : "cross_entropy" (softmax on y, then cross-entropy) or "mse".
    """
    one_of("loss", loss, LOSSES)
    y = _as_outputs(y)
    mask = loss_steps(placement, y.shape[0])
    if loss == "cross_entropy":
        return softmax_cross_entropy(y, targets, mask)
    return mean_squared_error(y, targets, mask)


def _as_outputs(y) -> np.ndarray:
    try:
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError("y must be an array of numbers of shape (T, O) or (T, B, O)") from error
    if y.ndim not in (2, 3) or 0 in y.shape:
        raise ValueError(f"y must have shape (T, O) or (T, B, O) with T, O >= 1, got {y.shape}")
    return y


def _step_weights(mask: np.ndarray | None, y: np.ndarray) -> np.ndarray:
    """The (T, 1, ..., 1) weights 1/0 that broadcast over y."""
    weight = np.ones(y.shape[0]) if mask is None else np.asarray(mask, dtype=float)
    if weight.shape != (y.shape[0],):
        raise ValueError(f"mask must have shape ({y.shape[0]},), got {weight.shape}")
    return weight.reshape((-1,) + (1,) * (y.ndim - 1))
