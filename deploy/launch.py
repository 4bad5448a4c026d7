"""rnnviz for a class: nginx in front of N `streamlit run app.py` processes, started and stopped by their ids.

    python deploy/launch.py start 2 --listen 0.0.0.0:8080    # 2 processes on loopback ports, nginx in front
    python deploy/launch.py status                           # each process and nginx: running, answering
    python deploy/launch.py restart p1                       # one process again, on its port (the others serve)
    python deploy/launch.py stop                             # everything this launcher started, by its pids

Everything lives in a run directory (`--run-dir`, default deploy/run): nginx's own configuration (from
deploy/nginx.conf.template), pid file, logs, temporary files and static-file cache; each process's log; and
state.json, the pids and ports that `stop`, `status` and `restart` read. It never touches the system's nginx
service. All processes share one `server.cookieSecret`, made anew at each start (in the run directory, readable
by its owner only), so a browser moved to another process still has valid cookies. nginx is Debian's package
(`apt-get install nginx`).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy.servers import ROOT, free_port, start_streamlit, wait_healthy  # noqa: E402

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
DEFAULT_RUN_DIR = Path(__file__).resolve().parent / "run"
MAX_PROCESSES = 16  # a bound on `start N`: one process per core is the useful count
START_TIMEOUT = 90  # seconds for a process (or nginx) to answer after its start
STOP_GRACE = 10  # seconds between SIGTERM and SIGKILL
SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"


class DeployError(RuntimeError):
    """The launcher cannot do what was asked; the message says why."""


def upload_limit_mb() -> int:
    """`server.maxUploadSize` from .streamlit/config.toml (Streamlit's default 200 MB when it is not set)."""
    config = ROOT / ".streamlit" / "config.toml"
    settings = tomllib.loads(config.read_text()) if config.exists() else {}
    return int(settings.get("server", {}).get("maxUploadSize", 200))


def nginx_config(run_dir: Path, listen: str, ports: dict[str, int]) -> str:
    """nginx.conf for the processes `ports` (name -> loopback port), nginx listening on `listen`."""
    addresses = {name: f"127.0.0.1:{port}" for name, port in ports.items()}
    fields = {
        "user": "user nobody nogroup;" if os.geteuid() == 0 else "",  # workers drop root's rights
        "run_dir": str(run_dir),
        "listen": listen,
        "max_body": f"{upload_limit_mb() + 1}m",  # the limit, plus the multipart form's envelope
        "pool_servers": "\n".join(f"        server {a} max_fails=1 fail_timeout=5s;" for a in addresses.values()),
        "process_upstreams": "".join(
            f"    upstream rnnviz_{name} {{\n        server {a};\n    }}\n" for name, a in addresses.items()
        ),
        "route_map": "\n".join(f"        {name} rnnviz_{name};" for name in addresses),
        # the last address tried: after ", " (a retry in one group) or " : " (error_page moved to the pool)
        "served_map": "\n".join(f'        "~(^|, | : ){a}$" {name};' for name, a in addresses.items()),
    }
    text = TEMPLATE.read_text()
    for key, value in fields.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def read_state(run_dir: Path) -> dict:
    """What `start` recorded in run_dir/state.json: nginx's pid and address, each process's pid and port."""
    path = run_dir / "state.json"
    if not path.exists():
        raise DeployError(f"nothing was started from {run_dir} (no state.json)")
    return json.loads(path.read_text())


def write_state(run_dir: Path, state: dict) -> None:
    """Record `state` in run_dir/state.json (after each process started, so that `stop` finds it)."""
    (run_dir / "state.json").write_text(json.dumps(state, indent=1))


def is_ours(pid: int, marker: str) -> bool:
    """The process `pid` is running and its command line contains `marker` (a recorded pid may be reused)."""
    try:
        return marker in Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False


def stop_pid(pid: int, marker: str) -> None:
    """Stop the process group led by `pid` (started here in a session of its own): SIGTERM, then SIGKILL."""
    if not is_ours(pid, marker):
        return
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    while time.monotonic() < deadline and is_ours(pid, marker):
        time.sleep(0.1)
    if is_ours(pid, marker):
        os.killpg(pid, signal.SIGKILL)
    _reap(pid)


def _reap(pid: int) -> None:
    """Collect the exit of a child of this process (a no-op for one started by an earlier launcher)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def start_process(run_dir: Path, name: str, port: int, launcher: list[str] | None, detach: bool) -> int:
    """One `streamlit run app.py` for the deployment; its pid."""
    env = {SECRET_ENV: (run_dir / "cookie-secret").read_text().strip()}
    log = run_dir / "logs" / f"{name}.log"
    return start_streamlit(port, log=log, launcher=launcher, env=env, new_session=detach).pid


def prepare_run_dir(run_dir: Path) -> None:
    """The run directory and its parts, reachable by nginx's workers; a new cookie secret, its owner's only."""
    if os.geteuid() == 0:  # nginx's workers run as nobody: every folder above the run directory must let them in
        closed = [str(parent) for parent in run_dir.resolve().parents if not parent.stat().st_mode & 0o001]
        if closed:
            raise DeployError(
                f"nginx's workers (user nobody) cannot enter {', '.join(closed)}: they would fail to serve the static "
                "files. Choose a run directory under folders others may enter, or chmod o+x them."
            )
    for part in ("logs", "tmp", "cache"):
        (run_dir / part).mkdir(parents=True, exist_ok=True)
    for path in (run_dir, run_dir / "tmp", run_dir / "cache"):
        path.chmod(0o755)
    secret = run_dir / "cookie-secret"
    secret.touch(mode=0o600)
    secret.chmod(0o600)
    secret.write_text(secrets.token_hex(32))


def start(
    count: int,
    run_dir: Path = DEFAULT_RUN_DIR,
    listen: str = "127.0.0.1:8080",
    launcher_for=None,
    detach: bool = True,
) -> dict:
    """Start `count` processes and nginx in front; returns the state (also written to run_dir/state.json).

    `launcher_for(name)` may give the command that runs `streamlit run` for a process (the load test times each
    script run); `detach=False` keeps the processes in this session (the load test's scheduling)."""
    if not 1 <= count <= MAX_PROCESSES:
        raise DeployError(f"the number of processes must be between 1 and {MAX_PROCESSES}, not {count}")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise DeployError("nginx is not installed: apt-get install nginx")
    run_dir = run_dir.resolve()
    if (run_dir / "state.json").exists() and any_running(read_state(run_dir), run_dir):
        raise DeployError(f"already running from {run_dir}: stop it first")
    prepare_run_dir(run_dir)
    ports = {f"p{index + 1}": free_port() for index in range(count)}
    state = {"listen": listen, "nginx_pid": None, "processes": {}, "detach": detach}
    for name, port in ports.items():
        launcher = launcher_for(name) if launcher_for else None
        pid = start_process(run_dir, name, port, launcher, detach)
        state["processes"][name] = {"port": port, "pid": pid, "launcher": launcher}
        write_state(run_dir, state)
    try:
        for port in ports.values():
            wait_healthy(f"http://127.0.0.1:{port}/", START_TIMEOUT)
        state["nginx_pid"] = start_nginx(nginx, run_dir, listen, ports)
        write_state(run_dir, state)
    except Exception:
        stop(run_dir)
        raise
    return state


def start_nginx(nginx: str, run_dir: Path, listen: str, ports: dict[str, int]) -> int:
    """nginx with this deployment's configuration, in a session of its own, answering on `listen`; its pid."""
    conf = run_dir / "nginx.conf"
    conf.write_text(nginx_config(run_dir, listen, ports))
    command = [nginx, "-p", str(run_dir), "-c", str(conf), "-e", str(run_dir / "logs" / "nginx-error.log")]
    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, timeout=30)
    if checked.returncode:
        raise DeployError(f"nginx refuses the configuration {conf}: {checked.stderr.strip()}")
    log = open(run_dir / "logs" / "nginx.out", "ab")  # noqa: SIM115 - the child keeps it
    with log:
        process = subprocess.Popen(
            [*command, "-g", "daemon off;"], stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
    try:
        wait_healthy(f"http://{local_address(listen)}/", START_TIMEOUT)
    except RuntimeError as error:
        raise DeployError(f"nginx did not answer on {listen}: see {run_dir / 'logs'}") from error
    return process.pid


def local_address(listen: str) -> str:
    """Where this machine reaches `listen` ("0.0.0.0:80" -> "127.0.0.1:80")."""
    host, _, port = listen.rpartition(":")
    return f"{'127.0.0.1' if host in ('', '0.0.0.0', '*', '[::]') else host}:{port}"


def process_marker(port: int) -> str:
    """What a deployment's process has in its command line."""
    return f"--server.port {port}"


def nginx_marker(run_dir: Path) -> str:
    """What this deployment's nginx has in its command line (the master names its configuration)."""
    return str(run_dir / "nginx.conf")


def any_running(state: dict, run_dir: Path) -> bool:
    """Whether a process or the nginx of this recorded deployment still runs."""
    pids = [(p["pid"], process_marker(p["port"])) for p in state["processes"].values()]
    pids.append((state.get("nginx_pid") or 0, nginx_marker(run_dir)))
    return any(is_ours(pid, marker) for pid, marker in pids)


def stop(run_dir: Path = DEFAULT_RUN_DIR) -> None:
    """Stop nginx, then every process, by the pids recorded in run_dir/state.json."""
    run_dir = run_dir.resolve()
    state = read_state(run_dir)
    if state.get("nginx_pid"):
        stop_pid(state["nginx_pid"], nginx_marker(run_dir))
    for process in state["processes"].values():
        stop_pid(process["pid"], process_marker(process["port"]))


def restart(name: str, run_dir: Path = DEFAULT_RUN_DIR) -> int:
    """Stop the process `name` and start it again on its port with the same cookie secret; its new pid."""
    run_dir = run_dir.resolve()
    state = read_state(run_dir)
    if name not in state["processes"]:
        raise DeployError(f"no process {name!r} (there are: {', '.join(state['processes'])})")
    process = state["processes"][name]
    stop_pid(process["pid"], process_marker(process["port"]))
    process["pid"] = start_process(run_dir, name, process["port"], process["launcher"], state.get("detach", True))
    write_state(run_dir, state)
    wait_healthy(f"http://127.0.0.1:{process['port']}/", START_TIMEOUT)
    return process["pid"]


def answers(url: str) -> bool:
    """Whether the server at `url` answers its health check within 3 s."""
    try:
        with urllib.request.urlopen(url + "_stcore/health", timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


def status(run_dir: Path = DEFAULT_RUN_DIR) -> list[str]:
    """One line per process and for nginx: its pid, whether it runs and whether it answers."""
    run_dir = run_dir.resolve()
    state = read_state(run_dir)
    lines = []
    for name, process in state["processes"].items():
        running = is_ours(process["pid"], process_marker(process["port"]))
        healthy = running and answers(f"http://127.0.0.1:{process['port']}/")
        lines.append(f"{name}: pid {process['pid']}, port {process['port']}, {_health(running, healthy)}")
    pid = state.get("nginx_pid") or 0
    running = is_ours(pid, nginx_marker(run_dir))
    healthy = running and answers(f"http://{local_address(state['listen'])}/")
    lines.append(f"nginx: pid {pid}, listening on {state['listen']}, {_health(running, healthy)}")
    return lines


def _health(running: bool, healthy: bool) -> str:
    return "answering" if healthy else "running, not answering" if running else "not running"


@contextmanager
def running(count: int) -> Iterator[tuple[str, Path]]:
    """`count` processes behind nginx on a free loopback port for the block, in a fresh run directory under /tmp
    (where nginx's workers can reach it); yields nginx's URL and the run directory, stops everything afterwards."""
    run_dir = Path(tempfile.mkdtemp(prefix="rnnviz-deploy-"))
    listen = f"127.0.0.1:{free_port()}"
    try:
        start(count, run_dir, listen)
        yield f"http://{listen}/", run_dir
    finally:
        if (run_dir / "state.json").exists():
            stop(run_dir)
        shutil.rmtree(run_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module's docstring); 0 when done, 1 with a message when not."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run-dir", type=Path, default=DEFAULT_RUN_DIR, help="where nginx's files and state live")
    commands = parser.add_subparsers(dest="command", required=True)
    starting = commands.add_parser("start", help="start N processes and nginx in front of them")
    starting.add_argument("count", type=int, help=f"processes (1-{MAX_PROCESSES}; one per core)")
    starting.add_argument("--listen", default="127.0.0.1:8080", help="nginx's address, e.g. 0.0.0.0:80")
    commands.add_parser("stop", help="stop nginx and the processes")
    commands.add_parser("status", help="show whether each one runs and answers")
    restarting = commands.add_parser("restart", help="restart one process (p1, p2, ...)")
    restarting.add_argument("name")
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            start(args.count, args.run_dir, args.listen)
            print("\n".join(status(args.run_dir)))
        elif args.command == "stop":
            stop(args.run_dir)
        elif args.command == "restart":
            print(f"{args.name}: pid {restart(args.name, args.run_dir)}")
        else:
            lines = status(args.run_dir)
            print("\n".join(lines))
            return 0 if all(line.endswith(", answering") for line in lines) else 1
    except (DeployError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
