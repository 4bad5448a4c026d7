"""A student's browser as the server sees it: Streamlit's own protocol over its websocket, with no browser.

    page = await ProtocolPage.open("http://127.0.0.1:8501/", "unfold?scale=1.1")
    scale = page.widget(key="scale")
    answer = await page.set(scale, 1.2)       # a rerun carrying every widget's state, as the browser sends it
    answer.seconds, answer.received, answer.errors
    await page.press(page.widget(key="step_next"))   # a button inside a fragment reruns only that fragment
    await page.open_view("The whole run")     # a page's tabs are a widget too (st.tabs with on_change)
    await page.close()

What it does is what Streamlit's frontend does (frontend/connection, WidgetStateManager.ts): it takes the XSRF
cookie from an HTTP request, opens `/_stcore/stream` with the subprotocols `streamlit, <xsrf token>` and the
cookie, asks for the first run with the URL's page and query string, and keeps the page's elements as the deltas
build them (a full run replaces the page, a fragment's run only the fragment's part). Widgets are found by their
label or key in those deltas. Each interaction is a `rerun_script` BackMsg carrying the state of every widget on
the page (the changed one included, a pressed button as its trigger), the current page's hash and the query
string the server last set, the hashes of the large messages already received (the server then sends a short
reference, as it does to a browser), and the fragment's id when the widget lies inside a fragment. A fragment
that reruns itself (`st.fragment(run_every=...)`, e.g. the Train page while it trains) is asked for its reruns,
as the browser does, by `run_auto_reruns`.

An interaction's answer is timed from the request until the server's `script_finished` (a run that ends early
because another follows is not the end); it counts the bytes received, and collects every error the server
sends: exception elements, error alerts whose text says a computation failed, session events, compile errors,
a page not found, a closed connection, and no answer in time.
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileUploaderState, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

XSRF_COOKIE = "_streamlit_xsrf"
FAILURE_TEXT = "could not be computed"  # ui.notices.FAILURE_PREFIX: the words page_guard shows on a failure
VALUE_FIELDS = {  # a widget's element or block type -> the WidgetState field its value travels in
    "slider": "double_array_value",
    "number_input": "double_value",
    "selectbox": "string_value",
    "radio": "string_value",
    "checkbox": "bool_value",
    "button_group": "string_array_value",
    "button": "trigger_value",
    "tab_container": "string_value",  # the open tab's label
    "expandable": "bool_value",  # open or not
    "file_uploader": "file_uploader_state_value",  # the uploaded files' ids and URLs
}
FINISHED = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}
MAX_MESSAGES_PER_RUN = 20_000  # a bound on one answer's messages, far above any page's
MAX_MESSAGES_BEFORE_URLS = 1_000  # a bound on the messages read while waiting for an upload's URLs


class WidgetNotFoundError(LookupError):
    """The page has no widget with that label or key."""


class NoAnswerError(TimeoutError):
    """The server did not finish the run in time."""


class UploadError(RuntimeError):
    """The server refused an upload (e.g. a session that lives in another process)."""


@dataclass(frozen=True)
class Widget:
    """One widget on the page, as its last delta described it."""

    id: str
    kind: str  # the element's type: "slider", "button", ..., or "tab_container", "expandable"
    label: str
    proto: object  # the element's (or block's) message
    fragment_id: str  # "" outside a fragment

    @property
    def key(self) -> str:
        return self.id.rsplit("-", 1)[-1] if self.id.startswith("$$ID-") else ""


@dataclass
class Answer:
    """What one request got back."""

    seconds: float = 0.0
    received: int = 0  # bytes
    messages: int = 0
    errors: list[str] = field(default_factory=list)
    closed: bool = False  # the server closed the websocket before the run finished


@dataclass
class _Node:
    kind: str  # the element's or block's type
    proto: object
    fragment_id: str
    id: str  # a widget's id, or a keyed block's ("$$ID-<hash>-<key>"); "" for the rest


async def _connect(base_url: str, cookies: dict[str, str], timeout: float, last_session: str = ""):
    """The websocket of a browser holding `cookies`; `last_session`: the session it had before a reconnect."""
    host = urlsplit(base_url)
    if host.hostname not in ("127.0.0.1", "localhost"):
        raise ValueError(f"the load client talks to loopback only, not {host.hostname}")
    headers = {"Origin": f"{host.scheme}://{host.netloc}"}
    if cookies:
        headers["Cookie"] = cookie_header(cookies)
    subprotocols = ["streamlit", cookies.get(XSRF_COOKIE) or ""] + ([last_session] if last_session else [])
    return await asyncio.wait_for(
        websockets.connect(
            f"ws://{host.netloc}{host.path}_stcore/stream",
            subprotocols=subprotocols,
            additional_headers=headers,
            max_size=None,
            open_timeout=timeout,
        ),
        timeout,
    )


def cookies_set_by(websocket) -> dict[str, str]:
    """The cookies the websocket's handshake answer set (a browser keeps them, e.g. nginx's routing cookie)."""
    taken = {}
    for header in websocket.response.headers.get_all("Set-Cookie"):
        name, _, value = header.split(";", 1)[0].partition("=")
        taken[name.strip()] = value.strip()
    return taken


def browser_cookies(base_url: str, timeout: float, cookies: dict[str, str] | None = None) -> dict[str, str]:
    """The cookies a browser holding `cookies` has after an HTTP request: the XSRF cookie, and behind the
    deployment's nginx (deploy/) the routing cookie that names the process holding the browser's session."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    request = urllib.request.Request(base_url + "_stcore/health")
    if cookies:
        request.add_header("Cookie", cookie_header(cookies))
    with opener.open(request, timeout=timeout) as response:
        response.read()
    return {**(cookies or {}), **{cookie.name: cookie.value for cookie in jar}}


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def xsrf_cookie(base_url: str, timeout: float) -> str | None:
    """The XSRF cookie a browser gets with its first HTTP request (None when the server does not use one)."""
    return browser_cookies(base_url, timeout).get(XSRF_COOKIE)


