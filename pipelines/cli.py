"""`news-etl run` stages new landing files as a batch, refreshes the warehouse and prints a summary;
`news-etl summary` prints the summary of an existing warehouse; `news-etl ui` starts the Dagster UI."""
import argparse
import contextlib
import os
import sys
import time

from pipelines.settings import REPO_ROOT, Settings


class BriefErrors:
    """Wraps stderr while Dagster runs in-process: a failure record keeps its message and loses its
    stack trace (the full trace stays in the run's event log: `make ui`)."""

    MARK = "\nStack Trace:\n"

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        if self.MARK in text:
            text = text.split(self.MARK, 1)[0].rstrip() + "\n    (stack trace in the run's event log: make ui)\n"
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextlib.contextmanager
def brief_errors():
    """stderr wrapped in `BriefErrors` while Dagster runs; yields the plain stream for progress lines."""
    stderr, sys.stderr = sys.stderr, BriefErrors(sys.stderr)
    try:
        yield stderr
    finally:
        sys.stderr = stderr


def print_summary(settings: Settings, out=sys.stdout) -> None:
    from assets.load import connect

    if not settings.warehouse_path.exists():
        raise FileNotFoundError(f"no warehouse at {settings.warehouse_path}: run a refresh first (make run)")
    con = connect(settings.warehouse_path, read_only=True, wait_seconds=settings.lock_wait_seconds)
    try:
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        files = q("SELECT count(*), count(*) FILTER (WHERE status = 'accepted') FROM raw_files")[0]
        print(f"warehouse  {settings.warehouse_path}", file=out)
        print(f"files      {files[0]} ({files[1]} accepted)", file=out)
        print(f"articles   {q('SELECT count(*) FROM articles')[0][0]}  in {q('SELECT count(DISTINCT story_id) FROM articles')[0][0]} stories", file=out)
        status = ", ".join(f"{s} {n}" for s, n in q("SELECT date_status, count(*) FROM articles GROUP BY 1 ORDER BY 1"))
        print(f"dates      {status}", file=out)
        kinds = ", ".join(f"{k} {n}" for k, n in q("SELECT kind, sections FROM section_kinds ORDER BY sections DESC, kind"))
        print(f"sections   {kinds}", file=out)
        print("rejections", file=out)
        for stage, reason, n in q("SELECT stage, reason, rejected FROM rejections_summary ORDER BY stage, rejected DESC, reason"):
            print(f"  {stage:<6} {reason:<32} {n}", file=out)
        print("top entities", file=out)
        for name, label, mentions, arts in q(
            "SELECT canonical_name, label, mention_count, article_count FROM entities ORDER BY mention_count DESC, canonical_name LIMIT 10"
        ):
            print(f"  {name:<40} {label:<7} {mentions:>4} mentions in {arts} articles", file=out)
    finally:
        con.close()


def ensure_dagster_home() -> str:
    """A persistent local Dagster instance, so that CLI runs and the UI share run history."""
    home = os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT / ".dagster_home"))
    os.makedirs(home, exist_ok=True)
    config = os.path.join(home, "dagster.yaml")
    if not os.path.exists(config):
        with open(config, "w") as fh:
            fh.write("telemetry:\n  enabled: false\n")
    return home


def print_failures(runs, out=sys.stderr) -> None:
    """One line per failed step: its own message, without the stack trace."""
    for result in runs:
        for event in result.all_events if not result.success else []:
            if event.is_step_failure:
                error = event.step_failure_data.error
                cause = (error.cause or error) if error and error.cls_name == "DagsterExecutionStepExecutionError" else error
                reason = cause.message.strip().splitlines()[-1] if cause else event.message
                if cause and cause.cls_name == "Failure":  # raised on purpose, with a message for people
                    reason = reason.split(": ", 1)[-1]
                print(f"FAILED {event.step_key}: {reason}", file=out)


def _corpus_run_main(config: dict, peak_kib, validations) -> None:
    """Entry point of the corpus-wide run's own process (see `run_corpus_in_child`), whose checks
    validate in the worker at the other end of `validations`; leaves its peak resident memory in
    `peak_kib`, since it is not this refresh's child to wait for."""
    import resource

    from dagster import DagsterInstance

    from pipelines.checks import use_validation_worker
    from pipelines.refresh import run_corpus_assets

    use_validation_worker(validations)
    try:
        with brief_errors():
            result = run_corpus_assets(config, DagsterInstance.get())
    finally:
        peak_kib.value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print_failures([result])
    sys.exit(0 if result.success else 1)


