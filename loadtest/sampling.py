"""The server's memory and CPU, read from /proc: each process with every process below it, and a sampler that
records them on a background thread while the class runs (`run.py`, `class_mode.py`)."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

MB = 1024 * 1024
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def descendants(pid: int) -> list[int]:
    """pid and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def tree(pids: list[int]) -> list[int]:
    """Every process in the trees of `pids`."""
    return [found for pid in pids for found in descendants(pid)]


def rss_and_cpu_ticks(pids: list[int]) -> tuple[int, int]:
    """Resident bytes and user+system clock ticks, summed over pids."""
    rss = ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
        rss += int(fields[21]) * PAGE_SIZE  # rss in pages
    return rss, ticks


def machine_busy_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


@dataclass
class Sample:
    t: float
    rss_mb: float
    server_cpu_percent: float  # of one core
    machine_cpu_percent: float  # of all cores
    phase: str


@dataclass
class Sampler:
    """Samples the server's memory and CPU every `interval` seconds on a background thread."""

    pids: list[int]  # the server processes (and nginx): each with every process below it
    interval: float = 0.5
    phase: str = "start"
    samples: list[Sample] = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        began = time.time()
        _, last_ticks = rss_and_cpu_ticks(tree(self.pids))
        last_busy, last_total = machine_busy_ticks()
        last = time.time()
        while not self._stop.wait(self.interval):
            rss, ticks = rss_and_cpu_ticks(tree(self.pids))
            busy, total = machine_busy_ticks()
            now = time.time()
            server_cpu = 100 * max(0, ticks - last_ticks) / CLOCK_TICKS / max(now - last, 1e-6)  # 0 at a restart
            machine_cpu = 100 * (busy - last_busy) / max(total - last_total, 1)
            self.samples.append(
                Sample(
                    round(now - began, 2), round(rss / MB, 1), round(server_cpu, 1), round(machine_cpu, 1), self.phase
                )
            )
            last_ticks, last_busy, last_total, last = ticks, busy, total, now

    def rss_now(self) -> float:
        rss, _ = rss_and_cpu_ticks(tree(self.pids))
        return round(rss / MB, 1)

    def rss_by_process(self, count: int) -> list[float]:
        """The RSS of each of the first `count` server processes (with the processes below it), in MB."""
        return [round(rss_and_cpu_ticks(tree([pid]))[0] / MB, 1) for pid in self.pids[:count]]

    def of(self, phase: str) -> list[Sample]:
        return [s for s in self.samples if s.phase == phase]
