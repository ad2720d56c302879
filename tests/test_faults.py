"""Faults: a refresh killed during the load leaves a readable, consistent warehouse, and the next run completes it."""
import os
import signal
import subprocess
import sys
import time

import duckdb

from tests.conftest import REPO, SAMPLE, RUN_NOW, table_counts


def _start(warehouse, home):
    env = {**os.environ, "NEWS_ETL_LANDING": str(SAMPLE), "NEWS_ETL_WAREHOUSE": str(warehouse),
           "NEWS_ETL_NOW": RUN_NOW, "DAGSTER_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def test_sigkill_during_load_leaves_a_consistent_warehouse(tmp_path):
    reference = tmp_path / "ref" / "news.duckdb"
    assert _start(reference, tmp_path / "home_ref").wait(timeout=300) == 0
    expected = table_counts(reference)

    warehouse = tmp_path / "killed" / "news.duckdb"
    last_input = warehouse.with_name(warehouse.name + ".staging") / "entity_aliases.parquet"
    proc = _start(warehouse, tmp_path / "home")
    deadline = time.monotonic() + 300
    while not last_input.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)  # the load step starts right after its last input is written
    proc.wait()

    con = duckdb.connect(str(warehouse), read_only=True) if warehouse.exists() else None
    if con is not None:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        con.close()
        if "articles" in tables:
            counts = table_counts(warehouse)
            assert counts in (expected, {t: 0 for t in expected}), counts  # all of a load or none of it

    assert _start(warehouse, tmp_path / "home").wait(timeout=300) == 0
    assert table_counts(warehouse) == expected
