"""Table-level Great Expectations suites as Dagster asset checks.

Each stage's suite yields two checks on the stage's main asset: `<stage>_structure` (the
blocking expectations: required columns, unique ids; a failure stops downstream assets) and
`<stage>_quality` (the rest, reported as warnings).

With `use_validation_worker`, the checks validate in a `ValidationWorker` process: GX and what it
imports (pandas, SciPy: ~200 MiB) then stay out of a process that has no other use for them (the
corpus-wide run of `news-etl run`, whose resolve step needs that memory).
"""

import multiprocessing
import warnings

import dagster as dg
import polars as pl

from expectations.runner import SuiteOutcome, validate

_worker_connection = None  # see `use_validation_worker`


class ValidationWorker:
    """A process that imports GX as soon as it starts, then validates the frames sent over its pipe."""

    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self._connection, theirs = context.Pipe()
        self._handed_over = False
        self.process = context.Process(target=_serve_validations, args=(theirs,), name="news-etl validations", daemon=True)
        self.process.start()
        theirs.close()

    def hand_over(self):
        """The connection a process passes to `use_validation_worker`."""
        self._handed_over = True
        return self._connection

    def stop(self) -> None:
        """A worker that was handed over exits on the closed pipe, so that its objects are cleaned
        up; an unused one (perhaps still importing GX) is stopped at once."""
        self._connection.close()
        if self._handed_over:
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()


def _serve_validations(connection) -> None:
    import great_expectations  # noqa: F401  (before the first request comes)

    while True:
        try:
            frame, stage, id_columns, blocking = connection.recv()
        except EOFError:
            return
        try:
            connection.send(validate(frame, stage, "table", id_columns, blocking=blocking))
        except Exception as exc:  # noqa: BLE001  (raised again where the check runs)
            connection.send(exc)


def use_validation_worker(connection) -> None:
    """Send this process's table checks to the `ValidationWorker` at the other end of `connection`."""
    global _worker_connection
    _worker_connection = connection


def validate_table(frame: pl.DataFrame, stage: str, id_columns: list[str], blocking: bool) -> SuiteOutcome:
    """The table-level expectations of `stage`'s suite over `frame`, in the worker if this process has one."""
    if _worker_connection is None:
        return validate(frame, stage, "table", id_columns, blocking=blocking)
    _worker_connection.send((frame, stage, id_columns, blocking))
    outcome = _worker_connection.recv()
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def suite_checks(asset_key: str, stage: str, id_columns: list[str],
                 partitions_def: dg.PartitionsDefinition | None = None) -> list[dg.AssetChecksDefinition]:
    """The two checks of `stage`'s suite on `asset_key`; a per-batch asset is checked batch by batch."""
    def run(frame: pl.DataFrame, blocking: bool) -> dg.AssetCheckResult:
        outcome = validate_table(frame, stage, id_columns, blocking)
        summary = outcome.summary()
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
            metadata={
                "suite": summary["suite"],
                "rows_validated": summary["rows_validated"],
                "expectations": summary["expectations"],
                "successful_expectations": summary["successful"],
                "failed_expectations": dg.MetadataValue.json(summary["failed"]),
                "unexpected_counts": dg.MetadataValue.json(summary["unexpected_counts"]),
            },
        )

    # Checks of a per-batch asset run batch by batch; Dagster flags partitioned checks as a preview feature.
    warnings.filterwarnings("ignore", message="Specifying a partitions_def on an AssetCheckSpec", category=dg.PreviewWarning)

    @dg.asset_check(asset=asset_key, name=f"{stage}_structure", blocking=True, partitions_def=partitions_def,
                    description=f"Structural expectations of expectations/{stage}.json (blocks downstream assets).")
    def structure(frame: pl.DataFrame) -> dg.AssetCheckResult:
        return run(frame, blocking=True)

    @dg.asset_check(asset=asset_key, name=f"{stage}_quality", partitions_def=partitions_def,
                    description=f"Non-blocking table expectations of expectations/{stage}.json.")
    def quality(frame: pl.DataFrame) -> dg.AssetCheckResult:
        return run(frame, blocking=False)

    return [structure, quality]
