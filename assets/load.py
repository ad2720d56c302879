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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, TextIO

from pipelines.settings import Settings
from pipelines.staging import frame_path
from warehouse import SQL_DIR

DERIVED_TABLES = ("sections", "articles", "rejections", "mentions", "entities", "entity_aliases")
REJECTION_FRAMES = ("stage_rejections", "clean_rejections", "date_rejections")  # per batch, into `rejections`
CORPUS_FRAMES = ("articles", "mentions", "entities", "entity_aliases")         # corpus-wide, one table each
LOCK_WAIT_SECONDS = Settings.lock_wait_seconds
# DuckDB's cache and working memory while the load and the report run (its default is 80 % of RAM);
# beyond it DuckDB spills to disk. At 20,000 articles: load 536 MiB instead of 754, report 551 instead of 813.
MEMORY_LIMIT = "256MB"


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


def release_refresh_lock(owner: str | None = None, settings: Settings | None = None) -> None:
    """Release every refresh lock `owner` holds in this process, or the lock of `settings`' warehouse
    whoever holds it here (a no-op when this process holds none)."""
    with _held_guard:
        mine = [path for path, (_, held_by) in _held.items()
                if held_by == owner or settings is not None and path == settings.refresh_lock_path]
        for path in mine:
            fh, _ = _held.pop(path)
            fh.close()  # closing the descriptor releases the flock


def connect(db_path: Path, read_only: bool = False, wait_seconds: float = LOCK_WAIT_SECONDS,
            memory_limit: str | None = None):
    """Open the warehouse, waiting for another writer to finish rather than failing at once. A
    `memory_limit` applies to the database (SET, not a connect option: connections to one file
    within a process must share their options)."""
    import duckdb

    db_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            con = duckdb.connect(str(db_path), read_only=read_only)
            break
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
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    return con


@dataclass(frozen=True)
class StagedTables:
    """The staged Parquet files a load reads: each batch's files oldest first, and the corpus-wide frames."""

    raw_files: list[Path]
    sections: list[Path]
    rejections: list[Path]   # every batch's stage, clean and date rejections
    extracted_mentions: list[Path]
    articles: Path
    mentions: Path
    entities: Path
    entity_aliases: Path

    @classmethod
    def of(cls, settings: Settings, batches: list[str]) -> "StagedTables":
        def per_batch(*assets: str) -> list[Path]:
            paths = [frame_path(settings.staging_dir, a, key) for a in assets for key in batches]
            return [p for p in paths if p.exists()]  # a batch whose steps failed has nothing to load yet
        return cls(per_batch("raw_files"), per_batch("sections"), per_batch(*REJECTION_FRAMES), per_batch("extracted_mentions"),
                   *(frame_path(settings.staging_dir, t) for t in CORPUS_FRAMES))


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _parquet(paths: list[Path]) -> str:
    """A `read_parquet` over `paths` whose rows carry their file and row number, so "first" means oldest batch first."""
    return f"read_parquet([{', '.join(map(_sql_path, paths))}], union_by_name = true, filename = true, file_row_number = true)"


def _insert_parquet(con, table: str, paths: list[Path], where: str = "TRUE", first_per: list[str] | None = None) -> None:
    """Insert the rows of `paths` into `table` in DuckDB, without passing them through Python: the
    columns both have, rows matching `where`, and with `first_per` only the first row per key."""
    if not paths:
        return
    source = _parquet(paths)
    available = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    columns = ", ".join(f'"{c}"' for c, *_ in con.execute(f"DESCRIBE {table}").fetchall() if c in available)
    qualify = (f"QUALIFY row_number() OVER (PARTITION BY {', '.join(first_per)} ORDER BY filename, file_row_number) = 1"
               if first_per else "")
    con.execute(f"INSERT INTO {table} BY NAME SELECT {columns} FROM {source} AS s WHERE {where} {qualify}")


def _insert_mentions(con, staged: StagedTables) -> None:
    """`mentions`: each extracted mention with the label and entity the resolve step gave it. An
    article staged in several batches takes its mentions from the oldest (as resolve read them; a
    batch holds one copy of an article); mentions of articles no longer current have no entity
    link and are left out."""
    if not staged.extracted_mentions:
        return
    con.execute(f"""
        INSERT INTO mentions BY NAME
        SELECT e.article_id, e.section_ordinal, e.start_char, e.end_char, e.text, r.label, r.entity_id, e.model_version
        FROM {_parquet(staged.extracted_mentions)} AS e
        JOIN read_parquet({_sql_path(staged.mentions)}) AS r USING (article_id, section_ordinal, start_char)
        SEMI JOIN (SELECT article_id, min(filename) AS filename FROM {_parquet(staged.extracted_mentions)} GROUP BY article_id) AS first
            ON first.article_id = e.article_id AND first.filename = e.filename""")


@dataclass(frozen=True)
class LoadCounts:
    rows: dict[str, int]                   # table -> rows after the load
    rejections_by_reason: dict[str, int]


