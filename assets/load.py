"""Load: write every stage's output into the DuckDB warehouse in one transaction.

`raw_files` is append-only (a file seen once keeps its first `ingested_at` and `batch_id`);
the derived tables are replaced as a whole, so a re-run over the same files yields the same
tables, and a run killed mid-load leaves the previous state untouched.
"""

import time
from pathlib import Path

import polars as pl

from warehouse import SQL_DIR

DERIVED_TABLES = ("sections", "articles", "rejections", "mentions", "entities", "entity_aliases")
LOCK_WAIT_SECONDS = 60


class WarehouseBusy(RuntimeError):
    """Another process holds the DuckDB file."""


def connect(db_path: Path, read_only: bool = False, wait_seconds: float = LOCK_WAIT_SECONDS):
    """Open the warehouse, waiting for another writer to finish rather than failing at once."""
    import duckdb

    db_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(db_path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise WarehouseBusy(
                    f"{db_path} is locked by another process (a running refresh or an open DuckDB shell); "
                    f"waited {wait_seconds:.0f} s. Close it or retry. ({exc})"
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


def load_warehouse(db_path: Path, raw_files: pl.DataFrame, derived: dict[str, pl.DataFrame]) -> dict[str, int]:
    """Write all tables atomically and (re)create the views; returns row counts per table."""
    missing = set(DERIVED_TABLES) - set(derived)
    if missing:
        raise ValueError(f"load needs every derived table; missing {sorted(missing)}")
    con = connect(db_path)
    try:
        con.execute((SQL_DIR / "schema.sql").read_text())
        con.execute("BEGIN TRANSACTION")
        try:
            _insert(con, "raw_files", raw_files, keep_existing=True)
            for table in DERIVED_TABLES:
                con.execute(f"DELETE FROM {table}")
                _insert(con, table, derived[table])
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

from pipelines.metadata import counts_by  # noqa: E402
from pipelines.resources import NewsEtlSettings  # noqa: E402


@dg.asset(
    group_name="load",
    description="Write every table into the DuckDB warehouse in one transaction and refresh the views.",
    ins={name: dg.AssetIn(name) for name in (
        "raw_files", "sections", "articles", "mentions", "entities", "entity_aliases",
        "stage_rejections", "clean_rejections", "date_rejections")},
)
def warehouse(context: AssetExecutionContext, news: NewsEtlSettings, raw_files: pl.DataFrame, sections: pl.DataFrame,
              articles: pl.DataFrame, mentions: pl.DataFrame, entities: pl.DataFrame, entity_aliases: pl.DataFrame,
              stage_rejections: pl.DataFrame, clean_rejections: pl.DataFrame, date_rejections: pl.DataFrame) -> dg.MaterializeResult:
    s = news.settings()
    rejections = pl.concat([stage_rejections, clean_rejections, date_rejections])
    counts = load_warehouse(s.warehouse_path, raw_files, {
        "sections": sections, "articles": articles, "rejections": rejections,
        "mentions": mentions, "entities": entities, "entity_aliases": entity_aliases,
    })
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(s.warehouse_path)),
        "row_counts": dg.MetadataValue.json(counts),
        **{f"rows_{t}": n for t, n in counts.items()},
        "rejections_by_reason": dg.MetadataValue.json(counts_by(rejections, "reason")),
    })
