"""The Long-range memory page in AppTest: the tasks, a short training run, a stopped run, the classic comparison."""

import numpy as np
import pytest
from conftest import assert_healthy, run_app

import rnnviz.task_training
import ui.cache
import ui.cells_views
from ui.cells_views import MEMORY_JOB, MEMORY_RUN, empty_records

PAGE = "pages/memory.py"


def short_run(at, **changes):
    """Set the form to a tiny run (and `changes`: key -> value), press Train, run the page."""
    values = {"memory_T": 10, "memory_steps": 10, "memory_H": 4, "memory_batch": 4, **changes}
    for key, value in values.items():
        widget = at.slider(key=key) if key in ("memory_T", "memory_steps", "memory_forget_bias") else None
        if widget is None:
            widget = at.select_slider(key=key) if key in ("memory_H", "memory_batch", "memory_lr") else None
        if widget is None:
            widget = at.selectbox(key=key) if key == "memory_task" else at.radio(key=key)
        widget.set_value(value)
    at.button(key="FormSubmitter:memory_form-Train RNN, LSTM and GRU").click().run()
    return until_trained(at, MEMORY_JOB)


def until_trained(at, key: str, max_runs: int = 200):
    """Rerun (as the live panel's fragment does in a browser) until the job under `key` has ended, then once more:
    a job that ended between two runs is drawn by the panel's next rerun."""
    job = at.session_state[key] if key in at.session_state else None
    if job is None:
        return at
    for _ in range(max_runs):
        if not job.running:
            break
        at.run()
    return at.run()


def test_the_defaults_explain_both_tasks_and_offer_the_classic_comparison():
    at = run_app(PAGE)
    assert_healthy(at)
    labels = [button.label for button in at.button]
    assert "Run the classic comparison" in labels and "Train RNN, LSTM and GRU" in labels
    assert any("Train RNN, LSTM and GRU" in info.value for info in at.info)
    assert len(at.get("plotly_chart")) == 1  # one example of the task
    assert any(r"\frac{10 \log 8}{T + 20}" in latex.value for latex in at.latex)


def test_a_short_training_run_shows_the_loss_the_gradient_norms_and_a_table():
    at = short_run(run_app(PAGE))
    assert_healthy(at)
    assert any("Trained 10 steps" in success.value for success in at.success)
    assert len(at.get("plotly_chart")) == 3  # the example, the loss, the gradient norms
    table = at.dataframe[0].value
    assert list(table["cell"]) == ["vanilla RNN", "LSTM", "GRU"]
    assert np.allclose(table["trivial baseline"], 1 / 6)
    run = at.session_state[MEMORY_RUN]
    assert run["done"] and all(len(lists["loss"]) == 10 for lists in run["records"].values())


@pytest.mark.parametrize(
    "changes",
    [
        {"memory_task": "copy", "memory_T": 200, "memory_H": 64, "memory_batch": 64},
        {"memory_clipping": "none", "memory_lr": 0.05, "memory_optimizer": "sgd", "memory_forget_bias": 5.0},
    ],
)
def test_training_at_the_extremes_of_the_controls_works(changes):
    at = short_run(run_app(PAGE), **changes)
    assert_healthy(at)
    assert any("Trained 10 steps" in success.value for success in at.success)


def test_a_stopped_run_keeps_its_steps_on_the_page():
    at = run_app(PAGE)
    config = rnnviz.task_training.TaskConfig(seq_length=10, hidden_size=4, steps=100)
    records = empty_records()
    for lists in records.values():
        lists["loss"] += [0.2] * 30
        lists["grad_norm"] += [1.0] * 30
        lists["clipped"] += [False] * 30
        lists["skipped"] += [False] * 30
    at.session_state[MEMORY_RUN] = {"config": config, "records": records, "evaluation": None, "done": False}
    at.run()
    assert_healthy(at)
    assert any("Stopped at step 30 of 100" in warning.value for warning in at.warning)
    assert len(at.get("plotly_chart")) == 3


@pytest.mark.parametrize("query", [{"H": "99999"}, {"T": "abc"}, {"seed": "-1"}])
def test_a_bad_link_leaves_the_page_working(query):
    at = run_app(PAGE, query)
    assert_healthy(at)
    assert any("could not be used" in warning.value for warning in at.warning)
    assert any(button.label == "Run the classic comparison" for button in at.button)


def test_the_classic_comparison_trains_once_and_shows_its_verdict(monkeypatch):
    small = rnnviz.task_training.TaskConfig(seq_length=10, hidden_size=4, steps=20, seed=5)
    monkeypatch.setattr(rnnviz.task_training, "CLASSIC", small)
    monkeypatch.setattr(ui.cells_views, "CLASSIC", small)
    at = run_app(PAGE)
    at.button(key="memory_classic").click().run()
    shared = ui.cache.classic_training(small)
    for _ in range(200):
        if not shared.running:
            break
        at.run()
    at.run()
    assert_healthy(at)
    assert any("Classic comparison" in success.value for success in at.success)
    assert len(at.get("plotly_chart")) == 3
    assert shared.result is not None and shared.result.steps_done == 20
    at.run()  # opening it again shows the kept result, without training again
    assert ui.cache.classic_training(small) is shared


def test_a_float32_run_trains_the_three_cells_in_float32_and_says_so():
    at = run_app(PAGE)
    assert at.radio(key="memory_dtype").value == "float64"
    short_run(at, memory_dtype="float32")
    assert_healthy(at)
    run = at.session_state[MEMORY_RUN]
    assert run["config"].dtype == "float32" and run["done"]
    assert any("computed in float32" in caption.value for caption in at.caption)


def test_a_run_beyond_the_servers_work_budget_is_refused_with_the_numbers_and_the_form_kept():
    changes = {"memory_task": "copy", "memory_T": 200, "memory_H": 64, "memory_batch": 64, "memory_steps": 1500}
    at = short_run(run_app(PAGE), **changes)
    assert_healthy(at)
    refusals = [error.value for error in at.error if "too large for the shared server" in error.value]
    assert refusals and "1500 steps" in refusals[0] and "Lower the steps" in refusals[0]
    assert MEMORY_RUN not in at.session_state  # nothing was trained
    assert at.slider(key="memory_steps").value == 1500 and at.slider(key="memory_T").value == 200


def test_the_work_of_a_task_run_grows_with_every_size_and_the_defaults_fit_the_budget():
    from rnnviz.settings import LIMITS
    from rnnviz.task_training import CLASSIC, TaskConfig

    base = TaskConfig()
    for field, value in (("steps", 600), ("batch_size", 64), ("seq_length", 120), ("hidden_size", 64)):
        assert base.replace(**{field: value}).work() > base.work()
    assert base.work() < CLASSIC.work() < LIMITS.task_work
    assert TaskConfig(seq_length=200, hidden_size=64, batch_size=64, steps=1500).work() > LIMITS.task_work
