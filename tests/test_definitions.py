"""The code location loads, with its job, schedule, sensor and every stage's checks."""
import dagster as dg

from pipelines.definitions import defs


def test_definitions_validate_and_hold_the_parts():
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_job_def("refresh")
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


def test_sensor_requests_a_run_only_when_the_landing_dir_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWS_ETL_LANDING", str(tmp_path))
    sensor = defs.resolve_sensor_def("landing_sensor")
    (tmp_path / "a.txt").write_text("One story.")
    first = sensor.evaluate_tick(dg.build_sensor_context(cursor=None))
    assert len(first.run_requests) == 1
    again = sensor.evaluate_tick(dg.build_sensor_context(cursor=first.cursor))
    assert not again.run_requests
    (tmp_path / "b.txt").write_text("Another story.")
    after = sensor.evaluate_tick(dg.build_sensor_context(cursor=first.cursor))
    assert len(after.run_requests) == 1
