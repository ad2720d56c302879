"""Table-level Great Expectations suites as Dagster asset checks.

Each stage's suite yields two checks on the stage's main asset: `<stage>_structure` (the
blocking expectations: required columns, unique ids; a failure stops downstream assets) and
`<stage>_quality` (the rest, reported as warnings).
"""

import warnings

import dagster as dg
import polars as pl

from expectations.runner import validate


def suite_checks(asset_key: str, stage: str, id_columns: list[str],
                 partitions_def: dg.PartitionsDefinition | None = None) -> list[dg.AssetChecksDefinition]:
    """The two checks of `stage`'s suite on `asset_key`; a per-batch asset is checked batch by batch."""
    def run(frame: pl.DataFrame, blocking: bool) -> dg.AssetCheckResult:
        outcome = validate(frame, stage, "table", id_columns, blocking=blocking)
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
