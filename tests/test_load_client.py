"""The load test's protocol client (loadtest/protocol.py) against a real `streamlit run app.py` on loopback.

The class of protocol students is the load test's measure of the server, so these tests hold it to what a
browser does: it finds each page's widgets in the page's own messages, every interaction gets its answer, a
slider move changes what the server sends, and a widget that is not there or an answer that does not come is a
clear failure, not a silent pass.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

LOADTEST = Path(__file__).resolve().parent.parent / "loadtest"
sys.path.insert(0, str(LOADTEST))

import protocol_class  # noqa: E402
import run  # noqa: E402
from protocol import NoAnswerError, ProtocolPage, WidgetNotFoundError, xsrf_cookie  # noqa: E402
from session import Plan  # noqa: E402

UNFOLD = "unfold?scale=0.5&T=60"
SLIDER_MOVES = 2


def run_on_its_own_loop(coroutine):
    """Run `coroutine` to its end on a new event loop in a thread of its own: the browser tests' Playwright keeps an
    event loop running in the main thread for the whole session, where `asyncio.run` refuses to start another."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`streamlit run app.py` on a free loopback port for this module's tests; its base URL."""
    port = run.free_port()
    process = run.start_server(port, tmp_path_factory.mktemp("server") / "server.log", [])
    base_url = f"http://127.0.0.1:{port}/"
    try:
        run.wait_healthy(base_url, 60)
        yield base_url
    finally:
        run.stop_group(process)


def test_the_server_wants_the_xsrf_cookie_and_the_client_sends_it(server):
    assert xsrf_cookie(server, 10)  # .streamlit/config.toml: enableXsrfProtection = true


@pytest.mark.parametrize(
    ("path", "keys", "tabs"),
    [
        (UNFOLD, ["scale", "step_next", "step_prev", "unfold_view"], ["The whole run"]),
        ("gradients", ["scale"], ["The gradient flowing back"]),
        ("train", ["scale", "train_epochs", "train_start"], []),
        (run.lesson_links()[0], ["scale", "reveal"], []),
    ],
)
def test_each_page_of_the_class_has_the_widgets_the_students_use(server, path, keys, tabs):
    async def visit():
        page, answer = await ProtocolPage.open(server, path, timeout=60)
        await page.close()
        return page, answer

    page, answer = run_on_its_own_loop(visit())
    assert answer.errors == []
    assert answer.received > 0
    assert [page.widget(key=key).key for key in keys] == keys
    assert set(tabs) <= set(page.tab_labels())


def test_a_slider_move_changes_the_regime_and_the_chart(server):
    async def move():
        page, _ = await ProtocolPage.open(server, UNFOLD, timeout=60)
        regime, charts = page.texts(within_key="regime"), page.chart_specs()
        answer = await page.set(page.widget(key="scale"), [2.0])
        await page.close()
        return regime, charts, answer, page

    regime, charts, answer, page = run_on_its_own_loop(move())
    assert answer.errors == []
    assert "vanishing" in " ".join(regime)
    assert "vanishing" not in " ".join(page.texts(within_key="regime"))  # scale 2 under tanh: near the edge
    assert page.chart_specs() and page.chart_specs() != charts


def test_a_stepper_button_reruns_its_fragment_and_moves_the_step(server):
    async def step():
        page, _ = await ProtocolPage.open(server, UNFOLD, timeout=60)
        before = page.widget(key="step").proto.value[0]
        forward = page.widget(key="step_next")
        answer = await page.press(forward)
        await page.close()
        return before, forward, answer, page

    before, forward, answer, page = run_on_its_own_loop(step())
    assert forward.fragment_id  # the stepper is a fragment: the press asks for the fragment's rerun only
    assert answer.errors == []
    assert page.widget(key="step").proto.value[0] == before + 1
    assert page.has(key="scale")  # the rest of the page is still there after the fragment's run


def test_a_class_of_protocol_students_gets_an_answer_to_every_interaction(server):
    students = 3
    plan = Plan(
        base_url=server,
        sessions=list(range(students)),
        deadline=time.time() + 75,
        first_paths=run.lesson_links(),
        ramp_seconds=1.0,
        slider_moves=SLIDER_MOVES,
        think_seconds=(0.05, 0.2),
        action_timeout=30.0,
    )
    records = run_on_its_own_loop(protocol_class.run_class(plan))

    assert [r.errors for r in records] == [[]] * students
    assert all(r.finished for r in records)
    for record in records:
        assert {"page load", "answer", "reveal", "slider move", "step", "open a view", "page switch"} <= set(
            record.latencies
        )
        assert len(record.latencies["slider move"]) == SLIDER_MOVES + 2  # Unfold's moves, then two on Gradients
        assert "train" in record.latencies or record.skipped  # trained, or refused while two others trained
        assert all(b > 0 for bytes_received in record.received.values() for b in bytes_received)


def test_a_widget_that_is_not_on_the_page_is_a_clear_error(server):
    async def look_for_what_is_not_there():
        page, _ = await ProtocolPage.open(server, UNFOLD, timeout=60)
        try:
            with pytest.raises(WidgetNotFoundError, match=r"no widget with label 'Learning rate'.*slider 'scale'"):
                page.widget(label="Learning rate")
            with pytest.raises(WidgetNotFoundError, match=r"no tab 'Nowhere'.*The whole run"):
                await page.open_view("Nowhere")
            with pytest.raises(WidgetNotFoundError, match="no page 'nowhere'"):
                await page.go_to("nowhere")
        finally:
            await page.close()

    run_on_its_own_loop(look_for_what_is_not_there())


def test_an_interaction_with_no_answer_in_time_is_an_error(server):
    async def impatient():
        page, _ = await ProtocolPage.open(server, UNFOLD, timeout=60)
        page.timeout = 0.001
        try:
            await page.set(page.widget(key="scale"), [1.5])
        finally:
            await page.close()

    with pytest.raises(NoAnswerError, match="no answer within"):
        run_on_its_own_loop(impatient())


def test_the_capacity_chart_and_table_come_from_the_class_results():
    import capacity

    folder = Path(__file__).resolve().parent.parent / "loadtest" / "results"
    results = sorted(folder.glob("*/class-*.json"))  # one class each, by processes and students
    points = [capacity.point(json.loads(path.read_text())) for path in results]
    assert {p["processes"] for p in points} == {1, 2}
    fig = capacity.capacity_figure(points)
    one = next(trace for trace in fig.data if trace.name == "1 process (1 core)" and trace.xaxis == "x")
    assert list(one.x) == sorted(p["sessions"] for p in points if p["processes"] == 1)  # in order of class size
    assert list(one.y) == [p["p95"] for p in sorted(points, key=lambda p: p["sessions"]) if p["processes"] == 1]
    rows = capacity.table(points).splitlines()
    assert len(rows) == 2 + len(points) and all(row.count("|") == rows[0].count("|") for row in rows)
