"""rnnviz: see how a recurrent neural network runs and learns.

The math is pure NumPy (this package imports neither Streamlit nor Plotly); the figure builders live in
`rnnviz.figures` and are imported on demand.
"""

from rnnviz.activations import ACTIVATIONS, Activation, get_activation, softmax
from rnnviz.cell import CELL_NAMES, Cell
from rnnviz.frameworks import open_model
from rnnviz.gru import GRU, random_gru
from rnnviz.init import (
    RECURRENT_INITS,
    glorot_uniform,
    orthogonal,
    random_rnn,
    recurrent_matrix,
    sigma_max,
    spectral_radius,
)
from rnnviz.lstm import LSTM, random_lstm
from rnnviz.rnn import RNN
from rnnviz.run import Gradients, Run, bptt, finite_part, state_jacobians, unroll
from rnnviz.train import train_char_rnn

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "CELL_NAMES",
    "Cell",
    "GRU",
    "Gradients",
    "LSTM",
    "RECURRENT_INITS",
    "RNN",
    "Run",
    "bptt",
    "finite_part",
    "get_activation",
    "glorot_uniform",
    "open_model",
    "orthogonal",
    "random_gru",
    "random_lstm",
    "random_rnn",
    "recurrent_matrix",
    "sigma_max",
    "softmax",
    "spectral_radius",
    "state_jacobians",
    "train_char_rnn",
    "unroll",
]
