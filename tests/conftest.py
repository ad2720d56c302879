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


def run_refresh(landing: Path, warehouse: Path, now: str = RUN_NOW, instance=None):
    """Run the `refresh` job in-process over `landing` into `warehouse`."""
    from dagster import DagsterInstance

    from pipelines.definitions import defs

    job = defs.resolve_job_def("refresh")
    config = {"resources": {"news": {"config": {"landing_dir": str(landing), "warehouse_path": str(warehouse), "now": now}}}}
    result = job.execute_in_process(run_config=config, instance=instance or DagsterInstance.ephemeral(), raise_on_error=True)
    assert result.success
    return result


def query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
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
