"""Text as the input of a recurrent network, and the shapes an RNN can take.

Sentences become whitespace tokens, then one-hot vectors over a vocabulary, fed one per step, so sentences of
different lengths run through the same cell. To batch them they are framed by <start> ... <end> and padded with
<pad> to the longest one. A dense network on that padded input needs an input weight for every (position, word,
hidden unit): 20 tokens x 20,000 words x 10 units = 4,000,000; an RNN needs 20,000 x 10 once, shared by every step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz._checks import positive_int
from rnnviz.inputs import END, PAD, START, Vocabulary, pad_sentences, tokenize

SPECIAL_TOKENS = (PAD, START, END)
EXAMPLE_SENTENCES = ("Delightful place to have dinner", "Food was nice but service wasn't")


@dataclass(frozen=True)
class EncodedSentences:
    """Sentences as tokens, padded token lists and one-hot matrices over one shared vocabulary."""

    sentences: tuple[str, ...]
    tokens: tuple[tuple[str, ...], ...]  # whitespace tokens of each sentence
    padded: tuple[tuple[str, ...], ...]  # each framed by <start>/<end> (if asked) and padded with <pad>
    vocabulary: Vocabulary  # the special tokens first, then the words in order of first appearance
    one_hot: np.ndarray  # (N, T_max, V): row t of sentence n is the one-hot vector of its padded token t

    @property
    def lengths(self) -> tuple[int, ...]:
        return tuple(len(tokens) for tokens in self.tokens)


def encode_sentences(sentences, with_start_end: bool = True) -> EncodedSentences:
    """Tokenize each sentence on whitespace, build one vocabulary, pad, and one-hot encode.

    Raises ValueError when there is no sentence or a sentence has no token.
    """
    sentences = tuple(sentences)
    if not sentences:
        raise ValueError("sentences must hold at least one sentence, got none")
    tokens = tuple(tuple(tokenize(sentence)) for sentence in sentences)
    for number, words in enumerate(tokens, start=1):
        if not words:
            raise ValueError(f"sentence {number} has no token: type at least one word")
    padded = tuple(tuple(row) for row in pad_sentences([list(words) for words in tokens], with_start_end))
    specials = SPECIAL_TOKENS if with_start_end else (PAD,)
    vocabulary = Vocabulary.from_tokens([word for words in tokens for word in words], specials=specials)
    one_hot = np.stack([vocabulary.one_hot(row) for row in padded])  # (N, T_max, V)
    return EncodedSentences(sentences, tokens, padded, vocabulary, one_hot)


@dataclass(frozen=True)
class ParameterCounts:
    """Weights of a dense layer on padded one-hot input beside those of an RNN with the same hidden size."""

    seq_length: int  # T, the padded length
    vocabulary_size: int  # V
    hidden_size: int  # H

    @property
    def dense_input_size(self) -> int:
        """T * V: the length of the padded sentence's one-hot vectors laid end to end, the dense network's input."""
        return self.seq_length * self.vocabulary_size

    @property
    def dense_input_weights(self) -> int:
        """T * V * H: one weight per (position, word, hidden unit)."""
        return self.seq_length * self.vocabulary_size * self.hidden_size

    @property
    def rnn_input_weights(self) -> int:
        """V * H: W_xh, shared by every step."""
        return self.vocabulary_size * self.hidden_size

    @property
    def rnn_recurrent_weights(self) -> int:
        """H * H: W_hh, also shared by every step."""
        return self.hidden_size * self.hidden_size

    @property
    def rnn_weights(self) -> int:
        """W_xh, W_hh and b_h together."""
        return self.rnn_input_weights + self.rnn_recurrent_weights + self.hidden_size

    @property
    def dense_weights(self) -> int:
        """The dense hidden layer's weights and biases: T * V * H + H."""
        return self.dense_input_weights + self.hidden_size

    @property
    def ratio(self) -> float:
        """How many times more input weights the dense network needs (= T)."""
        return self.dense_input_weights / self.rnn_input_weights


def parameter_counts(seq_length: int, vocabulary_size: int, hidden_size: int) -> ParameterCounts:
    """The articles' argument for the user's numbers: parameter_counts(20, 20_000, 10).dense_input_weights
    == 4_000_000 while the RNN's W_xh holds 200,000 weights whatever the length."""
    return ParameterCounts(
        positive_int("seq_length", seq_length),
        positive_int("vocabulary_size", vocabulary_size),
        positive_int("hidden_size", hidden_size),
    )


@dataclass(frozen=True)
class RNNShape:
    """One of the shapes of RNN: which steps receive an input and which carry an output with a loss."""

    id: str
    title: str
    inputs: tuple[bool, ...]  # per drawn step: an input x_t attaches here
    outputs: tuple[bool, ...]  # per drawn step: an output y_t with a loss term L_t attaches here
    examples: tuple[str, ...]
    loss_placements: tuple[str, ...]  # the settings' loss placement(s) that show it on the Gradients page
    note: str = ""


RNN_SHAPES: tuple[RNNShape, ...] = (
    RNNShape(
        "one_to_one",
        "One to one",
        (True,),
        (True,),
        ("a plain feed-forward network: one input, one output",),
        (),
        "No recurrence to speak of: one step, so no gradient flows through time.",
    ),
    RNNShape(
        "one_to_many",
        "One to many",
        (True, False, False, False),
        (True, True, True, True),
        ("image captioning", "music or text generation"),
        ("one_to_many",),
        "One input at the first step; a loss term at every step.",
    ),
    RNNShape(
        "many_to_one",
        "Many to one",
        (True, True, True, True),
        (False, False, False, True),
        ("sentiment of a sentence", "movie rating"),
        ("many_to_one",),
        "The loss sits on the last step only: every gradient term comes back from step T.",
    ),
    RNNShape(
        "many_to_many_equal",
        "Many to many (equal lengths)",
        (True, True, True, True),
        (True, True, True, True),
        ("named-entity recognition", "part-of-speech tags"),
        ("many_to_many",),
        "One output per input: a loss term at every step, each sending its own gradient back.",
    ),
    RNNShape(
        "many_to_many_unequal",
        "Many to many (unequal lengths)",
        (True, True, True, False, False, False),
        (False, False, False, True, True, True),
        ("translation", "speech recognition"),
        ("many_to_one", "one_to_many"),
        "An encoder reads the whole input (many to one), then a decoder writes the output (one to many).",
    ),
)
