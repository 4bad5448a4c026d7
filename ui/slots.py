"""How many visitors may train at once on this server: one shared count of training slots.

The machine is shared, so at most MAX_CONCURRENT_TRAININGS training runs go at once, whichever page starts them
(Long-range memory's own run, the Train page). A run holds its slot under a name:

    slots = training_slots()                      # ui.cache: one per server
    if not slots.claim(name):                     # for the length of one script run
        st.warning(busy_message()); return
    try: ...
    finally: slots.release(name)

    slots.claim(name, seconds=LEASE_SECONDS)      # across script runs: each run that trains renews it
    slots.release(name)                           # when the run ends; a closed tab's lease runs out by itself

A lease not renewed for LEASE_SECONDS is free again, so a visitor who closes the tab mid-run never keeps a slot.

A host sets the count with the environment variable RNNVIZ_TRAINING_SLOTS (1 to 16, read when the server starts):
each training takes a share of the process's one core while it runs, so more slots refuse fewer students and slow
every other student of that process.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping

SLOTS_ENV = "RNNVIZ_TRAINING_SLOTS"
DEFAULT_TRAININGS = 2
MOST_TRAININGS = 16


def concurrent_trainings(environ: Mapping[str, str] = os.environ) -> int:
    """Training runs of different visitors at once on this server: the host's RNNVIZ_TRAINING_SLOTS when it is a
    whole number from 1 to MOST_TRAININGS, else DEFAULT_TRAININGS (a mistyped setting never stops the server)."""
    value = environ.get(SLOTS_ENV, "").strip()
    if value.isdigit() and 1 <= int(value) <= MOST_TRAININGS:
        return int(value)
    return DEFAULT_TRAININGS


MAX_CONCURRENT_TRAININGS = concurrent_trainings()  # training runs of different visitors at once on this server
LEASE_SECONDS = 15.0  # a slot held across script runs is free again after this long without a renewal


class TrainingSlots:
    """At most `size` holders at once; a holder keeps its slot until released or until its lease runs out."""

    def __init__(self, size: int = MAX_CONCURRENT_TRAININGS):
        self.size = size
        self._lock = threading.Lock()
        self._until: dict[str, float] = {}  # holder -> when its slot is free again (inf: until released)

    def claim(self, holder: str, seconds: float | None = None) -> bool:
        """Take a slot for `holder`, or renew the one it holds; False when every slot is held by others.

        seconds : the lease, from now (None: until `release`)."""
        now = time.monotonic()
        with self._lock:
            self._until = {name: until for name, until in self._until.items() if until > now}
            if holder not in self._until and len(self._until) >= self.size:
                return False
            self._until[holder] = float("inf") if seconds is None else now + seconds
            return True

    def release(self, holder: str) -> None:
        with self._lock:
            self._until.pop(holder, None)

    def held(self) -> int:
        """Slots held now."""
        now = time.monotonic()
        with self._lock:
            return sum(until > now for until in self._until.values())


def busy_message(instead: str = "") -> str:
    """Why a run is refused when every slot is taken; `instead` names what the visitor can do meanwhile."""
    return (
        f"{MAX_CONCURRENT_TRAININGS} other trainings are running on this shared server right now. "
        f"Try again in a minute{', ' + instead if instead else ''}."
    )
