"""Element-wise activations f, their derivatives f' and the bound gamma = sup |f'|.

gamma enters the bound ||dh_T/dh_k|| <= (gamma * sigma_max(W_hh))^(T-k) of Pascanu, Mikolov & Bengio (2013).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    """An activation f with its derivative f'(a) and gamma = sup_a |f'(a)|."""

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray], np.ndarray]  # f'(a), as a function of the pre-activation a
    gamma: float
    formula: str  # LaTeX of f(a)
    df_of_output: Callable[[np.ndarray], np.ndarray] | None = None  # f'(a) from h = f(a), without evaluating f again

    def derivative(self, a: np.ndarray, h: np.ndarray) -> np.ndarray:
        """f'(a) where h = f(a): from h when the activation allows it (tanh: 1 - h^2), else from a."""
        return self.df(a) if self.df_of_output is None else self.df_of_output(h)


def _float_type(a: np.ndarray) -> np.dtype:
    """float32 for a float32 array (a float32 cell stays in float32), float64 for every other."""
    return np.result_type(a, 0.0)


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # the same function, with no overflow for large |a|


def _dsigmoid(a: np.ndarray) -> np.ndarray:
    s = _sigmoid(a)
    return s * (1.0 - s)


def _dtanh(a: np.ndarray) -> np.ndarray:
    return 1.0 - np.tanh(a) ** 2


def _dtanh_of_output(h: np.ndarray) -> np.ndarray:
    d = np.square(h)
    np.subtract(1.0, d, out=d)  # 1 - h^2, one array
    return d


def _dsigmoid_of_output(h: np.ndarray) -> np.ndarray:
    d = 1.0 - h
    d *= h  # h (1 - h)
    return d


def _relu(a: np.ndarray) -> np.ndarray:
    return np.maximum(a, 0.0)


def _drelu(a: np.ndarray) -> np.ndarray:
    return (a > 0).astype(_float_type(a))


def _linear(a: np.ndarray) -> np.ndarray:
    return np.array(a, dtype=_float_type(a), copy=True)


def _dlinear(a: np.ndarray) -> np.ndarray:
    return np.ones_like(a, dtype=_float_type(a))


def _leaky_relu(a: np.ndarray) -> np.ndarray:
    return np.where(a > 0, a, LEAKY_SLOPE * a)


def _dleaky_relu(a: np.ndarray) -> np.ndarray:
    return np.where(a > 0, 1.0, LEAKY_SLOPE).astype(_float_type(a), copy=False)


ACTIVATIONS: dict[str, Activation] = {  # ReLU and leaky ReLU: h > 0 exactly when a > 0, so f'(a) reads off h too
    "tanh": Activation("tanh", np.tanh, _dtanh, 1.0, r"\tanh(a)", _dtanh_of_output),
    "sigmoid": Activation(
        "sigmoid", _sigmoid, _dsigmoid, 0.25, r"\sigma(a) = \frac{1}{1 + e^{-a}}", _dsigmoid_of_output
    ),
    "relu": Activation("relu", _relu, _drelu, 1.0, r"\max(0, a)", _drelu),
    "linear": Activation("linear", _linear, _dlinear, 1.0, r"a", _dlinear),
    "leaky_relu": Activation("leaky_relu", _leaky_relu, _dleaky_relu, 1.0, r"\max(0.01\,a,\ a)", _dleaky_relu),
}


def get_activation(name: str) -> Activation:
    """The activation called `name`; ValueError naming the choices for any other name."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]


def softmax(y: np.ndarray, axis: int = -1) -> np.ndarray:
    """softmax(y)_i = exp(y_i) / sum_j exp(y_j), stable for large logits."""
    z = y - np.max(y, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)
