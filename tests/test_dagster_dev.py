"""`dagster dev` end to end: the landing sensor refreshes the warehouse when a file arrives,
and the `refresh` job launched through the webserver's GraphQL API (as the UI does) succeeds."""
import functools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import duckdb
import pytest

from pipelines.batches import batch_keys
from pipelines.settings import Settings
from tests.conftest import REPO, RUN_NOW

DAGSTER = Path(sys.executable).with_name("dagster")
# Typical on 2 cores: the code location loads in ~11 s, each run takes ~10 s, the whole test ~90 s
# (most of it waiting for the automation sensor, which ticks every 30 s).
STARTUP_TIMEOUT = 60   # webserver answering /server_info and the code location loaded
SENSOR_TIMEOUT = 60    # first sensor tick + the run it requests
RUN_TIMEOUT = 60       # a run launched through GraphQL
AUTOMATION_TIMEOUT = 90  # the automation sensor's next tick (every 30 s) + the run it launches
BUDGET = 260           # no wait goes past this many seconds after the start

ARTICLE = """\
Lantern ferry returns to the Veldt estuary after winter refit

Published: 14 November 2026

PORT ARNELL — The Lantern, the last steam-assisted ferry on the Veldt estuary, returned to service on Friday after a four-month refit at the Calloway yard, the Estuary Transport Board said.

Board chair Imogen Sallow said the vessel would run six crossings a day until March, and that the new boilers cut fuel use by about a fifth. Commuters at Port Arnell had relied on a replacement bus that added forty minutes to the journey.

The Calloway yard, which employs ninety people, plans to refit a second ferry next year.
"""

LAUNCH_RUN = """
mutation LaunchRun($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on PipelineNotFoundError { message }
    ... on InvalidSubsetError { message }
    ... on UnauthorizedError { message }
  }
}
"""

RUN_STATUS = """
query RunStatus($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { status tags { key value } }
    ... on PythonError { message }
  }
}
"""

LOCATION_STATUS = """
query Locations {
  workspaceOrError {
    __typename
    ... on Workspace { locationEntries { name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } }
  }
}
"""

SENSOR_RUNS = """
query SensorRuns {
  runsOrError(filter: {tags: [{key: "dagster/sensor_name", value: "landing_sensor"}]}) {
    __typename
    ... on Runs { results { runId status } }
  }
}
"""

RUN_FAILURES = """
query RunFailures($runId: ID!) {
  logsForRun(runId: $runId) {
    __typename
    ... on EventConnection { events { __typename ... on ExecutionStepFailureEvent { stepKey error { message } } } }
  }
}
"""

TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}


def _automation_ticks(log: Path) -> int:
    """Ticks of the corpus_automation sensor so far, from the dagster dev log."""
    return sum("Finished auto-materialization tick for corpus_automation" in line
               for line in log.read_text(errors="replace").splitlines())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(base: str, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"{base}/graphql", data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            payload = json.load(response)
    except urllib.error.HTTPError as exc:  # a malformed query answers 400 with the reason in the body
        pytest.fail(f"GraphQL {exc.code}: {exc.read().decode(errors='replace')[:2000]}")
    assert "errors" not in payload, payload["errors"]
    return payload["data"]


def _wait(what: str, timeout: float, probe, *, proc, log: Path, interval: float = 0.5, budget_end: float = float("inf")):
    """Call `probe` until it returns something truthy; fail with the server log on timeout or exit."""
    deadline = min(time.monotonic() + timeout, budget_end)
    timeout = max(0.0, deadline - time.monotonic())
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"dagster dev exited ({proc.returncode}) while waiting for {what}:\n{log.read_text()[-4000:]}")
        value = probe()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}:\n{log.read_text()[-4000:]}")


def _run_failures(base: str, run_id: str) -> list:
    """The step failures of a run, for the assertion message."""
    events = _graphql(base, RUN_FAILURES, {"runId": run_id})["logsForRun"].get("events", [])
    return [(e["stepKey"], e["error"]["message"][:500]) for e in events if e["__typename"] == "ExecutionStepFailureEvent"]


