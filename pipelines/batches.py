"""Ingest batches: which landing files each Dagster partition of the per-batch assets stages.

A scan of the landing dir compares every file's (path, size, mtime) with the manifests of
earlier batches; files that are new or changed since become a new batch, written as one JSON
manifest under `<warehouse>.staging/batches/` and added as a partition of `ingest_batch`. So a
file is staged, cleaned, dated and tagged once, and a scan of an unchanged landing dir creates
nothing. The manifests, not the Dagster instance, are the record of what was seen: a new
instance (a fresh DAGSTER_HOME) gets its partitions back from them.

Batch keys sort by creation time (`20261121T101500_123456-1a2b3c4d`: UTC time to the microsecond,
then a digest of the manifest), so "the latest version of a path" is the one in the greatest key.
"""

import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import dagster as dg

from pipelines.settings import Settings
from pipelines.staging import frame_path

ingest_batches = dg.DynamicPartitionsDefinition(name="ingest_batch")
# The assets run once per batch, and those that read every batch.
BATCH_ASSETS = ("raw_files", "stage_rejections", "sections", "cleaned_articles", "clean_rejections",
                "dated_articles", "date_rejections", "story_signatures", "extracted_mentions")
CORPUS_ASSETS = ("articles", "mentions", "entities", "entity_aliases", "warehouse", "report")


@dataclass(frozen=True)
class LandingFile:
    path: str          # relative to the landing dir, POSIX separators
    size: int
    mtime_ns: int


def batches_dir(settings: Settings) -> Path:
    return settings.staging_dir / "batches"


def scan_landing(landing_dir: Path) -> list[LandingFile]:
    """Every candidate file under `landing_dir` with its size and mtime (from `lstat`: a symlink is
    listed as itself, and the stage step decides whether it may be followed)."""
    from assets.stage import list_landing_files  # the stage module imports this one for its partitions

    landing_dir = landing_dir.resolve()
    if not landing_dir.is_dir():
        raise FileNotFoundError(f"landing dir {landing_dir} does not exist (set NEWS_ETL_LANDING)")
    found = []
    for path in list_landing_files(landing_dir):
        try:
            st = path.lstat()
        except OSError:  # gone since it was listed; if it comes back, a later scan sees it
            continue
        found.append(LandingFile(path.relative_to(landing_dir).as_posix(), st.st_size, st.st_mtime_ns))
    return found


def batch_keys(settings: Settings) -> list[str]:
    """Every batch of this warehouse, oldest first."""
    directory = batches_dir(settings)
    return sorted(p.stem for p in directory.glob("*.json")) if directory.is_dir() else []


def batch_files(settings: Settings, key: str) -> list[str]:
    """The landing paths (relative) that batch `key` stages."""
    manifest = batches_dir(settings) / f"{key}.json"
    if not manifest.exists():
        raise FileNotFoundError(f"no manifest for batch {key} at {manifest}: it belongs to another warehouse "
                                "(NEWS_ETL_WAREHOUSE) or its staging dir was removed")
    return [f["path"] for f in json.loads(manifest.read_text())["files"]]


def _seen(settings: Settings) -> set[LandingFile]:
    seen = set()
    for key in batch_keys(settings):
        for f in json.loads((batches_dir(settings) / f"{key}.json").read_text())["files"]:
            seen.add(LandingFile(f["path"], f["size"], f["mtime_ns"]))
    return seen


KEY_TIME = "%Y%m%dT%H%M%S_%f"