POLARS_ALLOCATOR_VARIABLE = "_RJEM_MALLOC_CONF"
# what the corpus-wide run imports: loaded once by the fork server while the batches run (not GX:
# its checks validate in a worker process)
CORPUS_RUN_MODULES = ["pipelines.definitions", "duckdb", "rapidfuzz"]


def start_corpus_process_server() -> None:
    """Start the process the corpus-wide run will be forked from, so its imports (Dagster, DuckDB,
    RapidFuzz: a few seconds) load on the idle core while this process starts the batch runs."""
    import multiprocessing
    import multiprocessing.forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(CORPUS_RUN_MODULES)
    # Polars' allocator (jemalloc) keeps freed pages for 10 s by default, so the corpus-wide steps'
    # short-lived frames would stack up under the peak; in that process it returns them at once
    saved = os.environ.get(POLARS_ALLOCATOR_VARIABLE)
    os.environ[POLARS_ALLOCATOR_VARIABLE] = saved or "dirty_decay_ms:0,muzzy_decay_ms:0"
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        if saved is None:
            del os.environ[POLARS_ALLOCATOR_VARIABLE]


def run_corpus_in_child(settings: Settings, config: dict, log, validations) -> bool:
    """The corpus-wide run in a fresh process: the batch runs before it leave heap behind in this
    one (Polars and spaCy keep freed pages), which would add to its peak. The child is forked from
    the server `start_corpus_process_server` started, with its imports done and none of this
    process's heap. The refresh lock passes to the child, whose first step takes it. Its checks
    validate in the `ValidationWorker` at the other end of `validations`."""
    import multiprocessing

    from assets.load import release_refresh_lock

    release_refresh_lock(settings=settings)
    context = multiprocessing.get_context("forkserver")
    started, peak_kib = time.monotonic(), context.Value("q", 0)
    child = context.Process(target=_corpus_run_main, args=(config, peak_kib, validations), name="news-etl corpus run")
    child.start()
    child.join()
    log(f"stories, entities and load: {'done' if child.exitcode == 0 else 'failed'} in {time.monotonic() - started:.1f} s "
        f"(process peak RSS {peak_kib.value >> 10} MiB)")
    return child.exitcode == 0


def run_refresh(settings: Settings, reprocess: str | None = None) -> bool:
    """New batches in this process, then the corpus-wide steps in a child process, against the local
    Dagster instance (runs show up in `make ui`)."""
    ensure_dagster_home()
    start_corpus_process_server()
    from dagster import DagsterInstance

    from pipelines.checks import ValidationWorker
    from pipelines.refresh import refresh

    validations = ValidationWorker()  # it imports GX while the batches start

    def run_corpus(config: dict) -> bool:
        return run_corpus_in_child(settings, config, log, validations.hand_over())

    try:
        with brief_errors() as stderr:
            def log(msg: str) -> None:
                print(msg, file=stderr, flush=True)

            outcome = refresh(settings, DagsterInstance.get(), reprocess=reprocess, log=log, run_corpus=run_corpus)
    finally:
        validations.stop()
    print_failures(outcome.runs)
    return outcome.success


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="news-etl", description=__doc__)
    parser.add_argument("command", choices=["run", "summary", "ui"])
    parser.add_argument("--port", type=int, default=3000, help="port for `ui` (host is always 127.0.0.1)")
    parser.add_argument("--reprocess", choices=["stale", "all"],
                        help="`run` also reprocesses the batches made by other rules or another model (stale, "
                             "see the stale_batches view) or every batch (all)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command == "ui":
        ensure_dagster_home()
        dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
        os.execv(dagster, [dagster, "dev", "-w", str(REPO_ROOT / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(args.port)])
    from assets.load import WarehouseBusy, acquire_refresh_lock, release_refresh_lock

    try:
        if args.command == "run":
            print(f"refreshing {settings.landing_dir} -> {settings.warehouse_path}", flush=True)
            started = time.monotonic()
            owner = "news-etl run"
            # Taken before Dagster starts, so waiting for (or giving up on) another refresh is one line;
            # this run's stage step takes it over and its load step releases it.
            acquire_refresh_lock(settings, owner, on_wait=lambda msg: print(f"news-etl: {msg}", file=sys.stderr, flush=True))
            try:
                ok = run_refresh(settings, reprocess=args.reprocess)
            finally:
                release_refresh_lock(owner)
            if not ok:
                print("refresh failed; see the messages above or the run in the Dagster UI (make ui)", file=sys.stderr)
                return 1
            print(f"refresh finished in {time.monotonic() - started:.1f} s\n", flush=True)
        print_summary(settings)
    except (WarehouseBusy, FileNotFoundError) as exc:
        print(f"news-etl: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
