"""The refresh job, its (stopped) daily schedule, and the sensor that watches the landing dir."""

import hashlib

import dagster as dg

from assets.load import release_refresh_lock
from assets.stage import list_landing_files
from pipelines.settings import Settings


@dg.failure_hook(name="release_refresh_lock")
def release_refresh_lock_on_failure(context: dg.HookContext) -> None:
    """The stage step takes the refresh lock and the load step releases it; a failed step in between
    (a blocking check, a crash) releases it too, so the next refresh does not wait for this one."""
    release_refresh_lock(f"run {context.run_id}")


# In-process: one import of spaCy/GX per run, and a single process touching DuckDB.
refresh_job = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    hooks={release_refresh_lock_on_failure},
    description="Stage, clean, date, dedupe, extract, resolve and load every file in the landing dir.",
)

refresh_schedule = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_job,
    cron_schedule="0 6 * * *",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Full refresh every morning at 06:00 (stopped by default; start it in the UI).",
)


def landing_fingerprint(settings: Settings) -> tuple[str, int]:
    """A digest of (path, size, mtime) of every landing file, and the file count."""
    digest = hashlib.sha256()
    files = list_landing_files(settings.landing_dir) if settings.landing_dir.is_dir() else []
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:20], len(files)


@dg.sensor(job=refresh_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Requests a refresh when files are added to, changed in or removed from the landing dir.")
def landing_sensor(context: dg.SensorEvaluationContext):
    fingerprint, count = landing_fingerprint(Settings.from_env())
    if fingerprint == context.cursor:
        return dg.SkipReason(f"no change in the landing dir ({count} files)")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint, tags={"news_etl/trigger": "landing_sensor", "news_etl/files": str(count)})
