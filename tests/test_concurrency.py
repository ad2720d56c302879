"""Two refreshes of one warehouse at once, and readers beside a refresh.

A refresh holds the refresh lock (`<warehouse>.staging/refresh.lock`) from its stage step to the end
of its load, so a second refresh waits for it instead of sharing the Parquet staging dir and racing
for DuckDB's single-writer lock. DuckDB itself lets no other process read while the load writes:
the load waits for readers to close, and readers opened through `assets.load.connect` wait for it.
"""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from assets.load import StagedTables, acquire_refresh_lock, connect, load_warehouse, release_refresh_lock
from pipelines.batches import batch_keys
from pipelines.settings import Settings, parse_now
from tests.conftest import REPO, RUN_NOW, query, run_refresh

ARTICLES = {
    "quarry-road.txt": """\
Quarry road reopens after landslip repairs

Published: 3 November 2026

HOLLINBRAE — The B4410 quarry road reopened on Monday, six weeks after a landslip closed it, the Hollinbrae District Council said.

Engineers from Marrow & Tait anchored the slope with steel mesh and drained a spring that had undercut the verge. The council's roads chief, Petra Oduya, said the repairs cost 410,000 pounds.

Hauliers serving the Brae quarry had used a 19-mile detour through Kessock while the road was shut.
""",
    "orchard-cooperative.txt": """\
Orchard cooperative opens cider press to members

Published: 9 November 2026

LINDEN VALE — The Linden Vale Orchard Cooperative has opened a shared cider press, letting its 140 member growers press fruit without hiring the mobile press that tours the valley each autumn.

Cooperative secretary Tomas Verey said the press, bought with a grant from the Western Growers Fund, could handle four tonnes of apples a day.
""",
}
SERIOUS = ("Traceback", "Stack Trace", "IOException", "Could not set lock", "_duckdb")


def _landing(root: Path) -> Path:
    landing = root / "landing"
    landing.mkdir()
    for name, text in ARTICLES.items():
        (landing / name).write_text(text)
    return landing


def _cli_env(landing: Path, warehouse: Path, home: Path, **extra) -> dict:
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return {**os.environ, "NEWS_ETL_LANDING": str(landing), "NEWS_ETL_WAREHOUSE": str(warehouse),
            "NEWS_ETL_NOW": RUN_NOW, "DAGSTER_HOME": str(home), **extra}


def _cli(env: dict, out: Path, err: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run"], cwd=REPO, env=env,
                            stdout=out.open("w"), stderr=err.open("w"), start_new_session=True)


def _tables(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table's rows in a stable order; `batch_id` (the run that first saw a file) left out."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {}
        for table in ("raw_files", "sections", "articles", "rejections", "mentions", "entities", "entity_aliases"):
            columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] != "batch_id"]
            tables[table] = con.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY ALL").fetchall()
        return tables
    finally:
        con.close()


def test_two_refreshes_at_once_one_waits_and_the_tables_equal_a_single_run(tmp_path):
    landing = _landing(tmp_path)
    reference = tmp_path / "ref" / "news.duckdb"
    run_refresh(landing, reference)

    warehouse = tmp_path / "shared" / "news.duckdb"
    env = _cli_env(landing, warehouse, tmp_path / "home")
    started = time.monotonic()
    procs = [_cli(env, tmp_path / f"{i}.out", tmp_path / f"{i}.err") for i in (1, 2)]
    try:
        codes = [p.wait(timeout=180) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, 9)
    elapsed = time.monotonic() - started
    errs = [(tmp_path / f"{i}.err").read_text() for i in (1, 2)]
    outs = [(tmp_path / f"{i}.out").read_text() for i in (1, 2)]
    assert codes == [0, 0], errs

    waiting = [e for e in errs if "news-etl: another refresh of" in e]
    assert len(waiting) == 1, errs  # exactly one of them waited for the other
    line = next(x for x in waiting[0].splitlines() if x.startswith("news-etl: another refresh of"))
    assert str(warehouse) in line and "waiting up to" in line and "pid" in line
    for err in errs:
        assert not any(s in err for s in SERIOUS), err
        assert " - ERROR - " not in err, err
    for out in outs:
        assert "refresh finished in" in out and "articles   2" in out

    assert _tables(warehouse) == _tables(reference)
    assert not list(warehouse.parent.glob("*.staging/*.tmp"))
    print(f"two concurrent CLI refreshes: {elapsed:.1f} s")


