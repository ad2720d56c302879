"""Run a stage's Great Expectations suite over a Polars frame.

A suite file is `{"name": ..., "expectations": [{"type": "expect_...", "kwargs": {...}, "meta": {...}}]}`.
`meta.level` says what an expectation is for:
- "row": failing rows are rejected; `meta.reason` is the reason code and `meta.detail` a
  format string over the row's columns that states the evidence.
- "table": reported as a Dagster asset check; `meta.blocking: true` marks structural checks.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

SUITE_DIR = Path(__file__).parent
SHAPE_EXPECTATIONS = ("expect_table_columns_", "expect_table_column_count_")  # about column names, not values


class SuiteError(RuntimeError):
    """An expectation crashed instead of returning a verdict: a bug or a schema mismatch, not bad data."""


@dataclass(frozen=True)
class ExpectationOutcome:
    type: str
    column: str | None
    success: bool
    meta: dict
    unexpected_count: int = 0
    failing_ids: list[dict] = field(default_factory=list)
    observed_value: object = None


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    evaluated: int
    outcomes: list[ExpectationOutcome]

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    def summary(self) -> dict:
        """Counts and names only, small enough for Dagster metadata."""
        return {
            "suite": self.suite,
            "rows_validated": self.evaluated,
            "expectations": len(self.outcomes),
            "successful": sum(o.success for o in self.outcomes),
            "failed": [f"{o.type}({o.column or ''})" for o in self.failed],
            "unexpected_counts": {f"{o.type}({o.column or ''})": o.unexpected_count for o in self.outcomes if o.unexpected_count},
        }


def load_suite(stage: str) -> dict:
    return json.loads((SUITE_DIR / f"{stage}.json").read_text())


def _class_name(expectation_type: str) -> str:
    return "".join(part.capitalize() for part in expectation_type.split("_"))


@functools.lru_cache(maxsize=1)
def _batch_definition():
    """One ephemeral GX context and pandas data source per process (building them costs ~100 ms)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("frames").add_dataframe_asset("frame")
    return context, asset.add_batch_definition_whole_dataframe("whole_frame")


def validate(frame: pl.DataFrame, stage: str, level: str, id_columns: list[str], blocking: bool | None = None) -> SuiteOutcome:
    """Validate `frame` against the `level` ("row" or "table") expectations of the stage's suite;
    with `blocking` set, only the table expectations whose `meta.blocking` equals it."""
    import great_expectations as gx

    spec = load_suite(stage)
    chosen = [e for e in spec["expectations"] if e.get("meta", {}).get("level") == level
              and (blocking is None or bool(e["meta"].get("blocking")) == blocking)]
    if not chosen:
        return SuiteOutcome(spec["name"], frame.height, [])
    present_ids = [c for c in id_columns if c in frame.columns]
    # GX reads a pandas copy: of every column for the expectations on the table's shape, but of no row;
    # of the rows, but only of the columns they name, for the rest (an article's body is not copied to count words).
    shape = [e for e in chosen if e["type"].startswith(SHAPE_EXPECTATIONS)]
    named = {c for e in chosen for c in _named_columns(e["kwargs"])}
    results = []
    for part, data in ((shape, frame.head(0)),
                       ([e for e in chosen if e not in shape], frame.select([c for c in frame.columns if c in named or c in present_ids]))):
        if part:
            results += _run_gx(gx, part, data, spec["name"], level, present_ids)
    outcomes = []
    for r in results:
        if r.exception_info and r.exception_info.get("raised_exception"):
            raise SuiteError(f"{stage}: {r.expectation_config.type} crashed: {r.exception_info.get('exception_message')}")
        res = r.result or {}
        outcomes.append(ExpectationOutcome(
            type=r.expectation_config.type,
            column=r.expectation_config.kwargs.get("column"),
            success=bool(r.success),
            meta=dict(r.expectation_config.meta or {}),
            unexpected_count=int(res.get("unexpected_count") or 0),
            failing_ids=[{k: _plain(v) for k, v in row.items() if k in present_ids} for row in res.get("unexpected_index_list") or []],
            observed_value=_plain(res.get("observed_value")),
        ))
    return SuiteOutcome(spec["name"], frame.height, outcomes)


def _named_columns(kwargs: dict) -> list[str]:
    return [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs] + list(kwargs.get("column_list", []))


def _run_gx(gx, expectations: list[dict], frame: pl.DataFrame, name: str, level: str, id_columns: list[str]) -> list:
    context, batch_definition = _batch_definition()
    suite = gx.ExpectationSuite(name=f"{name}_{level}")
    for e in expectations:
        suite.add_expectation(getattr(gx.expectations, _class_name(e["type"]))(**e["kwargs"], meta=e.get("meta")))
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame.to_pandas()})
    return batch.validate(suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": id_columns}).results


def _plain(value):
    """numpy scalars to Python ones, so results serialise."""
    return value.item() if hasattr(value, "item") else value


def row_rejections(frame: pl.DataFrame, stage: str, id_columns: list[str]) -> tuple[pl.DataFrame, SuiteOutcome]:
    """Rows failing the row-level expectations, one row per (row, expectation), with reason and detail."""
    outcome = validate(frame, stage, "row", id_columns)
    records = []
    for o in outcome.failed:
        if not o.failing_ids:
            continue
        failing = pl.DataFrame(o.failing_ids).cast({c: frame.schema[c] for c in id_columns})
        for row in frame.join(failing, on=id_columns, how="semi").iter_rows(named=True):
            records.append({**{c: row[c] for c in id_columns}, "reason": o.meta["reason"],
                            "expectation": o.type, "detail": _format_detail(o.meta.get("detail", o.type), row)})
    schema = {**{c: frame.schema[c] for c in id_columns}, "reason": pl.String, "expectation": pl.String, "detail": pl.String}
    return pl.DataFrame(records, schema=schema), outcome


def _format_detail(template: str, row: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(row.get(m.group(1), m.group(0))), template)
