"""What a class measured, as figures and targets (`run.py`): latency quantiles by kind, errors from the students and
the servers' logs, memory and CPU, each target met or missed, and the printed summary."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from pathlib import Path

from sampling import Sampler

PROBE_STUDENT = 0  # the student whose browser runs at normal priority (see `run.run_class`)
TARGETS = {
    "p95 slider latency (s)": 2.0,
    "p50 interaction latency (s)": 0.5,
    "peak RSS (MB)": 1536,
    "RSS after close above warm start (MB)": 100,
}
# Latency kinds that are not the answer to one action: a whole training, the Train page's own reruns while it
# trains (each trains for a few seconds by design), a reconnect after a restart of the server.
WHOLE_ACTIVITIES = ("train", "training: live rerun", "reconnect")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def quantiles(samples: dict[str, list[float]]) -> dict[str, dict]:
    """n, p50, p95 and max of each kind's durations."""
    return {
        kind: {
            "n": len(v),
            "p50": round(percentile(v, 50), 3),
            "p95": round(percentile(v, 95), 3),
            "max": round(max(v), 3),
        }
        for kind, v in sorted(samples.items())
        if v
    }


DISCONNECT_NOISE = ("WebSocketDisconnected", "ClientDisconnected", "ConnectionClosed", "WebSocketDisconnect")


def merged_runs(runs: list[dict[str, list[float]]]) -> dict[str, list[float]]:
    merged: dict[str, list[float]] = {}
    for by_kind_of_run in runs:
        for kind, seconds in by_kind_of_run.items():
            merged.setdefault(kind, []).extend(seconds)
    return merged


def server_log_errors(log_path: Path) -> tuple[list[str], int]:
    """The tracebacks and error lines in the server's log (last line of each), and how many of them were only
    Streamlit noting a tab that closed mid-message (not an error of the app)."""
    errors, closed_tabs, block = [], 0, []
    lines = log_path.read_text(errors="replace").splitlines() + ["(end of log)"]
    for line in lines:
        if line.startswith(("Traceback", "Exception in ASGI", "During handling")) or (
            block and (line.startswith(" ") or not line.strip())
        ):
            block.append(line)
            continue
        if block:
            block.append(line)
            text = "\n".join(block)
            if any(noise in text for noise in DISCONNECT_NOISE):
                closed_tabs += 1
            else:
                errors.append(line.strip()[:300])
            block = []
        elif re.search(r"\b(ERROR|CRITICAL)\b", line):
            errors.append(line.strip()[:300])
    return errors, closed_tabs


def probe_students(args) -> set[int]:
    """The students whose browser runs at normal priority, reported apart."""
    if args.client == "protocol":
        return set(range(args.sessions, args.sessions + args.probes))
    return {PROBE_STUDENT} if args.probe and args.sessions > 1 else set()


def by_kind(records: list[dict], field_name: str) -> dict[str, list]:
    merged: dict[str, list] = {}
    for record in records:
        for kind, values in record.get(field_name, {}).items():
            merged.setdefault(kind, []).extend(values)
    return merged