def test_a_refresh_that_cannot_wait_any_longer_says_so_in_one_line(tmp_path):
    landing = _landing(tmp_path)
    warehouse = tmp_path / "wh" / "news.duckdb"
    held = Settings(landing_dir=landing, warehouse_path=warehouse)
    acquire_refresh_lock(held, "test holder")  # as a running refresh would
    try:
        env = _cli_env(landing, warehouse, tmp_path / "home", NEWS_ETL_REFRESH_WAIT_SECONDS="1")
        proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "run"], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=60)
    finally:
        release_refresh_lock("test holder")
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2, proc.stderr  # "waiting up to 1 s", then the verdict
    assert lines[0].startswith("news-etl: another refresh of") and "waiting up to 1 s" in lines[0]
    assert lines[1].startswith("news-etl: another refresh of") and f"pid {os.getpid()}, test holder" in lines[1]
    assert "waited 1 s (NEWS_ETL_REFRESH_WAIT_SECONDS)" in lines[1]
    assert not warehouse.exists()  # nothing written


def _hold(argv_code: str, ready_marker: str = "ready") -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", argv_code], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == ready_marker
    return proc


def test_a_cli_refresh_whose_load_cannot_open_the_warehouse_fails_in_one_line_and_the_next_one_completes(tmp_path):
    """The CLI runs the corpus-wide steps in a child process; their failure still reaches the user as
    one line and exit status 1, and the refresh lock is free for the next refresh."""
    landing = _landing(tmp_path)
    warehouse = tmp_path / "wh" / "news.duckdb"
    warehouse.parent.mkdir()
    duckdb.connect(str(warehouse)).close()
    env = _cli_env(landing, warehouse, tmp_path / "home", NEWS_ETL_LOCK_WAIT_SECONDS="1")
    writer = _hold(
        "import duckdb, time; "
        f"con = duckdb.connect({str(warehouse)!r}); print('ready', flush=True); time.sleep(60)")
    try:
        failed = subprocess.run([sys.executable, "-m", "pipelines.cli", "run"], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=180)
    finally:
        writer.kill()
        writer.wait()
    assert failed.returncode == 1
    said = [line for line in failed.stderr.splitlines() if line.startswith("FAILED ")]
    assert len(said) == 1 and said[0].startswith("FAILED warehouse:") and "is locked" in said[0], failed.stderr
    assert "refresh failed" in failed.stderr and not any(s in failed.stderr for s in ("Traceback", "Stack Trace"))

    again = subprocess.run([sys.executable, "-m", "pipelines.cli", "run"], cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=180)
    assert again.returncode == 0, again.stderr
    assert "refresh finished in" in again.stdout and "articles   2" in again.stdout


def test_the_stage_step_waits_for_a_refresh_in_another_process(tmp_path):
    """The Dagster path (sensor, schedule and UI runs): the lock is taken by the stage step itself."""
    landing = _landing(tmp_path)
    warehouse = tmp_path / "wh" / "news.duckdb"
    holder = _hold(
        "import sys, time; from pathlib import Path; from pipelines.settings import Settings; "
        "from assets.load import acquire_refresh_lock; "
        f"acquire_refresh_lock(Settings(warehouse_path=Path({str(warehouse)!r})), 'other refresh'); "
        "print('ready', flush=True); time.sleep(2)")
    from dagster import DagsterInstance

    instance = DagsterInstance.ephemeral()
    started = time.monotonic()
    outcome = run_refresh(landing, warehouse, instance=instance)
    waited = time.monotonic() - started
    assert holder.wait(timeout=30) == 0
    said = [e.user_message for run in outcome.runs for e in instance.all_logs(run.run_id) if "another refresh of" in e.user_message]
    assert len(said) == 1 and "pid" in said[0] and "other refresh" in said[0], said
    assert waited >= 1.5, waited
    assert query(warehouse, "SELECT count(*) FROM articles")[0][0] == 2
    # and the lock is free again once the load is done
    acquire_refresh_lock(Settings(warehouse_path=warehouse, refresh_wait_seconds=0), "after")
    release_refresh_lock("after")


