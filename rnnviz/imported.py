"""A model opened from a file (`rnnviz.frameworks.open_model`) run on an input and measured as the app's own cells
are: ||dh_T/dh_k|| beside a bound, the per-step terms of the gradient, the LSTM's cell path and the connectivity.

The bound depends on the cell:

    vanilla RNN:   ||dh_T/dh_k|| <= (gamma sigma_max(W_hh))^(T-k)            (Pascanu, Mikolov & Bengio 2013)
    LSTM, GRU:     ||dh_T/dh_k|| <= prod_{t=k+1..T} ||ds_t/ds_{t-1}||_F      s_t the whole state, (h_t, c_t) or h_t

No constant bounds a gated cell's step: its one-step Jacobian moves with the gates, so the product of the measured
one-step norms (Frobenius, which is at least the spectral norm) is the bound drawn. The loss is the softmax
cross-entropy of the outputs against a target per step: the next character of a typed text, or else the class the
model itself predicts (the loss of its own answer, whose gradient is what training on agreeing data would send).
`analyse` returns an `ImportedExperiment`, which the Gradients page's figure builders and words read as they read an
`rnnviz.experiment.Experiment`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

import numpy as np

from rnnviz import diagnostics, verdicts
from rnnviz.bidirectional import unroll_bidirectional
from rnnviz.connectivity import connectivity
from rnnviz.frameworks import ImportedModel
from rnnviz.inputs import make_inputs
from rnnviz.losses import output_gradient
from rnnviz.lstm import forget_gate_products
from rnnviz.run import Gradients, Run, bptt, finite_part, unroll
from rnnviz.settings import LIMITS, Limits

INPUT_KINDS = {"random": "gaussian", "impulse": "impulse", "constant": "constant"}
PLACEMENTS = ("many_to_one", "many_to_many")
DIRECTIONS = ("forward", "backward")
CONNECTIVITY_STEPS = 40  # the connectivity map covers the first steps only: it costs O(T^2)
EXAMPLES = {  # the models shipped in rnnviz/data/examples: a name to show -> the file
    "The article's Keras character model (SimpleRNN, ReLU, trained 100 epochs)": "keras_simplernn_char_model.npz",
    "A PyTorch bidirectional nn.LSTM (untrained)": "pytorch_lstm_bidirectional.npz",
    "A Keras GRU (untrained)": "keras_gru.npz",
}


@dataclass(frozen=True)
class ImportedSettings:
    """What the figure builders read from `exp.settings`."""

    activation: str  # the vanilla cell's activation, or the gated cell's name
    loss_placement: str  # "many_to_one" | "many_to_many"
    seq_length: int
    hidden_size: int


@dataclass(frozen=True, eq=False)
class ImportedExperiment:
    """One imported model on one input, measured; the fields the Gradients page's builders read, and more."""

    imported: ImportedModel
    settings: ImportedSettings
    direction: str  # the direction analysed: "forward", or "backward" (reading x_T..x_1) of a bidirectional model
    cell: object  # the analysed cell
    xs: np.ndarray  # (T, D) in time order
    tokens: list[str] | None  # the characters of a typed text
    run: Run  # the analysed cell's run, in its reading order
    analysed_run: Run
    analysed_steps: int
    y: np.ndarray  # (T, O) the model's outputs in time order (both directions summed)
    loss: float
    gradients: Gradients
    norms: diagnostics.JacobianNorms
    log10_bound: np.ndarray  # (T'+1,)
    bound_name: str  # the bound's legend entry
    weights: dict[str, float]  # spectral_radius, sigma_max, gamma_sigma_max (NaN for gated cells)
    growth: float
    regime: verdicts.Regime
    cell_path: diagnostics.JacobianNorms | None  # LSTM: log10 ||dc_T/dc_k||
    forget_products: np.ndarray | None  # LSTM: (T'+1, H)
    connectivity: np.ndarray  # (S, S) ||dy_t/dx_s|| of the whole model over its first S steps

    @property
    def overflow_step(self) -> int | None:
        return self.run.overflow_step

    @property
    def gamma(self) -> float:
        """sup |f'| of the vanilla cell's activation (1 for the gated cells, whose bound has no gamma)."""
        return self.cell.activation.gamma if self.cell.kind == "rnn" else 1.0

    @property
    def gated(self) -> bool:
        return self.cell.kind != "rnn"