def current_value(widget: Widget):
    """The value the browser holds for a widget it has just drawn: what the server set, else the default."""
    proto, kind = widget.proto, widget.kind
    if kind == "slider":
        return list(proto.value if proto.set_value else proto.default)
    if kind == "number_input":
        return proto.value if proto.set_value else proto.default
    if kind in ("selectbox", "radio"):
        if proto.set_value:
            return proto.raw_value
        return proto.options[proto.default] if proto.HasField("default") and proto.options else None
    if kind == "checkbox":
        return proto.value if proto.set_value else proto.default
    if kind == "button_group":
        return list(proto.raw_values) if proto.set_value else [proto.options[i].content for i in proto.default]
    if kind == "tab_container":
        return proto.default_tab_label
    if kind == "expandable":
        return proto.expanded
    return None


class ProtocolPage:
    """One student's Streamlit session through the websocket, with the page its deltas draw."""

    def __init__(self, base_url: str, websocket, timeout: float, cookies: dict[str, str] | None = None):
        self.base_url, self.websocket, self.timeout = base_url, websocket, timeout
        self.cookies = dict(cookies or {})  # what the browser holds: the XSRF cookie, nginx's routing cookie
        self.session_id = ""  # the server's id of this session, from its first message
        self.file_urls: dict[str, object] = {}  # file name -> the FileURLs the server gave for its upload
        self.nodes: dict[tuple[int, ...], _Node] = {}
        self.touched: set[tuple[int, ...]] = set()  # the paths drawn by the run in progress
        self.states: dict[str, object] = {}  # widget id -> the value the student chose
        self.cache: dict[str, ForwardMsg] = {}  # the large messages received, by hash
        self.page_hash = ""
        self.pages: dict[str, str] = {}  # url path name -> page script hash, from the navigation
        self.query_string = ""
        self.auto_reruns: dict[str, float] = {}  # fragment id -> seconds between its reruns

    @classmethod
    async def open(
        cls, base_url: str, path: str = "", timeout: float = 30.0, cookies: dict[str, str] | None = None
    ) -> tuple[ProtocolPage, Answer]:
        """Connect as a browser opening `base_url + path` and wait for the first run to finish. `cookies`: those of
        a browser that was here before (a reload, or a reconnect after its server restarted)."""
        start = time.perf_counter()
        cookies = await asyncio.to_thread(browser_cookies, base_url, timeout, cookies)
        websocket = await _connect(base_url, cookies, timeout)
        page = cls(base_url, websocket, timeout, {**cookies, **cookies_set_by(websocket)})
        page_name, _, page.query_string = path.lstrip("/").partition("?")
        answer = await page._request(page_name=page_name)
        answer.seconds = time.perf_counter() - start
        return page, answer

    async def reconnect(self, attempts: int = 20, pause: float = 0.5) -> Answer:
        """After the server closed the websocket (its process restarted), connect again as Streamlit's frontend
        does (App.tsx, handleConnectionStateChanged): it pings the server until it answers, opens a new websocket
        naming the session it had, and asks for a run of the page it shows with every widget's state it holds.
        A restarted process no longer has that session: it makes a fresh one from those states and the query
        string. At most `attempts` tries, `pause` seconds apart, within the page's timeout; the answer of the run
        (its seconds from the first try), or NoAnswerError."""
        start, deadline = time.perf_counter(), time.monotonic() + self.timeout
        for attempt in range(1, attempts + 1):
            try:
                self.cookies = await asyncio.to_thread(browser_cookies, self.base_url, self.timeout, self.cookies)
                self.websocket = await _connect(self.base_url, self.cookies, self.timeout, self.session_id)
                self.cookies.update(cookies_set_by(self.websocket))
                break
            except (OSError, websockets.InvalidHandshake, asyncio.TimeoutError) as error:
                if attempt == attempts or time.monotonic() + pause >= deadline:
                    raise NoAnswerError(f"no connection to the server after {attempt} tries: {error}") from error
                await asyncio.sleep(pause)
        answer = await self._request()
        answer.seconds = time.perf_counter() - start
        return answer

    @property
    def process(self) -> str:
        """Which process answered the websocket, as the deployment's nginx names it ("" without nginx)."""
        return self.websocket.response.headers.get("X-Rnnviz-Process", "")

    async def close(self) -> None:
        await self.websocket.close()

    # --- what the page shows ------------------------------------------------------------------------------

    def widgets(self) -> list[Widget]:
        return [
            self._as_widget(node) for _, node in sorted(self.nodes.items()) if node.kind in VALUE_FIELDS and node.id
        ]

    def widget(self, label: str | None = None, key: str | None = None) -> Widget:
        """The widget with this label or key; WidgetNotFoundError names what the page has instead."""
        matches = [w for w in self.widgets() if (key is None or w.key == key) and (label is None or w.label == label)]
        if not matches:
            wanted = f"key {key!r}" if key is not None else f"label {label!r}"
            have = ", ".join(f"{w.kind} {w.key or w.label!r}" for w in self.widgets())
            raise WidgetNotFoundError(f"no widget with {wanted} on this page (it has: {have or 'no widgets'})")
        return matches[0]

    def has(self, label: str | None = None, key: str | None = None) -> bool:
        try:
            self.widget(label, key)
        except WidgetNotFoundError:
            return False
        return True

    def texts(self, within_key: str | None = None) -> list[str]:
        """The text of the page's markdown, captions, metrics and alerts, in page order; with `within_key`, only
        inside the container with that key."""
        within = None
        if within_key is not None:
            within = next((p for p, n in self.nodes.items() if n.id.endswith(f"-{within_key}")), None)
            if within is None:
                raise WidgetNotFoundError(f"no container with key {within_key!r} on this page")
        texts = []
        for path, node in sorted(self.nodes.items()):
            if within is not None and path[: len(within)] != within:
                continue
            if node.kind in ("markdown", "alert", "heading"):
                texts.append(node.proto.body)
            elif node.kind == "metric":
                texts.append(f"{node.proto.label}: {node.proto.body}")
        return texts

    def alerts(self) -> list[str]:
        """The text of the page's success, info, warning and error boxes."""
        return [node.proto.body for _, node in sorted(self.nodes.items()) if node.kind == "alert"]

    def chart_specs(self) -> list[str]:
        """Every Plotly chart's figure, as the JSON the browser draws."""
        return [node.proto.spec for _, node in sorted(self.nodes.items()) if node.kind == "plotly_chart"]

    def tab_labels(self) -> list[str]:
        return [node.proto.label for _, node in sorted(self.nodes.items()) if node.kind == "tab"]

    # --- what the student does ----------------------------------------------------------------------------

    async def set(self, widget: Widget, value) -> Answer:
        """Change a widget's value (a slider's is a list of one number; a radio's or a selectbox's is an option).
        A widget bound to the address (`bind="query-params"`) writes its value there at once, as the frontend does:
        a reload or a reconnect then opens the page with it."""
        self.states[widget.id] = value
        if getattr(widget.proto, "query_param_key", ""):
            self._write_in_address(widget.proto.query_param_key, value)
        return await self._request(fragment_id=widget.fragment_id)

    async def press(self, widget: Widget) -> Answer:
        """Press a button: its trigger goes with this one request only."""
        if widget.kind != "button":
            raise WidgetNotFoundError(f"{widget.key or widget.label!r} is a {widget.kind}, not a button")
        if widget.proto.disabled:
            raise WidgetNotFoundError(f"the button {widget.key or widget.label!r} is disabled")
        return await self._request(fragment_id=widget.fragment_id, trigger=widget.id)

    async def open_view(self, label: str) -> Answer:
        """Open the tab named `label` (a tab container with a key reruns the page with the open tab's label)."""
        for path, node in sorted(self.nodes.items()):
            if node.kind == "tab" and node.proto.label == label:
                container = self.nodes.get(path[:-1])
                if container is None or not container.id:
                    raise WidgetNotFoundError(f"the tab {label!r} is not a widget (its container has no key)")
                return await self.set(self._as_widget(container), label)
        have = ", ".join(self.tab_labels()) or "no tabs"
        raise WidgetNotFoundError(f"no tab {label!r} on this page (it has: {have})")

    async def go_to(self, page_name: str) -> Answer:
        """Switch page as the navigation's link does: the other page's hash, the same session."""
        if page_name not in self.pages:
            raise WidgetNotFoundError(f"no page {page_name!r} in the navigation (it has: {', '.join(self.pages)})")
        return await self._request(page_hash=self.pages[page_name])

    async def upload(self, widget: Widget, name: str, data: bytes) -> Answer:
        """Upload a file through a file uploader as the browser does: ask the server for the file's URLs (a
        `file_urls_request`), PUT the file there as a form with the XSRF token, then rerun with the uploader's
        state naming the file. UploadError when the server refuses the file."""
        if widget.kind != "file_uploader":
            raise WidgetNotFoundError(f"{widget.key or widget.label!r} is a {widget.kind}, not a file uploader")
        urls = await asyncio.wait_for(self._file_urls(name), self.timeout)
        status = await asyncio.to_thread(self._put, urls.upload_url, name, data)
        if status != 204:
            raise UploadError(f"the server answered the upload of {name!r} with HTTP {status}")
        info = UploadedFileInfo(name=name, size=len(data), file_id=urls.file_id)
        info.file_urls.CopyFrom(urls)
        self.states[widget.id] = FileUploaderState(uploaded_file_info=[info])
        return await self._request(fragment_id=widget.fragment_id)

    async def _file_urls(self, name: str):
        message = BackMsg()
        message.file_urls_request.request_id = f"upload-{time.monotonic_ns()}"
        message.file_urls_request.session_id = self.session_id
        message.file_urls_request.file_names.append(name)
        await self.websocket.send(message.SerializeToString())
        for _ in range(MAX_MESSAGES_BEFORE_URLS):
            answer = ForwardMsg()
            answer.ParseFromString(await self.websocket.recv())
            if answer.WhichOneof("type") == "file_urls_response":
                if answer.file_urls_response.error_msg or not answer.file_urls_response.file_urls:
                    raise UploadError(f"no upload address for {name!r}: {answer.file_urls_response.error_msg}")
                return answer.file_urls_response.file_urls[0]
        raise UploadError(f"no upload address for {name!r} after {MAX_MESSAGES_BEFORE_URLS} messages")

    def _put(self, upload_url: str, name: str, data: bytes) -> int:
        """PUT one file as the browser's uploader does (multipart/form-data, the XSRF token in a header)."""
        boundary = f"rnnviz{time.monotonic_ns()}"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": cookie_header(self.cookies)}
        if XSRF_COOKIE in self.cookies:
            headers["X-Xsrftoken"] = self.cookies[XSRF_COOKIE]
        address = urljoin(self.base_url, upload_url)
        request = urllib.request.Request(address, data=body, method="PUT", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    async def run_auto_reruns(self, done, seconds: float, max_reruns: int = 2000) -> tuple[bool, list[Answer]]:
        """Ask for the self-rerunning fragments' reruns, one interval after each answer, until `done(self)`, until no
        fragment reruns itself any more, until the server closes the connection, or for at most `seconds` and
        `max_reruns`. Returns (done, the answers)."""
        answers: list[Answer] = []
        deadline = time.monotonic() + seconds
        while len(answers) < max_reruns and time.monotonic() < deadline:
            if done(self):
                return True, answers
            if not self.auto_reruns:
                return False, answers
            fragment_id, interval = next(iter(self.auto_reruns.items()))
            await asyncio.sleep(interval)
            answers.append(await self._request(fragment_id=fragment_id, is_auto_rerun=True))
            if answers[-1].closed:
                return False, answers
        return done(self), answers

    # --- the protocol -------------------------------------------------------------------------------------

    def _write_in_address(self, key: str, value) -> None:
        value = value[0] if isinstance(value, list) and len(value) == 1 else value
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        pairs = [(name, given) for name, given in parse_qsl(self.query_string, keep_blank_values=True) if name != key]
        self.query_string = urlencode([*pairs, (key, text)])

    def _as_widget(self, node: _Node) -> Widget:
        return Widget(node.id, node.kind, getattr(node.proto, "label", ""), node.proto, node.fragment_id)

    def _widget_states(self, trigger: str | None) -> list[WidgetState]:
        """Every widget's state, as WidgetStateManager sends them with each rerun."""
        states = []
        for widget in self.widgets():
            state = WidgetState(id=widget.id)
            if widget.kind == "button":
                if widget.id != trigger:
                    continue
                state.trigger_value = True
            else:
                value = self.states.get(widget.id)
                if value is None:
                    value = current_value(widget)
                if value is None:
                    continue
                value_field = VALUE_FIELDS[widget.kind]
                if value_field == "file_uploader_state_value":
                    state.file_uploader_state_value.CopyFrom(value)
                elif value_field.endswith("array_value"):
                    getattr(state, value_field).data.extend(value)
                else:
                    setattr(state, value_field, value)
            states.append(state)
        return states

    async def _request(
        self,
        page_name: str = "",
        page_hash: str | None = None,
        fragment_id: str = "",
        trigger: str | None = None,
        is_auto_rerun: bool = False,
    ) -> Answer:
        message = BackMsg()
        client = message.rerun_script
        client.query_string = self.query_string
        client.page_name = page_name
        client.page_script_hash = self.page_hash if page_hash is None else page_hash
        client.fragment_id = fragment_id
        client.is_auto_rerun = is_auto_rerun
        client.widget_states.widgets.extend(self._widget_states(trigger))
        client.cached_message_hashes.extend(self.cache)
        client.context_info.url = self.base_url + page_name
        client.context_info.timezone = "UTC"
        client.context_info.locale = "en-GB"
        start = time.perf_counter()
        answer = Answer()
        self.touched = set()
        try:
            await self.websocket.send(message.SerializeToString())
            await asyncio.wait_for(self._until_finished(answer, fragment_id), self.timeout)
        except (asyncio.TimeoutError, TimeoutError) as error:
            answer.errors.append(f"no answer within {self.timeout:g} s")
            answer.seconds = time.perf_counter() - start
            raise NoAnswerError(answer.errors[-1]) from error
        except websockets.ConnectionClosed as error:
            answer.errors.append(f"connection closed by the server: {error}")
            answer.closed = True
        answer.seconds = time.perf_counter() - start
        return answer

    async def _until_finished(self, answer: Answer, fragment_id: str) -> None:
        for _ in range(MAX_MESSAGES_PER_RUN):
            data = await self.websocket.recv()
            answer.received += len(data)
            answer.messages += 1
            message = ForwardMsg()
            message.ParseFromString(data)
            if message.ref_hash:
                cached = self.cache[message.ref_hash]
                metadata = message.metadata
                message = ForwardMsg()
                message.CopyFrom(cached)
                message.metadata.CopyFrom(metadata)
            elif message.metadata.cacheable and message.hash:
                self.cache[message.hash] = message
            if self._take(message, answer) in FINISHED:
                self._drop_stale(fragment_id if message.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY else "")
                return
        answer.errors.append(f"no end of the run after {MAX_MESSAGES_PER_RUN} messages")

    def _take(self, message: ForwardMsg, answer: Answer):
        """Apply one message to the page; returns the script_finished status when it is one."""
        kind = message.WhichOneof("type")
        if kind == "new_session" and message.new_session.initialize.session_id:
            self.session_id = message.new_session.initialize.session_id
        if kind == "new_session" and not message.metadata.run.fragment_ids:  # a full run: the page is drawn anew
            self.auto_reruns.clear()
            self.touched = set()
        elif kind == "navigation":
            self.pages = {page.url_pathname: page.page_script_hash for page in message.navigation.app_pages}
            self.page_hash = message.navigation.page_script_hash  # the page st.navigation ran
        elif kind == "page_info_changed":
            self.query_string = message.page_info_changed.query_string
        elif kind == "auto_rerun":
            self.auto_reruns[message.auto_rerun.fragment_id] = message.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            for fragment in message.stop_auto_rerun.fragment_ids:
                self.auto_reruns.pop(fragment, None)
        elif kind == "delta":
            self._draw(message, answer)
        elif kind == "session_event":
            answer.errors.append(f"session event: {message.session_event.WhichOneof('type')}")
        elif kind == "page_not_found":
            answer.errors.append(f"page not found: {message.page_not_found.page_name!r}")
        elif kind == "script_finished":
            if message.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                answer.errors.append("the script did not compile")
            return message.script_finished
        return None

    def _draw(self, message: ForwardMsg, answer: Answer) -> None:
        delta, path = message.delta, tuple(message.metadata.delta_path)
        which = delta.WhichOneof("type")
        if which == "new_element":
            element = delta.new_element
            kind = element.WhichOneof("type")
            proto = getattr(element, kind)
            node_id = proto.id if kind in VALUE_FIELDS else ""
            if getattr(proto, "set_value", False):  # the server set the value: it replaces the student's
                self.states.pop(node_id, None)
            if kind == "exception":
                answer.errors.append(f"exception: {proto.type}: {proto.message[:200]}")
            elif kind == "alert" and proto.format == proto.ERROR and FAILURE_TEXT in proto.body:
                answer.errors.append(f"failure message: {proto.body[:200]}")
        elif which == "add_block":
            block = delta.add_block
            kind = block.WhichOneof("type") or "block"
            proto = getattr(block, kind) if kind != "block" else block
            node_id = getattr(proto, "id", "") or block.id
        else:
            return
        self.nodes[path] = _Node(kind, proto, delta.fragment_id, node_id)
        self.touched.add(path)

    def _drop_stale(self, fragment_id: str) -> None:
        """What the run just finished did not draw is gone: the whole page after a full run, the fragment's part
        after a fragment's run."""
        for path in [p for p in self.nodes if p not in self.touched]:
            if not fragment_id or self.nodes[path].fragment_id == fragment_id:
                del self.nodes[path]
