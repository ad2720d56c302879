"""Load: write every stage's output into the DuckDB warehouse in one transaction.

`raw_files` is append-only (a file seen once keeps its first `ingested_at` and `batch_id`);
the derived tables are replaced as a whole, so a re-run over the same files yields the same
tables, and a run killed mid-load leaves the previous state untouched.

Concurrency: DuckDB allows one writing process and no readers in other processes while it
writes, so `connect` waits for the file rather than failing at once. Two refreshes of the same
warehouse would also share its Parquet staging dir, so a refresh holds the refresh lock (an
exclusive `flock` on `<warehouse>.staging/refresh.lock`) from its stage step to the end of its
load; a second refresh waits for it (see `acquire_refresh_lock`).
"""

import fcntl
import os
import re
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, TextIO

import polars as pl

from pipelines.settings import Settings
from warehouse import SQL_DIR

DERIVED_TABLES = ("sections", "articles", "rejections", "mentions", "entities", "entity_aliases")
LOCK_WAIT_SECONDS = Settings.lock_wait_seconds


class WarehouseBusy(RuntimeError):
    """Another process holds the DuckDB file."""


class RefreshBusy(WarehouseBusy):
    """Another refresh of the same warehouse has been running for longer than we were willing to wait."""


_held: dict[Path, tuple[TextIO, str]] = {}   # refresh lock path -> (the open file holding the flock, owner)
_held_guard = threading.Lock()


def _holder(lock_path: Path) -> str:
    try:
        return lock_path.read_text().strip() or "holder unknown"
    except OSError:
        return "holder unknown"


def acquire_refresh_lock(settings: Settings, owner: str, on_wait: Callable[[str], None] | None = None) -> None:
    """Take the refresh lock of `settings.warehouse_path` for `owner` ("run <run id>", or the CLI).

    Waits up to `settings.refresh_wait_seconds` for a refresh in another process, calling
    `on_wait` once with a one-line message, then raises `RefreshBusy`. The lock is per process:
    if this process already holds it (the CLI took it before starting the run, or an earlier run
    here stopped before its load), `owner` takes it over. The OS releases it if the process dies.
    """
    lock_path = settings.refresh_lock_path
    with _held_guard:
        if lock_path in _held:
            _held[lock_path] = (_held[lock_path][0], owner)
            return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(lock_path, "a+", encoding="utf-8")
    deadline = time.monotonic() + settings.refresh_wait_seconds
    told = False
    try:
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise RefreshBusy(
                        f"another refresh of {settings.warehouse_path} is running ({_holder(lock_path)}); "
                        f"waited {settings.refresh_wait_seconds:.0f} s (NEWS_ETL_REFRESH_WAIT_SECONDS). "
                        "Try again when it has finished.") from None
                if not told and on_wait is not None:
                    on_wait(f"another refresh of {settings.warehouse_path} is running ({_holder(lock_path)}); "
                            f"waiting up to {settings.refresh_wait_seconds:.0f} s for it to finish")
                    told = True
                time.sleep(0.25)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}, {owner}, since {datetime.now().astimezone():%Y-%m-%d %H:%M:%S %Z}\n")
        fh.flush()
    except BaseException:
        fh.close()
        raise
    with _held_guard:
        _held[lock_path] = (fh, owner)


def release_refresh_lock(owner: str) -> None:
    """Release every refresh lock `owner` holds in this process (a no-op when it holds none)."""
    with _held_guard:
        mine = [path for path, (_, held_by) in _held.items() if held_by == owner]
        for path in mine:
            fh, _ = _held.pop(path)
            fh.close()  # closing the descriptor releases the flock