def load_warehouse(db_path: Path, staged: StagedTables, versions: dict[str, str],
                   wait_seconds: float = LOCK_WAIT_SECONDS) -> LoadCounts:
    """Write all tables atomically and (re)create the views; returns the tables' row counts.

    DuckDB reads the staged Parquet itself, so the corpus's rows and raw bytes never sit in this
    process's Python heap. Only current file versions reach `sections` and `rejections` (for each
    landing path, the version in its latest batch); the same bytes staged twice keep their first rows.
    `versions` (component -> version of the code doing this load) goes to `pipeline_versions`,
    against which `stale_batches` finds rows made by older rules or another model.
    """
    missing = [str(p) for p in (staged.articles, staged.mentions, staged.entities, staged.entity_aliases) if not p.exists()]
    if missing or not staged.raw_files:
        raise FileNotFoundError(f"load needs every staged table; missing {missing or 'raw_files'}")
    con = connect(db_path, wait_seconds=wait_seconds, memory_limit=MEMORY_LIMIT)
    try:
        schema = (SQL_DIR / "schema.sql").read_text()
        con.execute(schema)
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("CREATE OR REPLACE TEMP TABLE staged_files AS SELECT path, file_id, batch_id, filename "
                        f"FROM {_parquet(staged.raw_files)}")
            con.execute("CREATE OR REPLACE TEMP TABLE current_files AS "
                        "SELECT DISTINCT arg_max(file_id, batch_id) AS file_id FROM staged_files GROUP BY path")
            # raw_files keeps every version once, from the batch that first staged it; only files with new rows are read in full
            new_in = [Path(f) for (f,) in con.execute(
                "SELECT DISTINCT filename FROM staged_files s ANTI JOIN raw_files r USING (path, file_id) ORDER BY filename").fetchall()]
            _insert_parquet(con, "raw_files", new_in, "NOT EXISTS (SELECT 1 FROM raw_files r WHERE r.path = s.path AND r.file_id = s.file_id)",
                            first_per=["path", "file_id"])
            # Replaced, not emptied row by row: dropping a table and its indexes costs far less than deleting each row
            for table in DERIVED_TABLES:
                con.execute(f"DROP TABLE {table}")
            con.execute(schema)
            current = "file_id IN (SELECT file_id FROM current_files)"
            for table, paths, where, first_per in (
                    ("sections", staged.sections, current, ["article_id", "ordinal"]),
                    ("rejections", staged.rejections, current, ["file_id", "article_id", "section_ordinal", "stage", "reason"]),
                    ("articles", [staged.articles], "TRUE", None),
                    ("entities", [staged.entities], "TRUE", None),
                    ("entity_aliases", [staged.entity_aliases], "TRUE", None)):
                _insert_parquet(con, table, paths, where, first_per)
            _insert_mentions(con, staged)
            con.execute("DELETE FROM pipeline_versions")
            con.executemany("INSERT INTO pipeline_versions VALUES (?, ?)", list(versions.items()))
            con.execute((SQL_DIR / "views.sql").read_text())
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("CHECKPOINT")
        return LoadCounts(
            {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("raw_files", *DERIVED_TABLES)},
            dict(con.execute("SELECT reason, count(*) FROM rejections GROUP BY reason ORDER BY reason").fetchall()))
    finally:
        con.close()


# ----------------------------------------------------------------------------- Dagster asset
import dagster as dg  # noqa: E402
from dagster import AssetExecutionContext  # noqa: E402

from pipelines.batches import after_batches, batch_keys, mark_loaded  # noqa: E402
from pipelines.resources import NewsEtlSettings  # noqa: E402
from pipelines.versions import current_versions  # noqa: E402

LOADED_ASSETS = ("raw_files", "sections", *REJECTION_FRAMES, "extracted_mentions", *CORPUS_FRAMES)


@dg.asset(
    group_name="load",
    automation_condition=after_batches,
    description="Write every table into the DuckDB warehouse in one transaction and refresh the views. "
                "DuckDB reads the staged Parquet of every batch itself.",
    deps=LOADED_ASSETS,
)
def warehouse(context: AssetExecutionContext, news: NewsEtlSettings) -> dg.MaterializeResult:
    s = news.settings()
    staged = StagedTables.of(s, batch_keys(s))
    try:
        loaded = load_warehouse(s.warehouse_path, staged, versions=current_versions(s.spacy_model),
                                wait_seconds=s.lock_wait_seconds)
    except WarehouseBusy as exc:  # a message, not a DuckDB stack trace: nothing was written
        raise dg.Failure(description=str(exc), allow_retries=False) from None
    else:
        mark_loaded(s, [p.stem for p in staged.raw_files])
    finally:
        release_refresh_lock(f"run {context.run_id}")  # taken by the first step of this run
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(s.warehouse_path)),
        "row_counts": dg.MetadataValue.json(loaded.rows),
        **{f"rows_{t}": n for t, n in loaded.rows.items()},
        "rejections_by_reason": dg.MetadataValue.json(loaded.rejections_by_reason),
    })
