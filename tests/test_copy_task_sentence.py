"""The Long-range memory page describes the copy task with the step counts the task is built with."""

import re

import numpy as np
from conftest import assert_healthy, run_app

from rnnviz.tasks import BLANK, COPY_LENGTH, DELIMITER, copy_memory


def copy_sentence() -> str:
    at = run_app("pages/memory.py")
    assert_healthy(at)
    return next(block.value for block in at.markdown if "Copy memory" in block.value)


def test_the_copy_sentence_counts_the_steps_the_task_has():
    sentence = copy_sentence()
    blanks = re.search(r"then T − (\d+) blank steps and a delimiter", sentence)
    total = re.search(r"T \+ (\d+) steps in all", sentence)
    assert blanks and total, sentence
    T = 30
    inputs = copy_memory(T, 2, np.random.default_rng(0)).xs.argmax(axis=-1)[:, 0]  # (T + 20,)
    delimiter_at = int(np.flatnonzero(inputs == DELIMITER)[0])
    assert len(inputs) == T + int(total.group(1))
    assert np.all(inputs[COPY_LENGTH:delimiter_at] == BLANK)
    assert delimiter_at - COPY_LENGTH == T - int(blanks.group(1))
    assert len(inputs) - delimiter_at - 1 == COPY_LENGTH
