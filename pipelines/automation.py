"""The refresh job, the sensor that turns new landing files into ingest batches, the daily
schedule that also reprocesses batches left behind (a failed run, a rules or model change), and
the automation sensor that brings the corpus-wide assets up to date after a backfill."""

import dagster as dg

from assets.load import release_refresh_lock
from pipelines.batches import BATCH_ASSETS, batches_to_process, ingest_batches, register_new_batches, sync_partitions
from pipelines.settings import Settings
from pipelines.versions import current_versions


@dg.failure_hook(name="release_refresh_lock")
def release_refresh_lock_on_failure(context: dg.HookContext) -> None:
    """The first step of a run takes the refresh lock and the load step releases it; a failed step in
    between (a blocking check, a crash) releases it too, so the next refresh does not wait for this one."""
    release_refresh_lock(f"run {context.run_id}")


# Launched for a batch, it runs that batch's stage, clean, date and extract steps, then the
# corpus-wide ones (in one process: see the executor in definitions.py).
refresh_job = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.all(),
    partitions_def=ingest_batches,
    hooks={release_refresh_lock_on_failure},
    description="Stage, clean, date and extract one ingest batch; then stories, entities, the load and the report over all batches.",
)


corpus_automation = dg.AutomationConditionSensorDefinition(
    "corpus_automation",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Evaluates the corpus-wide assets' automation condition: after batches are (re)processed outside a "
                "full refresh (a backfill from the UI), stories, entities, the warehouse and the report follow.",
)


# The per-batch steps alone: the job to backfill over every `ingest_batch` partition after a rules
# change. The corpus-wide assets follow through their automation condition.
process_batch_job = dg.define_asset_job(
    "process_batch",
    selection=dg.AssetSelection.assets(*BATCH_ASSETS),
    partitions_def=ingest_batches,
    hooks={release_refresh_lock_on_failure},
    description="Stage, clean, date, sign and extract one ingest batch (backfill it over all batches after a rules change).",
)


def _requests(instance: dg.DagsterInstance, trigger: str, also=None) -> list[dg.RunRequest] | dg.SkipReason:
    """Register new landing files as batches and request a refresh of each, and of the batches `also(settings)` names."""
    settings = Settings.from_env()
    try:
        keys = sorted(set(register_new_batches(settings)) | set(also(settings) if also else []))
    except FileNotFoundError as exc:  # no landing dir (yet)
        return dg.SkipReason(str(exc))
    if not keys:
        return dg.SkipReason(f"no new or changed files in {settings.landing_dir}"
                             + (", and every batch is processed by the current rules and model" if also else ""))
    sync_partitions(instance, settings)
    return [dg.RunRequest(run_key=f"{trigger}:{key}", partition_key=key, tags={"news_etl/trigger": trigger})
            for key in keys]


@dg.sensor(job=refresh_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Turns files added to or changed in the landing dir into an ingest batch and refreshes it.")
def landing_sensor(context: dg.SensorEvaluationContext):
    return _requests(context.instance, "landing_sensor")


@dg.schedule(job=refresh_job, cron_schedule="0 6 * * *", name="daily_refresh",
             default_status=dg.DefaultScheduleStatus.STOPPED,
             description="Every morning at 06:00 (stopped by default): new files, plus every batch that is unprocessed "
                         "or was processed by other rules or another model.")
def refresh_schedule(context: dg.ScheduleEvaluationContext):
    return _requests(context.instance, f"daily_refresh:{context.scheduled_execution_time:%Y%m%d}",
                     also=lambda settings: batches_to_process(settings, current_versions(settings.spacy_model)))