def example_bytes(name: str) -> bytes:
    """The file of one of the shipped example models, by its name in EXAMPLES."""
    if name not in EXAMPLES:
        raise ValueError(f"name must be one of {', '.join(EXAMPLES)}, got {name!r}")
    return resources.files("rnnviz").joinpath("data", "examples", EXAMPLES[name]).read_bytes()


# inputs ---------------------------------------------------------------------------------------------------------
def app_inputs(kind: str, seq_length: int, input_size: int, seed: int = 0) -> np.ndarray:
    """The app's own inputs at the model's D: "random" (N(0, 1)), "impulse" (x_1 = 1) or "constant" (every x_t = 1)."""
    if kind not in INPUT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(INPUT_KINDS)}, got {kind!r}")
    return make_inputs(INPUT_KINDS[kind], seq_length, input_size, np.random.default_rng(seed))


def csv_inputs(text: str, input_size: int, max_steps: int, max_chars: int = LIMITS.model_csv_chars) -> np.ndarray:
    """A sequence (T, D) from CSV text: T rows of D numbers, commas between them (a header row of names is skipped).

    Any problem is a ValueError that says what was expected and what was found, with the row."""
    if len(text) > max_chars:
        raise ValueError(f"The CSV has {len(text):,} characters; at most {max_chars:,} are read.")
    text = text.removeprefix("\ufeff")  # the byte-order mark a spreadsheet writes first
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise ValueError(f"The CSV cannot be read: {error}.") from None
    if rows and not any(_numeric(cell) for cell in rows[0]):
        rows = rows[1:]  # a header: a first row without any number
    if not rows:
        raise ValueError(f"The CSV holds no rows of numbers; expected T rows of D = {input_size} numbers.")
    if len(rows) > max_steps:
        raise ValueError(f"The CSV has {len(rows):,} rows; at most {max_steps} steps are read.")
    values = np.empty((len(rows), input_size))
    for t, row in enumerate(rows):
        if len(row) != input_size:
            raise ValueError(
                f"Row {t + 1} of the CSV has {len(row)} values; the model reads D = {input_size} per step."
            )
        for j, cell in enumerate(row):
            if not _numeric(cell):
                raise ValueError(
                    f"Row {t + 1}, column {j + 1} of the CSV is {cell.strip()[:20]!r}, not a finite number."
                )
            values[t, j] = float(cell)
    return values


def _numeric(cell: str) -> bool:
    try:
        return bool(np.isfinite(float(cell)))
    except ValueError:
        return False


def text_inputs(text: str, vocabulary: tuple[str, ...], max_steps: int) -> tuple[np.ndarray, list[str]]:
    """One-hot vectors (T, V) of a text in the model's vocabulary, and its characters."""
    if not text:
        raise ValueError("The text is empty; type at least one character of the model's vocabulary.")
    if len(text) > max_steps:
        raise ValueError(f"The text has {len(text):,} characters; at most {max_steps} steps are read.")
    unknown = sorted(set(text) - set(vocabulary))
    if unknown:
        shown = "".join(unknown[:10])
        raise ValueError(f"The text has characters outside the model's vocabulary: {shown!r}.")
    index = {char: i for i, char in enumerate(vocabulary)}
    return np.eye(len(vocabulary))[[index[char] for char in text]], list(text)


@dataclass(frozen=True)
class InputRequest:
    """What the page asks for: the input (one of INPUT_CHOICES with its steps, seed, CSV or text), the loss and the
    direction analysed. Hashable, so the page caches one analysis per model file and request."""

    kind: str = "random"  # "random" | "impulse" | "constant" | "csv" | "text"
    steps: int = 50  # T of the app's own inputs
    seed: int = 0  # of the random input
    csv_text: str = ""
    text: str = ""
    loss_placement: str = "many_to_one"
    direction: str = "forward"


INPUT_CHOICES = (*INPUT_KINDS, "csv", "text")


