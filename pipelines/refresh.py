"""A refresh outside the daemon (`news-etl run`, tests, the benchmark): the same runs the sensor
and schedule launch, executed in this process one after another.

1. Scan the landing dir; new or changed files become new ingest batches (partitions).
2. Run the per-batch assets (stage, clean, date, story signatures, extract) for every batch not processed yet;
   `reprocess="stale"` adds the batches processed by other rules or another model, and
   `reprocess="all"` every batch.
3. Run the corpus-wide assets (stories, entities, the load, the report) once, if any batch was
   processed or the warehouse does not hold every processed batch yet. With `run_corpus`, the
   caller runs them (the CLI does so in a fresh process, so the heap the batch runs leave behind
   does not add to the corpus-wide run's peak).

A refresh over an unchanged landing dir therefore runs nothing.
"""
from __future__ import annotations

import ctypes
import gc
import os
import time
from dataclasses import dataclass, field
from typing import Callable

import dagster as dg

from pipelines.batches import CORPUS_ASSETS, batch_keys, batches_to_process, loaded_batches, register_new_batches, sync_partitions
from pipelines.settings import Settings
from pipelines.versions import current_versions


@dataclass
class RefreshOutcome:
    new_batches: list[str] = field(default_factory=list)
    processed_batches: list[str] = field(default_factory=list)
    loaded: bool = False
    corpus_run_failed: bool = False
    runs: list[dg.ExecuteInProcessResult] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return all(r.success for r in self.runs) and not self.corpus_run_failed


def run_config(settings: Settings) -> dict:
    """The `news` resource configured from `settings` (tests and the CLI point it at any landing dir and warehouse)."""
    return {"resources": {"news": {"config": {
        "landing_dir": str(settings.landing_dir), "warehouse_path": str(settings.warehouse_path),
        "now": settings.now.isoformat(), "spacy_model": settings.spacy_model, "n_process": settings.n_process,
    }}}}


def resident_mib() -> int:
    """This process's resident memory now, in MiB (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") >> 20
    except OSError:
        return 0


def drop_captured_outputs(result: dg.ExecuteInProcessResult) -> dg.ExecuteInProcessResult:
    """`execute_in_process` keeps every step's output (here: the batch's frames, raw bytes
    included) for `output_for_node`; a refresh reads them from the staging dir instead, so the
    result keeps its events only and a refresh's memory does not grow with each batch."""
    if isinstance(getattr(result, "_output_capture", None), dict):
        result._output_capture.clear()
    return result


def return_freed_memory() -> None:
    """Hand the heap a finished run freed back to the OS, so the runs of one refresh do not stack
    their peaks in this process (glibc keeps freed pages otherwise)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def run_corpus_assets(config: dict, instance: dg.DagsterInstance, raise_on_error: bool = False) -> dg.ExecuteInProcessResult:
    """One run of the corpus-wide assets over every staged batch."""
    from pipelines.definitions import defs

    return defs.resolve_job_def("refresh").execute_in_process(
        run_config=config, instance=instance, asset_selection=[dg.AssetKey(k) for k in CORPUS_ASSETS],
        raise_on_error=raise_on_error)


def refresh(settings: Settings, instance: dg.DagsterInstance, reprocess: str | None = None,
            log: Callable[[str], None] = lambda _msg: None, raise_on_error: bool = False,
            run_corpus: Callable[[dict], bool] | None = None) -> RefreshOutcome:
    """Bring the warehouse up to date with the landing dir; stops at the first failed run.
    `run_corpus(run_config) -> success` replaces the in-process corpus-wide run."""
    from pipelines.definitions import defs

    outcome = RefreshOutcome(new_batches=register_new_batches(settings))
    sync_partitions(instance, settings)
    if reprocess not in (None, "stale", "all"):
        raise ValueError(f"reprocess must be 'stale' or 'all', not {reprocess!r}")
    todo = (batch_keys(settings) if reprocess == "all"
            else batches_to_process(settings, current_versions(settings.spacy_model) if reprocess == "stale" else None))
    config = run_config(settings)
    batch_job = defs.resolve_job_def("process_batch")
    for n, key in enumerate(todo, 1):
        started = time.monotonic()
        log(f"batch {n}/{len(todo)} {key}: stage, clean, date, signatures, extract")
        result = batch_job.execute_in_process(run_config=config, instance=instance, partition_key=key,
                                              raise_on_error=raise_on_error)
        outcome.runs.append(drop_captured_outputs(result))
        return_freed_memory()
        if not result.success:
            return outcome
        outcome.processed_batches.append(key)
        log(f"batch {n}/{len(todo)} {key}: done in {time.monotonic() - started:.1f} s (process RSS {resident_mib()} MiB)")
    processed = set(batch_keys(settings)) - set(batches_to_process(settings))
    held = f"{len(processed)} batch{'es' if len(processed) != 1 else ''}"
    if not todo and settings.warehouse_path.exists() and loaded_batches(settings) == processed:
        log(f"no new or changed files in {settings.landing_dir}; the warehouse is up to date "
            f"({held})")
        return outcome
    log(f"stories, entities and load over {held}")
    if run_corpus is not None:
        outcome.loaded = run_corpus(config)
        outcome.corpus_run_failed = not outcome.loaded
        return outcome
    result = run_corpus_assets(config, instance, raise_on_error)
    outcome.runs.append(result)
    outcome.loaded = result.success
    return outcome
