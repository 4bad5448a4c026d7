"""`streamlit run app.py` with every script run timed on the server, for the load test.

    python loadtest/serve.py RUN_LOG.jsonl [streamlit run options...]

Each finished run of the app's script (a page load, a widget change, a fragment's rerun) appends one line to
RUN_LOG: when it ended, how long it ran, and what kind of run it was. The browsers of a load test run on the
same two cores as the server, so their own latency also measures the browsers; these durations are the
server's part alone. Nothing of the app is changed.
"""

from __future__ import annotations

import json
import sys
import time

from streamlit.runtime.scriptrunner import script_runner
from streamlit.web import cli

_run_script = script_runner.ScriptRunner._run_script


def main() -> None:
    log = open(sys.argv[1], "a", buffering=1)  # noqa: SIM115 - open for the server's whole life

    def timed_run_script(self, rerun_data) -> None:
        start = time.perf_counter()
        try:
            _run_script(self, rerun_data)
        finally:
            kind = (
                "auto fragment"
                if rerun_data.is_auto_rerun
                else "fragment"
                if rerun_data.fragment_id_queue
                else "interaction"
                if rerun_data.widget_states is not None and len(rerun_data.widget_states.widgets)
                else "page load"
            )
            record = {"end": time.time(), "seconds": round(time.perf_counter() - start, 4), "kind": kind}
            log.write(json.dumps(record) + "\n")

    script_runner.ScriptRunner._run_script = timed_run_script
    sys.argv = ["streamlit", "run", "app.py", *sys.argv[2:]]
    cli.main()


if __name__ == "__main__":
    main()
