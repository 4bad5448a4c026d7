"""Argument checks shared by the public functions: each failure is a ValueError naming the argument."""

from __future__ import annotations

import numpy as np


def as_array(name: str, value, ndim: int, allow_non_finite: bool = False) -> np.ndarray:
    """`value` as a float64 array with `ndim` dimensions, finite unless `allow_non_finite`."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be an array of numbers, got {type(value).__name__}") from error
    if array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {array.shape}")
    if not allow_non_finite and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return array


FLOAT_DTYPES = ("float32", "float64")


def as_dtype(name: str, value) -> np.dtype:
    """`value` as np.float32 or np.float64 (given as a name, a NumPy type or a dtype); a ValueError otherwise."""
    try:
        dtype = np.dtype(value)
    except TypeError:
        dtype = None
    if value is None or dtype is None or dtype.name not in FLOAT_DTYPES:
        raise ValueError(f"{name} must be float32 or float64, got {value!r}")
    return dtype


def expect_shape(name: str, array: np.ndarray, shape: tuple[int, ...]) -> None:
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}")


def as_sequence(name: str, xs, input_size: int) -> np.ndarray:
    """A sequence (T, D) or a batch (T, B, D) with T >= 1 and D = input_size."""
    try:
        array = np.asarray(xs, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be an array of numbers of shape (T, D) or (T, B, D)") from error
    if array.ndim not in (2, 3):
        raise ValueError(f"{name} must have shape (T, D) or (T, B, D), got {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} must have at least one time step (T >= 1), got T = 0")
    if array.ndim == 3 and array.shape[1] == 0:
        raise ValueError(f"{name} must have a batch of at least one sequence, got B = 0")
    if array.shape[-1] != input_size:
        raise ValueError(f"{name} must have D = {input_size} input features, got {array.shape[-1]}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return array


def as_state(name: str, value, batch_shape: tuple[int, ...], size: int) -> np.ndarray:
    """An initial state shaped (H,) or (B, H); zeros when `value` is None."""
    shape = (*batch_shape, size)
    if value is None:
        return np.zeros(shape)
    array = as_array(name, value, len(shape))
    expect_shape(name, array, shape)
    return array


def as_square(name: str, value) -> np.ndarray:
    """A finite square matrix (n, n) with n >= 1."""
    array = as_array(name, value, 2)
    if array.shape[0] != array.shape[1] or array.shape[0] == 0:
        raise ValueError(f"{name} must be a square matrix (n, n) with n >= 1, got shape {array.shape}")
    return array


def positive_int(name: str, value, low: int = 1, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name} must be {bounds}, got {value}")
    return int(value)


def finite_number(name: str, value, low: float | None = None, high: float | None = None) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a number, got {value!r}") from error
    if not np.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if (low is not None and number < low) or (high is not None and number > high):
        bounds = f">= {low}" if high is None else f"<= {high}" if low is None else f"between {low} and {high}"
        raise ValueError(f"{name} must be {bounds}, got {number}")
    return number


def one_of(name: str, value, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


def as_generator(name: str, rng) -> np.random.Generator:
    """A NumPy random Generator (as made by np.random.default_rng(seed))."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"{name} must be a numpy.random.Generator (np.random.default_rng(seed)), got {rng!r}")
    return rng


def check_cell(name: str, cell) -> None:
    """A cell of rnnviz (RNN, LSTM, GRU): what `rnnviz.cell.Cell` asks for (its sizes, state and passes)."""
    needed = ("hidden_size", "input_size", "state_names", "forward", "backward", "chain_step")
    if not all(hasattr(cell, attribute) for attribute in needed):
        raise ValueError(
            f"{name} must be an rnnviz cell (rnnviz.RNN, rnnviz.LSTM or rnnviz.GRU), got {type(cell).__name__}"
        )
