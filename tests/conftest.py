import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.evaluate import apply_variant

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"
SAMPLE = REPO / "data" / "landing"
RUN_NOW = "2026-11-21"


def run_refresh(landing: Path, warehouse: Path, now: str = RUN_NOW, instance=None, reprocess=None, **settings_fields):
    """A refresh of `warehouse` from `landing`, as `news-etl run` does it (new batches, then the corpus)."""
    from dagster import DagsterInstance

    from pipelines.refresh import refresh
    from pipelines.settings import Settings, parse_now

    settings = Settings(landing_dir=landing.resolve(), warehouse_path=warehouse.resolve(), now=parse_now(now), **settings_fields)
    outcome = refresh(settings, instance or DagsterInstance.ephemeral(), reprocess=reprocess, raise_on_error=True)
    assert outcome.success
    return outcome


def query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def table_snapshot(warehouse: Path, volatile=("batch_id", "ingested_at")) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without the columns that name the batch a file arrived in."""
    tables = ["raw_files", "sections", "articles", "rejections", "mentions", "entities", "entity_aliases"]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        snapshot = {}
        for t in tables:
            columns = [r[0] for r in con.execute(f"DESCRIBE {t}").fetchall() if r[0] not in volatile]
            snapshot[t] = sorted(con.execute(f"SELECT {', '.join(columns)} FROM {t}").fetchall(), key=repr)
        return snapshot
    finally:
        con.close()


def table_counts(warehouse: Path) -> dict[str, int]:
    tables = ["raw_files", "sections", "articles", "rejections", "mentions", "entities", "entity_aliases"]
    return {t: query(warehouse, f"SELECT count(*) FROM {t}")[0][0] for t in tables}


@pytest.fixture(scope="session")
def gold() -> dict:
    if not (SEEDS / "gold.json").exists():
        pytest.skip("../shared/seeds is absent")
    return json.loads((SEEDS / "gold.json").read_text())


@pytest.fixture(scope="session")
def seeds_run(gold, tmp_path_factory):
    """One refresh over the five seeds plus every mis-dated variant; returns (warehouse, variant file names)."""
    root = tmp_path_factory.mktemp("seeds")
    landing = root / "landing"
    landing.mkdir()
    for p in SEEDS.glob("*.txt"):
        shutil.copy(p, landing / p.name)
    variants = {}
    for i, case in enumerate(gold["mis_dated_variants"]["cases"]):
        name = f"variant_{i}_{case['from']}"
        (landing / name).write_text(apply_variant((SEEDS / case["from"]).read_text(), case["edit"])[0])
        variants[name] = case
    warehouse = root / "news.duckdb"
    run_refresh(landing, warehouse)
    return warehouse, variants, landing


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("sample") / "news.duckdb"
    run_refresh(SAMPLE, warehouse)
    return warehouse