def report(args, records, failures, sampler: Sampler, figures: dict, log: tuple[list[str], int]) -> dict:
    log_errors, closed_tabs = log
    probes = probe_students(args)
    class_records = [r for r in records if r["student"] not in probes]
    latencies = by_kind(class_records, "latencies")
    probe_latencies = by_kind([r for r in records if r["student"] in probes], "latencies")
    interactions = [  # each action once: a browser's ": script done" is a second timing of the same one
        v
        for kind, values in latencies.items()
        if kind not in WHOLE_ACTIVITIES and not kind.endswith(": script done")
        for v in values
    ]
    received = by_kind(class_records, "received")
    errors = [f"student {r['student']}: {e}" for r in records for e in r["errors"]] + failures
    skipped = Counter(s for r in records for s in r["skipped"])
    load = sampler.of("load")
    summary = {
        "server script runs during the class": quantiles(figures.get("server runs", {})),
        "sessions": args.sessions,
        "processes": args.processes,
        "server processes behind nginx": args.behind_nginx,
        "think seconds": list(args.think),
        "client": args.client,
        "finished sessions": sum(r["finished"] for r in class_records),
        "latency": quantiles(latencies),
        "every interaction": quantiles({"every interaction": interactions}).get("every interaction", {}),
        "mean kB received per interaction": {
            kind: round(statistics.mean(v) / 1000, 1) for kind, v in sorted(received.items()) if v
        },
        "latency of the probe student": quantiles(probe_latencies),
        "errors": errors,
        "server log errors": log_errors,
        "tabs closed mid-message (Streamlit log notes, not errors)": closed_tabs,
        "skipped": dict(skipped),
        "cold start RSS (MB)": figures["cold"],
        "warm start RSS (MB)": figures["warm"],
        "peak RSS (MB)": max([s.rss_mb for s in sampler.samples] or [0]),
        "RSS after close (MB)": figures["after"],
        "RSS warm / after close by server process (MB)": list(
            zip(figures["warm by process"], figures["after by process"], strict=True)
        ),
        "load average before the class": figures.get("loadavg"),
        "server CPU during load, mean % of one core": round(statistics.mean([s.server_cpu_percent for s in load]), 1)
        if load
        else None,
        "machine CPU during load, mean % of all cores": round(statistics.mean([s.machine_cpu_percent for s in load]), 1)
        if load
        else None,
        "load client CPU seconds (this process)": figures.get("client cpu"),
        "class seconds": figures.get("class seconds"),
    }
    summary["server CPU seconds per session"] = round(figures.get("server cpu", 0) / max(1, args.sessions), 2)
    summary["server RSS per session at the peak, above warm (MB)"] = round(
        (summary["peak RSS (MB)"] - figures["warm"]) / max(1, args.sessions), 2
    )
    if "restart" in figures:
        summary["restart"] = figures["restart"]
        summary["reconnected students, by what they were doing"] = dict(
            Counter(kind for r in class_records for kind in r.get("reconnects", []))
        )
    summary["targets"] = targets_met(summary, figures, errors, log_errors)
    return summary


def targets_met(summary: dict, figures: dict, errors: list[str], log_errors: list[str]) -> dict[str, bool]:
    """Each target of the class (TARGETS) against the summary's figures."""
    slider = summary["latency"].get("slider move", {}).get("p95", float("nan"))
    probe_slider = summary["latency of the probe student"].get("slider move", {}).get("p95", float("nan"))
    every = summary["every interaction"]
    targets = {
        "no errors": not errors and not log_errors,
        "p95 of every interaction < 2 s": every.get("p95", float("nan")) < TARGETS["p95 slider latency (s)"],
        "p50 of every interaction < 0.5 s": every.get("p50", float("nan")) < TARGETS["p50 interaction latency (s)"],
        "p95 slider latency < 2 s": slider < TARGETS["p95 slider latency (s)"],
        "server-side p95 of an interaction's run < 2 s": summary["server script runs during the class"]
        .get("interaction", {})
        .get("p95", float("nan"))
        < TARGETS["p95 slider latency (s)"],
        "peak RSS < 1.5 GB": summary["peak RSS (MB)"] < TARGETS["peak RSS (MB)"],
        "after close within 100 MB of warm start (each server process)": all(
            after - warm < TARGETS["RSS after close above warm start (MB)"]
            for warm, after in summary["RSS warm / after close by server process (MB)"]
        ),
    }
    if "restart" in summary:
        targets["the restarted process answered again"] = not summary["restart"]["error"]
        targets["its students reconnected and finished"] = (
            bool(summary["reconnected students, by what they were doing"])
            and summary["finished sessions"] == summary["sessions"]
        )
    if summary["latency of the probe student"]:
        targets["the probe students' p95 slider latency < 2 s"] = probe_slider < TARGETS["p95 slider latency (s)"]
    return targets


