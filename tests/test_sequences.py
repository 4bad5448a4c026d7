"""Text as input: tokens, one shared vocabulary, padding with start and end tokens, and the parameter count."""

import numpy as np
import pytest

from rnnviz.inputs import END, PAD, START
from rnnviz.losses import LOSS_PLACEMENTS
from rnnviz.sequences import EXAMPLE_SENTENCES, RNN_SHAPES, encode_sentences, parameter_counts


def test_the_articles_sentences_have_five_and_six_tokens():
    encoded = encode_sentences(EXAMPLE_SENTENCES)
    assert encoded.lengths == (5, 6)
    assert encoded.tokens[1][-1] == "wasn't"


def test_padding_frames_each_sentence_and_fills_to_the_longest():
    encoded = encode_sentences(EXAMPLE_SENTENCES)
    assert encoded.padded[0] == (START, "Delightful", "place", "to", "have", "dinner", END, PAD)
    assert encoded.padded[1] == (START, "Food", "was", "nice", "but", "service", "wasn't", END)


def test_without_start_and_end_only_padding_is_added():
    encoded = encode_sentences(EXAMPLE_SENTENCES, with_start_end=False)
    assert encoded.padded[0] == ("Delightful", "place", "to", "have", "dinner", PAD)
    assert START not in encoded.vocabulary.tokens


def test_each_row_of_the_one_hot_matrix_has_a_single_one_at_its_tokens_index():
    encoded = encode_sentences(EXAMPLE_SENTENCES)
    assert encoded.one_hot.shape == (2, 8, len(encoded.vocabulary))
    np.testing.assert_array_equal(encoded.one_hot.sum(axis=2), 1.0)
    for n, row in enumerate(encoded.padded):
        for t, token in enumerate(row):
            assert encoded.one_hot[n, t, encoded.vocabulary.index(token)] == 1.0


def test_a_repeated_word_gets_one_vocabulary_entry():
    encoded = encode_sentences(["the cat and the dog"])
    assert encoded.vocabulary.tokens.count("the") == 1
    np.testing.assert_array_equal(encoded.one_hot[0, 1], encoded.one_hot[0, 4])


def test_an_empty_sentence_is_refused_with_its_number():
    with pytest.raises(ValueError, match="sentence 2"):
        encode_sentences(["a b", "   "])
    with pytest.raises(ValueError, match="at least one"):
        encode_sentences([])


def test_the_articles_dense_network_needs_four_million_input_weights():
    counts = parameter_counts(20, 20_000, 10)
    assert counts.dense_input_weights == 4_000_000
    assert counts.rnn_input_weights == 200_000
    assert counts.rnn_weights == 200_000 + 100 + 10
    assert counts.ratio == 20


def test_the_rnns_count_does_not_grow_with_the_length():
    assert parameter_counts(5, 100, 8).rnn_weights == parameter_counts(500, 100, 8).rnn_weights


def test_parameter_counts_refuse_non_positive_sizes():
    with pytest.raises(ValueError, match="vocabulary_size"):
        parameter_counts(20, 0, 10)


def test_every_shape_links_only_to_loss_placements_the_settings_know():
    for shape in RNN_SHAPES:
        assert len(shape.inputs) == len(shape.outputs)
        assert set(shape.loss_placements) <= set(LOSS_PLACEMENTS)
    assert {shape.id for shape in RNN_SHAPES} == {
        "one_to_one",
        "one_to_many",
        "many_to_one",
        "many_to_many_equal",
        "many_to_many_unequal",
    }


def test_many_to_one_puts_a_single_loss_on_the_last_step():
    shape = next(s for s in RNN_SHAPES if s.id == "many_to_one")
    assert shape.outputs == (False, False, False, True)
    assert all(shape.inputs)