def connect(db_path: Path, read_only: bool = False, wait_seconds: float = LOCK_WAIT_SECONDS):
    """Open the warehouse, waiting for another writer to finish rather than failing at once."""
    import duckdb

    db_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(db_path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() > deadline:
                holder = re.search(r"lock is held in (.+?) \(PID (\d+)\)", str(exc))  # DuckDB names the holder
                by = f" by {holder.group(1)} (pid {holder.group(2)})" if holder else " by another process"
                raise WarehouseBusy(
                    f"{db_path} is locked{by}: a running refresh or an open DuckDB session; "
                    f"waited {wait_seconds:.0f} s (NEWS_ETL_LOCK_WAIT_SECONDS). Close it or retry."
                ) from exc
            time.sleep(0.5)


def _insert(con, table: str, frame: pl.DataFrame, keep_existing: bool = False) -> None:
    columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    con.register("incoming", frame.select([c for c in columns if c in frame.columns]).to_arrow())
    try:
        verb = "INSERT OR IGNORE" if keep_existing else "INSERT"
        con.execute(f"{verb} INTO {table} BY NAME SELECT * FROM incoming")
    finally:
        con.unregister("incoming")


def load_warehouse(db_path: Path, raw_files: pl.DataFrame, derived: dict[str, pl.DataFrame],
                   versions: dict[str, str], wait_seconds: float = LOCK_WAIT_SECONDS) -> dict[str, int]:
    """Write all tables atomically and (re)create the views; returns row counts per table.

    `versions` (component -> version of the code doing this load) goes to `pipeline_versions`,
    against which `stale_batches` finds rows made by older rules or another model.
    """
    missing = set(DERIVED_TABLES) - set(derived)
    if missing:
        raise ValueError(f"load needs every derived table; missing {sorted(missing)}")
    con = connect(db_path, wait_seconds=wait_seconds)
    try:
        con.execute((SQL_DIR / "schema.sql").read_text())
        con.execute("BEGIN TRANSACTION")
        try:
            _insert(con, "raw_files", raw_files.unique(["path", "file_id"], keep="first", maintain_order=True), keep_existing=True)
            for table in DERIVED_TABLES:
                con.execute(f"DELETE FROM {table}")
                _insert(con, table, derived[table])
            con.execute("DELETE FROM pipeline_versions")
            _insert(con, "pipeline_versions", pl.DataFrame(
                {"component": list(versions), "version": list(versions.values())}))
            con.execute((SQL_DIR / "views.sql").read_text())
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("CHECKPOINT")
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("raw_files", *DERIVED_TABLES)}
    finally:
        con.close()


# ----------------------------------------------------------------------------- Dagster asset
import dagster as dg  # noqa: E402
from dagster import AssetExecutionContext  # noqa: E402

from assets.common import current_file_ids, keep_current  # noqa: E402
from pipelines.batches import after_batches, mark_loaded  # noqa: E402
from pipelines.metadata import counts_by  # noqa: E402
from pipelines.resources import NewsEtlSettings  # noqa: E402
from pipelines.versions import current_versions  # noqa: E402


@dg.asset(
    group_name="load",
    automation_condition=after_batches,
    description="Write every table into the DuckDB warehouse in one transaction and refresh the views.",
    ins={name: dg.AssetIn(name) for name in (
        "raw_files", "sections", "articles", "mentions", "entities", "entity_aliases",
        "stage_rejections", "clean_rejections", "date_rejections")},
)
def warehouse(context: AssetExecutionContext, news: NewsEtlSettings, raw_files: pl.DataFrame, sections: pl.DataFrame,
              articles: pl.DataFrame, mentions: pl.DataFrame, entities: pl.DataFrame, entity_aliases: pl.DataFrame,
              stage_rejections: pl.DataFrame, clean_rejections: pl.DataFrame, date_rejections: pl.DataFrame) -> dg.MaterializeResult:
    s = news.settings()
    current = current_file_ids(raw_files)
    sections = keep_current(sections, current, ["article_id", "ordinal"])
    rejections = keep_current(pl.concat([stage_rejections, clean_rejections, date_rejections], how="diagonal_relaxed"),
                              current, ["file_id", "article_id", "section_ordinal", "stage", "reason"])
    try:
        counts = load_warehouse(s.warehouse_path, raw_files, {
            "sections": sections, "articles": articles, "rejections": rejections,
            "mentions": mentions, "entities": entities, "entity_aliases": entity_aliases,
        }, versions=current_versions(s.spacy_model), wait_seconds=s.lock_wait_seconds)
    except WarehouseBusy as exc:  # a message, not a DuckDB stack trace: nothing was written
        raise dg.Failure(description=str(exc), allow_retries=False) from None
    else:
        mark_loaded(s, raw_files["batch_id"].unique().to_list())
    finally:
        release_refresh_lock(f"run {context.run_id}")  # taken by the first step of this run
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(s.warehouse_path)),
        "row_counts": dg.MetadataValue.json(counts),
        **{f"rows_{t}": n for t, n in counts.items()},
        "rejections_by_reason": dg.MetadataValue.json(counts_by(rejections, "reason")),
    })