def test_a_failed_step_between_stage_and_load_releases_the_lock(tmp_path, monkeypatch):
    import assets.clean

    def broken(*_args, **_kwargs):
        raise RuntimeError("clean broke")

    monkeypatch.setattr(assets.clean, "split_and_score", broken)
    from dagster import DagsterInstance

    from pipelines.refresh import refresh

    landing = _landing(tmp_path)
    warehouse = tmp_path / "wh" / "news.duckdb"
    settings = Settings(landing_dir=landing, warehouse_path=warehouse, now=parse_now(RUN_NOW))
    # raise_on_error=False as the CLI and run workers run it: with True the error propagates before hooks run
    outcome = refresh(settings, DagsterInstance.ephemeral(), raise_on_error=False)
    assert not outcome.success and len(outcome.runs) == 1  # the failed batch stops the refresh
    result = outcome.runs[0]
    assert result.get_step_success_events()[0].step_key == "stage"
    assert "HOOK_COMPLETED" in [e.event_type_value for e in result.all_events]
    probe = _hold(
        "from pathlib import Path; from pipelines.settings import Settings; from assets.load import acquire_refresh_lock; "
        f"acquire_refresh_lock(Settings(warehouse_path=Path({str(warehouse)!r}), refresh_wait_seconds=0), 'probe'); "
        "print('ready', flush=True)")
    assert probe.wait(timeout=30) == 0  # another process could take it at once


def test_reader_and_load_take_turns(sample_run, tmp_path):
    """A read-only reader in another process blocks the load's write until it closes; the load waits
    (NEWS_ETL_LOCK_WAIT_SECONDS) rather than failing. While a writer holds the file, `connect(read_only=True)`
    waits for it too. Readers that open, query and close never break a refresh."""
    warehouse = tmp_path / "news.duckdb"
    con = duckdb.connect(str(sample_run), read_only=True)
    try:
        expected = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in
                    ("raw_files", "sections", "articles", "rejections", "mentions", "entities", "entity_aliases")}
    finally:
        con.close()
    shutil.copy(sample_run, warehouse)
    sample_settings = Settings(warehouse_path=sample_run)
    staged = StagedTables.of(sample_settings, batch_keys(sample_settings))  # the sample run's own staged frames

    reader = _hold(
        "import duckdb, time; "
        f"con = duckdb.connect({str(warehouse)!r}, read_only=True); "
        "n = con.execute('SELECT count(*) FROM articles').fetchone()[0]; print('ready', flush=True); "
        "time.sleep(1.5); print(n, flush=True); con.close()")
    started = time.monotonic()
    counts = load_warehouse(warehouse, staged, versions={"rules": "r", "model": "m"}, wait_seconds=30).rows
    waited = time.monotonic() - started
    assert reader.wait(timeout=30) == 0 and int(reader.stdout.read().strip()) == expected["articles"]
    assert waited >= 1 and counts == expected

    writer = _hold(
        "import duckdb, time; "
        f"con = duckdb.connect({str(warehouse)!r}); con.execute('BEGIN'); con.execute('DELETE FROM mentions'); "
        "print('ready', flush=True); time.sleep(1.5); con.execute('ROLLBACK'); con.close()")
    with pytest.raises(duckdb.IOException, match="lock"):
        duckdb.connect(str(warehouse), read_only=True)  # a bare read-only open fails while a writer holds the file
    started = time.monotonic()
    con = connect(warehouse, read_only=True, wait_seconds=30)  # ... the project's helper waits for it
    try:
        assert time.monotonic() - started >= 0.5 and con.execute("SELECT count(*) FROM mentions").fetchone()[0] == expected["mentions"]
    finally:
        con.close()
    assert writer.wait(timeout=30) == 0
