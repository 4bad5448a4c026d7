"""Input sequences a user can pick, and text turned into one-hot vectors.

- "gaussian": x_t ~ N(0, I), fresh noise at every step
- "impulse":  x_1 = (1, ..., 1), zeros after: the state then evolves on its own (free response)
- "constant": x_t = (1, ..., 1) at every step
- "zeros":    no input at all (with h_0 = 0 and zero biases the state stays at zero)
- "sentence": one-hot tokens of a sentence, one token a step, repeated to fill T steps
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz._checks import as_generator, one_of, positive_int

INPUT_KINDS = ("gaussian", "impulse", "constant", "zeros", "sentence")
NUMERIC_INPUT_KINDS = INPUT_KINDS[:4]
TOKEN_LEVELS = ("word", "char")
PAD, START, END = "<pad>", "<start>", "<end>"


def make_inputs(kind: str, seq_length: int, input_size: int, rng: np.random.Generator) -> np.ndarray:
    """xs (T, D) of one of the numeric kinds ("gaussian", "impulse", "constant", "zeros"); see the module docstring.

    For "sentence" use `sentence_inputs`, whose D is the size of the sentence's vocabulary.
    """
    one_of("kind", kind, NUMERIC_INPUT_KINDS)
    T = positive_int("seq_length", seq_length)
    D = positive_int("input_size", input_size)
    rng = as_generator("rng", rng)
    if kind == "gaussian":
        return rng.standard_normal((T, D))
    xs = np.zeros((T, D))
    if kind == "impulse":
        xs[0] = 1.0
    elif kind == "constant":
        xs[:] = 1.0
    return xs


def tokenize(text: str, level: str = "word") -> list[str]:
    """Whitespace words (level "word") or characters (level "char") of `text`."""
    one_of("level", level, TOKEN_LEVELS)
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    return text.split() if level == "word" else list(text)


@dataclass(frozen=True)
class Vocabulary:
    """Tokens in order of first appearance; index i is the position of the 1 in a token's one-hot vector."""

    tokens: tuple[str, ...]

    @classmethod
    def from_tokens(cls, tokens, specials: tuple[str, ...] = ()) -> Vocabulary:
        """The distinct tokens, `specials` (e.g. PAD, START, END) first, then in order of first appearance."""
        return cls(tuple(dict.fromkeys([*specials, *tokens])))

    def __len__(self) -> int:
        return len(self.tokens)

    def index(self, token: str) -> int:
        """The position of `token`'s 1 in its one-hot vector; ValueError for a token outside the vocabulary."""
        try:
            return self.tokens.index(token)
        except ValueError:
            raise ValueError(f"token {token!r} is not in the vocabulary") from None

    def one_hot(self, tokens) -> np.ndarray:
        """(T, V): row t is the one-hot vector of token t; ValueError for a token outside the vocabulary."""
        if isinstance(tokens, str):
            raise ValueError("tokens must be a list of tokens, got a string (use tokenize(text) first)")
        xs = np.zeros((len(tokens), len(self)))
        xs[np.arange(len(tokens)), [self.index(token) for token in tokens]] = 1.0
        return xs


def pad_sentences(sentences: list[list[str]], with_start_end: bool = True) -> list[list[str]]:
    """Each token list framed by <start> ... <end> (optional) and padded with <pad> to the longest one."""
    if isinstance(sentences, str) or any(isinstance(tokens, str) for tokens in sentences):
        raise ValueError("sentences must be a list of token lists, e.g. [tokenize(text) for text in texts]")
    framed = [[START, *tokens, END] if with_start_end else list(tokens) for tokens in sentences]
    longest = max((len(tokens) for tokens in framed), default=0)
    return [tokens + [PAD] * (longest - len(tokens)) for tokens in framed]


def sentence_inputs(text: str, seq_length: int, level: str = "word") -> tuple[np.ndarray, list[str], Vocabulary]:
    """One-hot inputs (T, V) of the sentence's tokens, cycled to T steps, with the T tokens and the vocabulary.

    level "word" splits at whitespace, "char" takes every character (spaces included).
    """
    T = positive_int("seq_length", seq_length)
    tokens = tokenize(text, level)
    if not tokens:
        raise ValueError("text must contain at least one token, got an empty sentence")
    cycled = [tokens[t % len(tokens)] for t in range(T)]
    vocabulary = Vocabulary.from_tokens(tokens)
    return vocabulary.one_hot(cycled), cycled, vocabulary