def _server_ready(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/server_info", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _location_loaded(base: str):
    entries = _graphql(base, LOCATION_STATUS)["workspaceOrError"]["locationEntries"]
    entry = next(e for e in entries if e["name"] == "news_etl")
    if entry["loadStatus"] != "LOADED":
        return False
    assert entry["locationOrLoadError"]["__typename"] == "RepositoryLocation", entry
    return True


def _articles_named(warehouse: Path, file_name: str):
    """Rows of `articles` for `file_name`, or None while the file is absent or a writer holds it."""
    if not warehouse.exists():
        return None
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:  # the load holds the write lock, or the file is being created
        return None
    try:
        return con.execute("SELECT title FROM articles WHERE file_name = ?", [file_name]).fetchall()
    except duckdb.CatalogException:  # schema not created yet
        return None
    finally:
        con.close()


def _default_signals() -> None:
    """In the child: SIGTERM and SIGINT back to their defaults, whatever the shell running pytest ignores."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _stop(proc: subprocess.Popen) -> None:
    for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            # the group may outlive its leader (code server, daemon, run workers)
            os.killpg(proc.pid, 0)
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return
        time.sleep(1)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_dagster_dev_sensor_and_graphql_launched_refresh(tmp_path):
    landing, warehouse, home = tmp_path / "landing", tmp_path / "wh" / "news.duckdb", tmp_path / "dagster_home"
    for d in (landing, warehouse.parent, home):
        d.mkdir()
    (home / "dagster.yaml").write_text(
        "telemetry:\n  enabled: false\n"
        "run_queue:\n  dequeue_interval_seconds: 1\n"   # queued runs start within a second
    )
    # In the landing dir before the daemon starts: the sensor's first tick (at daemon start-up)
    # sees it, rather than the next tick 30 s (minimum_interval_seconds) later.
    (landing / "lantern_ferry.txt").write_text(ARTICLE)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DAGSTER_HOME": str(home), "NEWS_ETL_LANDING": str(landing),
           "NEWS_ETL_WAREHOUSE": str(warehouse), "NEWS_ETL_NOW": RUN_NOW, "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "dagster_dev.log"
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen([str(DAGSTER), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
                                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, preexec_fn=_default_signals)
    marks: dict[str, float] = {}
    wait = functools.partial(_wait, proc=proc, log=log, budget_end=started + BUDGET)
    try:
        wait("the webserver", STARTUP_TIMEOUT, lambda: _server_ready(base))
        wait("the news_etl code location", STARTUP_TIMEOUT - (time.monotonic() - started), lambda: _location_loaded(base))
        marks["code location loaded"] = time.monotonic() - started

        # The landing sensor's run loads the file (readers retry while the load holds the file).
        titles = wait("the sensor's run to load lantern_ferry.txt", SENSOR_TIMEOUT,
                      lambda: _articles_named(warehouse, "lantern_ferry.txt"))
        assert titles == [("Lantern ferry returns to the Veldt estuary after winter refit",)]

        def sensor_runs_finished():
            runs = _graphql(base, SENSOR_RUNS)["runsOrError"]["results"]
            return runs if runs and all(r["status"] in TERMINAL for r in runs) else None

        sensor_runs = wait("the sensor's run to finish", RUN_TIMEOUT, sensor_runs_finished)
        assert [r["status"] for r in sensor_runs] == ["SUCCESS"], _run_failures(base, sensor_runs[0]["runId"])
        marks["sensor run finished"] = time.monotonic() - started

        # The sensor made the file one ingest batch. Re-run that batch's own steps, as a backfill from the
        # UI would after a rules change, through the same GraphQL mutation as the UI's "Launch run".
        # First let the automation sensor see the sensor's run: a refresh and a backfill that land in one
        # tick count as the refresh (it updated the corpus-wide assets last).
        ticks = _automation_ticks(log)
        wait("an automation tick after the sensor's run", AUTOMATION_TIMEOUT, lambda: _automation_ticks(log) > ticks)
        [batch] = batch_keys(Settings(landing_dir=landing, warehouse_path=warehouse))
        loaded = warehouse.with_name(warehouse.name + ".staging") / "batches" / "loaded"
        loaded_before = loaded.stat().st_mtime_ns
        launched = _graphql(base, LAUNCH_RUN, {"executionParams": {
            "selector": {"repositoryLocationName": "news_etl", "repositoryName": "__repository__", "jobName": "process_batch"},
            "runConfigData": {},
            "executionMetadata": {"tags": [{"key": "dagster/partition", "value": batch},
                                           {"key": "news_etl/trigger", "value": "test_graphql"}]},
        }})["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        run_id = launched["run"]["runId"]

        def run_status():
            run = _graphql(base, RUN_STATUS, {"runId": run_id})["runOrError"]
            assert run["__typename"] == "Run", run
            return run["status"] if run["status"] in TERMINAL else None

        assert wait(f"run {run_id}", RUN_TIMEOUT, run_status, interval=1) == "SUCCESS", _run_failures(base, run_id)
        assert loaded.stat().st_mtime_ns == loaded_before  # that run did not touch the warehouse ...
        marks["graphql batch run finished"] = time.monotonic() - started

        # ... the corpus-wide assets' automation condition does: the automation sensor launches their run.
        wait("the automation sensor to reload the warehouse", AUTOMATION_TIMEOUT,
             lambda: loaded.stat().st_mtime_ns != loaded_before, interval=1)
        assert _articles_named(warehouse, "lantern_ferry.txt") == titles
        marks["automation reloaded the warehouse"] = time.monotonic() - started
    finally:
        _stop(proc)
    marks["stopped"] = time.monotonic() - started
    print("dagster dev end to end:", ", ".join(f"{k} at {v:.1f} s" for k, v in marks.items()))