def _latest_batch_time(settings: Settings) -> datetime | None:
    keys = batch_keys(settings)
    if not keys:
        return None
    stamp = keys[-1].rsplit("-", 1)[0]  # keys made before microseconds were added have none
    return datetime.strptime(stamp, KEY_TIME if "_" in stamp else "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc)


def register_new_batches(settings: Settings, max_files: int | None = None) -> list[str]:
    """Write a manifest for the files that are new or changed since the last scan; return the new keys.

    More than `max_files` (default `settings.max_batch_files`) new files become several batches,
    so a first load of a large corpus is staged in bounded steps. Scans of the same warehouse are
    serialised by a lock file, so the sensor and a CLI run cannot both claim a file.
    """
    max_files = max_files or settings.max_batch_files
    directory = batches_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        seen = _seen(settings)
        new = [f for f in scan_landing(settings.landing_dir) if f not in seen]
        keys = []
        created = _latest_batch_time(settings)
        for start in range(0, len(new), max_files):
            chunk = new[start:start + max_files]
            digest = hashlib.sha256("".join(f"{f.path}\0{f.size}\0{f.mtime_ns}\n" for f in chunk).encode()).hexdigest()
            # keys must sort in creation order: a microsecond after the latest if the clock has not passed it
            now = datetime.now(timezone.utc)
            created = now if created is None else max(now, created + timedelta(microseconds=1))
            key = f"{created:{KEY_TIME}}-{digest[:8]}"
            manifest = {"batch_id": key, "created_at": created.isoformat(), "landing_dir": str(settings.landing_dir),
                        "files": [{"path": f.path, "size": f.size, "mtime_ns": f.mtime_ns} for f in chunk]}
            tmp = directory / f".{key}.json.tmp"
            tmp.write_text(json.dumps(manifest, indent=1))
            os.replace(tmp, directory / f"{key}.json")
            keys.append(key)
    return keys


def mark_processed(settings: Settings, key: str, versions: dict[str, str]) -> None:
    """Record that every per-batch step of `key` ran, and with which rules and model."""
    (batches_dir(settings) / f"{key}.processed").write_text(json.dumps(versions, sort_keys=True))


def batches_to_process(settings: Settings, versions: dict[str, str] | None = None) -> list[str]:
    """Batches whose per-batch steps never finished, oldest first; with `versions`, also those
    processed by other rules or another model (the batches `stale_batches` lists)."""
    todo = []
    for key in batch_keys(settings):
        marker = batches_dir(settings) / f"{key}.processed"
        # The marker is written by the extract step just before its output; the last steps' outputs must be there too.
        outputs = [frame_path(settings.staging_dir, asset, key) for asset in ("extracted_mentions", "story_signatures")]
        if not (marker.exists() and all(p.exists() for p in outputs)) or (
                versions is not None and json.loads(marker.read_text()) != versions):
            todo.append(key)
    return todo


def mark_loaded(settings: Settings, keys: list[str]) -> None:
    """Record which batches the warehouse now holds (written by the load step after its commit)."""
    (batches_dir(settings) / "loaded").write_text(json.dumps(sorted(keys)))


def loaded_batches(settings: Settings) -> set[str]:
    path = batches_dir(settings) / "loaded"
    return set(json.loads(path.read_text())) if path.exists() else set()


def sync_partitions(instance: dg.DagsterInstance, settings: Settings) -> list[str]:
    """Add every batch of this warehouse that the Dagster instance does not know yet; returns all keys."""
    keys = batch_keys(settings)
    known = set(instance.get_dynamic_partitions(ingest_batches.name))
    missing = [k for k in keys if k not in known]
    if missing:
        instance.add_dynamic_partitions(ingest_batches.name, missing)
    return keys


def _after_batches_condition() -> dg.AutomationCondition:
    A = dg.AutomationCondition
    # Batch steps run without this asset (a backfill) trigger it; a refresh that updates it after
    # its batches resets it.
    return (
        A.any_deps_updated().since(A.newly_requested() | A.newly_updated())
        & ~A.any_deps_in_progress() & ~A.in_progress()
    ).with_label("after a batch is (re)processed")


# On the corpus-wide assets (stories, entities, the warehouse, the report): a backfill of batches
# launched from the UI (say, after a rules change) brings them up to date once it has finished.
after_batches = _after_batches_condition()
