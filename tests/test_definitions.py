"""The code location loads, with its job, schedule, sensor and every stage's checks."""
import os
from datetime import datetime

import dagster as dg

from pipelines.definitions import defs


def test_definitions_validate_and_hold_the_parts():
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_job_def("refresh")
    batch_job = defs.resolve_job_def("process_batch")
    assert batch_job.partitions_def.name == "ingest_batch"
    assert "warehouse" not in {k.to_user_string() for k in batch_job.asset_layer.selected_asset_keys}
    schedule = defs.resolve_schedule_def("daily_refresh")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert defs.resolve_sensor_def("landing_sensor")
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"raw_files", "sections", "articles", "mentions", "entities", "entity_aliases", "warehouse"} <= keys
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    for asset, stage in [("raw_files", "stage"), ("sections", "clean"), ("dated_articles", "date"),
                         ("articles", "dedupe"), ("extracted_mentions", "extract"), ("entities", "resolve")]:
        assert (asset, f"{stage}_structure") in checks and (asset, f"{stage}_quality") in checks


def test_sensor_turns_new_or_changed_files_into_one_batch_each_and_skips_an_unchanged_dir(tmp_path, monkeypatch):
    from pipelines.batches import batch_files, ingest_batches
    from pipelines.settings import Settings

    landing = tmp_path / "landing"
    landing.mkdir()
    monkeypatch.setenv("NEWS_ETL_LANDING", str(landing))
    monkeypatch.setenv("NEWS_ETL_WAREHOUSE", str(tmp_path / "news.duckdb"))
    settings = Settings.from_env()
    (tmp_path / "dagster_home").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "dagster_home"))
    sensor = defs.resolve_sensor_def("landing_sensor")

    def tick():  # the evaluation function itself: what the daemon gets on each tick
        return sensor(dg.build_sensor_context(instance=instance))

    (landing / "a.txt").write_text("One story.")
    (landing / "b.txt").write_text("Another story.")
    first = tick()
    assert len(first) == 1 and sorted(batch_files(settings, first[0].partition_key)) == ["a.txt", "b.txt"]
    assert instance.get_dynamic_partitions(ingest_batches.name) == [first[0].partition_key]
    skipped = tick()
    assert isinstance(skipped, dg.SkipReason) and "no new or changed files" in skipped.skip_message
    (landing / "c.txt").write_text("A third story.")
    (landing / "a.txt").write_text("One story, corrected.")
    os.utime(landing / "a.txt", ns=(1, 1))  # a different mtime even on a coarse clock
    second = tick()
    assert len(second) == 1 and sorted(batch_files(settings, second[0].partition_key)) == ["a.txt", "c.txt"]
    assert second[0].partition_key > first[0].partition_key  # keys sort by creation time

    # The daily schedule re-requests every batch not processed yet (here: both), and new files.
    schedule = defs.resolve_schedule_def("daily_refresh")
    requests = schedule(dg.build_schedule_context(instance=instance, scheduled_execution_time=datetime(2026, 11, 22, 6)))
    assert sorted(r.partition_key for r in requests) == sorted([first[0].partition_key, second[0].partition_key])
