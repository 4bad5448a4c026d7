"""The deployment for a class (deploy/): nginx in front of two `streamlit run app.py` processes on loopback.

Every request of one browser reaches the process that holds its session (the websocket, a reconnect, an
upload), new browsers are spread over the processes, a process that restarts loses none of its students (they
reconnect to a fresh session with their URL's state), and static files are compressed and cached. nginx is
Debian's package: without it these tests fail, they do not skip (scripts/test.sh installs it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import websockets

from deploy import launch
from deploy.servers import free_port

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "loadtest"))

import protocol_class  # noqa: E402
from protocol import ProtocolPage, UploadError, current_value  # noqa: E402
from session import Plan  # noqa: E402

pytestmark = pytest.mark.deploy
UNFOLD = "unfold?scale=0.5&T=30"
ROUTE = "rnnviz_route"


def run_on_its_own_loop(coroutine):
    """Run `coroutine` on a new event loop in a thread of its own (the browser tests' Playwright may hold one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def deployment():
    """Two processes and nginx, started by the launcher in a run directory of their own; nginx's URL and the
    run directory."""
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        pytest.fail("Debian's nginx is needed for the deployment tests: apt-get install nginx")
    with launch.running(2) as (url, run_dir):
        yield url, run_dir


def get(url: str, cookies: dict[str, str] | None = None, encoding: str = "identity"):
    """An HTTP GET as a browser holding `cookies` sends it; the response's status, headers and body."""
    headers = {"Accept-Encoding": encoding}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
        return response.status, response.headers, response.read()


def short_class(url: str, students: int, seconds: float, **pace) -> Plan:
    """A class of `students` protocol students on the Unfold link, arriving within 0.5 s, without training, stopped
    after `seconds`; `pace` replaces the quick defaults (one slider move, 0.05-0.1 s of thinking, 30 s per action)."""
    return Plan(
        base_url=url,
        sessions=list(range(students)),
        deadline=time.time() + seconds,
        first_paths=[UNFOLD],
        ramp_seconds=0.5,
        train=False,
        **{"slider_moves": 1, "think_seconds": (0.05, 0.1), "action_timeout": 30.0, **pace},
    )


async def open_students(url: str, count: int) -> list[ProtocolPage]:
    pages = []
    for _ in range(count):  # one after another, as students come in: each open websocket counts for the balance
        page, answer = await ProtocolPage.open(url, UNFOLD, timeout=60)
        assert answer.errors == []
        pages.append(page)
    return pages


async def close_all(pages: list[ProtocolPage]) -> None:
    for page in pages:
        await page.close()


def test_new_browsers_get_a_routing_cookie_and_are_spread_over_the_processes(deployment):
    url, _ = deployment

    async def come_in():
        pages = await open_students(url, 4)
        await close_all(pages)
        return pages

    pages = run_on_its_own_loop(come_in())
    assert [page.cookies[ROUTE] for page in pages] == [page.process for page in pages]
    assert sorted(page.process for page in pages) == ["p1", "p1", "p2", "p2"]


def test_a_browsers_requests_and_its_reconnect_reach_the_process_of_its_session(deployment):
    url, _ = deployment

    async def reconnect():
        pages = await open_students(url, 2)
        moved = [await page.set(page.widget(key="scale"), [1.5]) for page in pages]
        again = [(await ProtocolPage.open(url, UNFOLD, timeout=60, cookies=page.cookies))[0] for page in pages]
        await close_all(pages + again)
        return pages, moved, again

    pages, moved, again = run_on_its_own_loop(reconnect())
    assert {page.process for page in pages} == {"p1", "p2"}
    assert [answer.errors for answer in moved] == [[], []]
    assert [page.process for page in again] == [page.process for page in pages]
    for page in pages:
        _, headers, _ = get(url + "_stcore/health", page.cookies)
        assert headers["X-Rnnviz-Process"] == page.process


@pytest.mark.parametrize("route", ["p9", "<b>p1</b>", "p1,p2", ""])
def test_a_routing_cookie_that_names_no_process_is_replaced(deployment, route):
    url, _ = deployment
    _, headers, body = get(url + "_stcore/health", {ROUTE: route})
    assert body == b"ok"
    routes = [cookie for cookie in headers.get_all("Set-Cookie") if cookie.startswith(ROUTE)]
    assert routes == [f"{ROUTE}={headers['X-Rnnviz-Process']}; Path=/; HttpOnly; SameSite=Lax"]


def test_an_upload_through_nginx_reaches_the_session_and_the_page_loads_the_model(deployment):
    from rnnviz.train import ARTICLE_TEXT, model_bytes, train_char_rnn

    url, _ = deployment
    model = model_bytes(train_char_rnn(ARTICLE_TEXT, hidden_size=8, epochs=1))

    async def upload():
        page, _ = await ProtocolPage.open(url, "train", timeout=60)
        answer = await page.upload(page.widget(key="train_upload"), "tiny.npz", model)
        await page.close()
        return page, answer

    page, answer = run_on_its_own_loop(upload())
    assert answer.errors == []
    assert any(text.startswith("Loaded `tiny.npz`: relu RNN, H = 8") for text in page.alerts())


def test_an_upload_sent_to_the_other_process_is_refused(deployment):
    """What sticky sessions prevent: the session lives in one process, the other does not know it."""
    url, _ = deployment

    async def upload_elsewhere():
        page, _ = await ProtocolPage.open(url, "train", timeout=60)
        page.cookies[ROUTE] = {"p1": "p2", "p2": "p1"}[page.process]
        try:
            with pytest.raises(UploadError, match="HTTP 400"):
                await page.upload(page.widget(key="train_upload"), "tiny.npz", b"not a model")
        finally:
            await page.close()

    run_on_its_own_loop(upload_elsewhere())


def test_nginx_refuses_a_body_over_the_apps_upload_limit(deployment):
    url, _ = deployment
    too_large = b"0" * ((launch.upload_limit_mb() + 2) * 1024 * 1024)
    request = urllib.request.Request(url + "_stcore/upload_file/s/f", data=too_large, method="PUT")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413
    assert refused.value.headers["X-Rnnviz-Process"] in (None, "")  # nginx answered, no process read it


def test_the_plotly_script_is_compressed_and_a_second_visit_keeps_it(deployment):
    from streamlit import file_util

    url, _ = deployment
    script = next(Path(file_util.get_static_dir(), "static", "js").glob("PlotlyChart.*.js"))  # 4.7 MB
    _, page_headers, _ = get(url)
    _, first, compressed = get(f"{url}static/js/{script.name}", encoding="gzip")
    _, second, _ = get(f"{url}static/js/{script.name}", encoding="gzip")
    assert page_headers["Cache-Control"] == "no-cache"  # the page itself is asked for again at each visit
    assert first["Content-Encoding"] == "gzip" and len(compressed) < script.stat().st_size / 2
    assert "immutable" in first["Cache-Control"] and "max-age=31536000" in first["Cache-Control"]
    assert second["X-Rnnviz-Cache"] == "HIT"  # served by nginx, not by a process


def test_a_class_through_nginx_gets_an_answer_to_every_interaction(deployment):
    url, _ = deployment
    records = run_on_its_own_loop(protocol_class.run_class(short_class(url, 3, seconds=60)))
    assert [r.errors for r in records] == [[], [], []]
    assert all(r.finished for r in records)


def test_students_of_a_restarted_process_reconnect_to_a_working_page_with_their_link(deployment):
    url, run_dir = deployment

    async def restart_under_a_class():
        pages = await open_students(url, 2)
        on_it, other = pages if pages[0].process == "p1" else pages[::-1]
        await asyncio.to_thread(launch.restart, "p1", run_dir)
        with pytest.raises(websockets.ConnectionClosed):  # the process went away with the session
            for _ in range(100):  # its last words first, if any
                await asyncio.wait_for(on_it.websocket.recv(), 10)
        back, answer = await ProtocolPage.open(url, UNFOLD, timeout=60, cookies=on_it.cookies)
        link = [current_value(back.widget(key=key)) for key in ("scale", "T")]
        moved = await back.set(back.widget(key="scale"), [1.2])
        untouched = await other.set(other.widget(key="scale"), [1.2])
        await close_all([other, back])
        return on_it, back, answer, link, moved, untouched

    on_it, back, answer, link, moved, untouched = run_on_its_own_loop(restart_under_a_class())
    assert back.process == "p1"  # its cookie still names p1, which is back
    assert back.session_id != on_it.session_id  # a fresh session: what the old one held is gone
    assert link == [[0.5], [30.0]]  # the link's settings, as before the restart
    assert answer.errors == [] and moved.errors == [] and untouched.errors == []


def test_a_protocol_page_reconnects_after_a_restart_to_the_settings_of_its_address(deployment):
    url, run_dir = deployment

    async def move_across_a_restart():
        pages = await open_students(url, 2)
        on_it, other = pages if pages[0].process == "p1" else pages[::-1]
        linked = on_it.texts(within_key="regime")  # the server's summary of the settings, at the link's scale 0.5
        scale = on_it.widget(key="scale")
        await on_it.set(scale, [scale.proto.max])  # the largest scale goes into the address, as in a browser
        moved, before = on_it.texts(within_key="regime"), on_it.session_id
        await asyncio.to_thread(launch.restart, "p1", run_dir)
        lost = await on_it.press(on_it.widget(key="step_next"))  # this press meets the closed websocket
        back = await on_it.reconnect()  # as Streamlit's frontend: the same cookies and address, every widget's state
        await close_all([on_it, other])
        return linked, moved, before, lost, back, on_it

    linked, moved, before, lost, back, page = run_on_its_own_loop(move_across_a_restart())
    largest = float(dict(parse_qsl(page.query_string))["scale"])
    assert lost.closed and not back.closed and back.errors == []
    assert page.session_id not in ("", before)  # a fresh session on the restarted process
    assert page.process == "p1"
    assert moved != linked and page.texts(within_key="regime") == moved  # the new session computed the moved scale
    assert largest > 1 and "T=30" in page.query_string


def test_a_class_loses_no_student_when_a_process_restarts_under_it(deployment):
    url, run_dir = deployment
    pace = {"slider_moves": 4, "think_seconds": (0.5, 1.0), "action_timeout": 60.0}
    plan = short_class(url, 4, seconds=120, reconnect=True, **pace)

    async def class_with_a_restart():
        students = asyncio.ensure_future(protocol_class.run_class(plan))
        await asyncio.sleep(5)  # every student has its page by now, and some ten actions to go
        await asyncio.to_thread(launch.restart, "p1", run_dir)
        return await students

    records = run_on_its_own_loop(class_with_a_restart())
    assert [r.errors for r in records] == [[]] * 4, records
    assert all(r.finished for r in records)
    assert any(r.reconnects for r in records)  # those on p1 came back


def test_while_a_process_is_down_its_students_move_to_another_and_stay_there(deployment):
    url, run_dir = deployment
    p1 = launch.read_state(run_dir)["processes"]["p1"]

    async def reconnect_while_down():
        page, _ = await ProtocolPage.open(url, UNFOLD, timeout=60, cookies={ROUTE: "p1"})
        launch.stop_pid(p1["pid"], launch.process_marker(p1["port"]))
        moved, _ = await ProtocolPage.open(url, UNFOLD, timeout=60, cookies=page.cookies)
        await asyncio.to_thread(launch.restart, "p1", run_dir)
        later, answer = await ProtocolPage.open(url, UNFOLD, timeout=60, cookies=moved.cookies)
        await close_all([moved, later])
        return page, moved, later, answer

    page, moved, later, answer = run_on_its_own_loop(reconnect_while_down())
    assert page.process == "p1"
    assert moved.process == moved.cookies[ROUTE] == "p2"
    assert later.process == "p2" and answer.errors == []  # p1 is back, but the browser's session is on p2


def test_the_launcher_reports_and_stops_what_it_started():
    run_dir = Path(tempfile.mkdtemp(prefix="rnnviz-deploy-test-"))
    try:
        state = launch.start(1, run_dir, f"127.0.0.1:{free_port()}")
        running = launch.status(run_dir)
        launch.stop(run_dir)
        stopped = launch.status(run_dir)
    finally:
        if (run_dir / "state.json").exists():
            launch.stop(run_dir)
        shutil.rmtree(run_dir, ignore_errors=True)
    assert [line.rsplit(", ", 1)[-1] for line in running] == ["answering", "answering"]
    assert [line.rsplit(", ", 1)[-1] for line in stopped] == ["not running", "not running"]
    assert not Path(f"/proc/{state['nginx_pid']}").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["start", "0"], "between 1 and 16, not 0"),
        (["start", "17"], "between 1 and 16, not 17"),
        (["stop"], "nothing was started"),
        (["restart", "p1"], "nothing was started"),
    ],
)
def test_the_launcher_refuses_what_it_cannot_do_in_words(tmp_path, capsys, argv, message):
    assert launch.main(["--run-dir", str(tmp_path), *argv]) == 1
    assert message in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() != 0, reason="nginx's workers drop to user nobody only when it starts as root")
def test_a_run_directory_nginx_s_workers_cannot_reach_is_refused_before_anything_starts(tmp_path):
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    closed.chmod(0o700)
    with pytest.raises(launch.DeployError, match="cannot enter .*closed"):
        launch.start(1, closed / "run", f"127.0.0.1:{free_port()}")
    assert not (closed / "run" / "state.json").exists()