def print_summary(summary: dict) -> None:
    print(
        f"\n== rnnviz load test: {summary['sessions']} {summary['client']} students, "
        f"{summary['finished sessions']} finished, {summary['think seconds'][0]:g}-{summary['think seconds'][1]:g} s "
        "of thinking between actions =="
    )
    print(f"{'interaction':<26}{'n':>6}{'p50 s':>9}{'p95 s':>9}{'max s':>9}{'kB':>9}")
    every = [("every interaction", summary["every interaction"])] if summary["every interaction"] else []
    for kind, row in [*summary["latency"].items(), *every]:
        kilobytes = summary["mean kB received per interaction"].get(kind)
        print(
            f"{kind:<26}{row['n']:>6}{row['p50']:>9.3f}{row['p95']:>9.3f}{row['max']:>9.3f}"
            + (f"{kilobytes:>9.1f}" if kilobytes is not None else "")
        )
    if summary["client"] == "protocol":
        print("(from the request to the server's script_finished; kB: mean bytes received per answer)")
    else:
        print("(X: script done = until the browser saw the script finish; X = until the chart or label had changed)")
    if summary["latency of the probe student"]:
        print("\nthe probe students (their browsers at normal priority, as on their own laptops)")
        for kind, row in summary["latency of the probe student"].items():
            print(f"{kind:<26}{row['n']:>6}{row['p50']:>9.3f}{row['p95']:>9.3f}{row['max']:>9.3f}")
    print("\nserver side: one run of the app's script, timed in the server")
    for kind, row in summary["server script runs during the class"].items():
        print(f"{kind:<26}{row['n']:>6}{row['p50']:>9.3f}{row['p95']:>9.3f}{row['max']:>9.3f}")
    print(
        f"\nserver RSS: cold start {summary['cold start RSS (MB)']:.0f} MB, warm start "
        f"{summary['warm start RSS (MB)']:.0f} MB, peak {summary['peak RSS (MB)']:.0f} MB, after close "
        f"{summary['RSS after close (MB)']:.0f} MB"
        + (
            "; by process, warm / after close: "
            + ", ".join(f"{w:.0f} / {a:.0f}" for w, a in summary["RSS warm / after close by server process (MB)"])
            if len(summary["RSS warm / after close by server process (MB)"]) > 1
            else ""
        )
    )
    print(f"machine load average before the class (other work on it): {summary['load average before the class']}")
    print(
        f"CPU during load: server {summary['server CPU during load, mean % of one core']}% of one core, "
        f"machine {summary['machine CPU during load, mean % of all cores']}% of all cores; the load client "
        f"{summary['load client CPU seconds (this process)']} CPU s over {summary['class seconds']} s"
    )
    print(
        f"per session: {summary['server CPU seconds per session']} s of server CPU, "
        f"{summary['server RSS per session at the peak, above warm (MB)']} MB of server RSS at the peak"
    )
    if "restart" in summary:
        restart, reconnected = summary["restart"], summary["reconnected students, by what they were doing"]
        print(
            f"restart: {restart['name']} at {restart['at']:g} s into the class, answering again after "
            f"{restart['seconds']:g} s{' (' + restart['error'] + ')' if restart['error'] else ''}; "
            f"{sum(reconnected.values())} students reconnected ("
            + ", ".join(f"{count} during {kind}" for kind, count in reconnected.items())
            + ")"
        )
    errors = summary["errors"] + [f"server log: {line}" for line in summary["server log errors"]]
    print(f"\nerrors: {len(errors)}")
    for line, count in Counter(errors).most_common(25):
        print(f"  {count} x {line}")
    if summary["skipped"]:
        print(
            "not offered by this version of the app (skipped): "
            + "; ".join(f"{k} ({v})" for k, v in summary["skipped"].items())
        )
    print("\ntargets: " + ", ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in summary["targets"].items()))