def request_inputs(
    imported: ImportedModel, request: InputRequest, max_steps: int
) -> tuple[np.ndarray, list[str] | None]:
    """xs (T, D) and the characters (for a text) that `request` describes; a ValueError in words otherwise."""
    if request.kind == "csv":
        return csv_inputs(request.csv_text, imported.input_size, max_steps), None
    if request.kind == "text":
        if imported.vocabulary is None:
            raise ValueError("This model has no vocabulary, so it reads no text: choose another input.")
        return text_inputs(request.text, imported.vocabulary, max_steps)
    if not 1 <= request.steps <= max_steps:
        raise ValueError(f"The number of steps must be from 1 to {max_steps}, got {request.steps}.")
    return app_inputs(request.kind, request.steps, imported.input_size, request.seed), None


def analyse_request(imported: ImportedModel, request: InputRequest, limits: Limits) -> ImportedExperiment:
    """`analyse` on the input, loss and direction of `request`, bounded by `limits` (see `step_limit`)."""
    xs, tokens = request_inputs(imported, request, step_limit(imported, limits))
    steps = connectivity_steps(imported, limits)
    return analyse(imported, xs, request.loss_placement, request.direction, tokens, connectivity_steps=steps)


def step_limit(imported: ImportedModel, limits: Limits) -> int:
    """The most steps T the model is run for under `limits`: a gated cell's measurements cost T (state size)^3."""
    most = limits.model_steps[1]
    if imported.kind == "rnn":
        return most
    state = imported.hidden_size * (2 if imported.kind == "lstm" else 1)
    return int(max(2, min(most, limits.model_work // state**3)))


def connectivity_steps(imported: ImportedModel, limits: Limits) -> int:
    """The first S steps the connectivity map covers under `limits`: its S^2/2 blocks dy_t/dx_s each cost about
    O (state^2 + state D), which grows with the input and output sizes, not only with H."""
    state = imported.hidden_size * (2 if imported.kind == "lstm" else 1)
    per_block = imported.output_size * (state**2 + state * imported.input_size)
    directions = 2 if imported.bidirectional else 1
    return int(max(2, min(CONNECTIVITY_STEPS, np.sqrt(2 * limits.model_work / (directions * per_block)))))


# the analysis ---------------------------------------------------------------------------------------------------
def analyse(
    imported: ImportedModel,
    xs: np.ndarray,
    loss_placement: str = "many_to_one",
    direction: str = "forward",
    tokens: list[str] | None = None,
    connectivity_steps: int = CONNECTIVITY_STEPS,
) -> ImportedExperiment:
    """Run the model on xs (T, D) and measure the analysed direction's gradients (see the module docstring)."""
    if loss_placement not in PLACEMENTS:
        raise ValueError(f"loss_placement must be one of {', '.join(PLACEMENTS)}, got {loss_placement!r}")
    if direction not in DIRECTIONS or (direction == "backward" and not imported.bidirectional):
        raise ValueError(f"direction must be 'forward', or 'backward' for a bidirectional model, got {direction!r}")
    xs = np.asarray(xs, dtype=np.float64)
    if xs.ndim != 2 or xs.shape[1] != imported.input_size or xs.shape[0] == 0:
        raise ValueError(f"xs must have shape (T, D) with D = {imported.input_size}, got {xs.shape}")
    whole = unroll_bidirectional(imported.model, xs) if imported.bidirectional else unroll(imported.model, xs)
    run = whole if isinstance(whole, Run) else getattr(whole, direction)
    backward = direction == "backward"
    analysed = finite_part(run)
    steps = analysed.T
    y_read = whole.y[::-1] if backward else whole.y  # the outputs in the analysed cell's reading order
    targets = _targets(whole.y, tokens, imported.vocabulary)
    targets = targets[::-1] if backward else targets
    loss, dy = output_gradient(y_read[:steps], targets[:steps], loss_placement)
    cell = run.cell
    norms = diagnostics.jacobian_norms(analysed)
    bound, bound_name, weights = _bound(analysed)
    S = min(int(connectivity_steps), xs.shape[0])
    part = unroll_bidirectional(imported.model, xs[:S]) if imported.bidirectional else unroll(imported.model, xs[:S])
    lstm = cell.kind == "lstm"
    return ImportedExperiment(
        imported=imported,
        settings=ImportedSettings(_activation(cell), loss_placement, xs.shape[0], cell.hidden_size),
        direction=direction,
        cell=cell,
        xs=xs,
        tokens=tokens,
        run=run,
        analysed_run=analysed,
        analysed_steps=steps,
        y=whole.y,
        loss=loss if run.overflow_step is None else float("inf"),
        gradients=bptt(analysed, dy),
        norms=norms,
        log10_bound=bound,
        bound_name=bound_name,
        weights=weights,
        growth=diagnostics.growth_factor(norms.log10_spectral),
        regime=_regime(norms.log10_spectral, cell, weights),
        cell_path=diagnostics.jacobian_norms(analysed, path="c") if lstm else None,
        forget_products=forget_gate_products(analysed) if lstm else None,
        connectivity=connectivity(part),
    )


def _activation(cell) -> str:
    return cell.activation.name if cell.kind == "rnn" else cell.kind.upper()


def _targets(y: np.ndarray, tokens: list[str] | None, vocabulary: tuple[str, ...] | None) -> np.ndarray:
    """The next character of a typed text at each step (the last step: the model's own answer), else its own."""
    with np.errstate(invalid="ignore"):
        own = np.argmax(np.where(np.isfinite(y), y, -np.inf), axis=1)
    if tokens is None or vocabulary is None:
        return own
    index = {char: i for i, char in enumerate(vocabulary)}
    following = np.array([index[char] for char in tokens[1:]], dtype=int)
    return np.concatenate([following, own[-1:]])


def one_step_log10_norms(run: Run) -> np.ndarray:
    """log10 ||ds_t/ds_{t-1}||_F for t = 1..T, (T,): each one-step Jacobian of the whole state, formed row by row."""
    cell = run.cell
    size = cell.chain_start("h").shape[1]  # H, or 2H for the LSTM's (h, c)
    identity = np.eye(size)
    logs = np.empty(run.T)
    with np.errstate(all="ignore"):
        for t in range(1, run.T + 1):
            logs[t - 1] = np.log10(np.linalg.norm(cell.chain_step(run, identity, t)))
    return logs


def _bound(run: Run) -> tuple[np.ndarray, str, dict[str, float]]:
    """log10 of the bound for k = 0..T, its legend entry, and the weights' summary (NaN for the gated cells)."""
    cell, T = run.cell, run.T
    if cell.kind == "rnn":
        gamma = cell.activation.gamma
        weights = diagnostics.weight_summary(cell.W_hh, gamma)
        sigma = weights["sigma_max"]
        return diagnostics.log10_bound(gamma, sigma, T), f"bound (γ σ_max)^n = ({gamma:g} × {sigma:.3g})^n", weights
    steps = one_step_log10_norms(run)
    bound = np.concatenate([np.cumsum(steps[::-1])[::-1], [0.0]])  # bound[k] = sum_{t>k} log10 ||J_t||
    nan = float("nan")
    return (
        bound,
        "bound Π ‖∂s_t/∂s_{t-1}‖_F, measured",
        dict.fromkeys(("spectral_radius", "sigma_max", "gamma_sigma_max"), nan),
    )


def _regime(log10_norms: np.ndarray, cell, weights: dict[str, float]) -> verdicts.Regime:
    """The vanilla cell's regime with Pascanu's condition; a gated cell's from the measurement alone."""
    if cell.kind == "rnn":
        return verdicts.regime(log10_norms, cell.activation.gamma, weights["sigma_max"], weights["spectral_radius"])
    T, at_0 = log10_norms.shape[0] - 1, float(log10_norms[0])
    label = verdicts.badge(at_0)
    name = "LSTM" if cell.kind == "lstm" else "GRU"
    if not np.isfinite(at_0):
        what = "became exactly 0" if at_0 == -np.inf else "left floating point"
        return verdicts.Regime(label, f"Over {T} steps the {name}'s ‖∂h_T/∂h_0‖ {what}.", label)
    words = {verdicts.VANISHING: "the gradient vanishes", verdicts.EXPLODING: "the gradient explodes"}
    verdict = words.get(label, "it neither vanishes nor explodes over this length")
    return verdicts.Regime(
        label,
        f"Over {T} step{'s' if T != 1 else ''} the {name}'s ‖∂h_T/∂h_0‖ = {verdicts.power_of_ten(at_0)}, "
        f"{verdicts.decades_words(at_0)}: {verdict}. Its gates set each step's factor, so no fixed γσ_max bounds it.",
        label,
    )
