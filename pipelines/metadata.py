"""Asset metadata a person wants to see in the Dagster UI."""
from __future__ import annotations

import dagster as dg
import polars as pl


def md_cell(value, width: int = 60) -> str:
    """One Markdown table cell: on one line, pipes escaped, cut to `width` characters."""
    s = "" if value is None else str(value).replace("\n", " ").replace("|", "\\|")
    return s if len(s) <= width else s[: width - 1] + "…"


def markdown_table(columns: list[str], rows, width: int = 60) -> str:
    """`rows` (sequences of values) under a header of `columns`, as a Markdown table."""
    header = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    return header + "".join("| " + " | ".join(md_cell(v, width) for v in row) + " |\n" for row in rows)


def preview(frame: pl.DataFrame, columns: list[str], rows: int = 5, width: int = 60) -> dg.MetadataValue:
    """The first rows of `columns` as a Markdown table, long text cut to `width` characters."""
    shown = frame.select([c for c in columns if c in frame.columns]).head(rows)
    return dg.MetadataValue.md(markdown_table(shown.columns, shown.iter_rows(), width))


def counts_by(frame: pl.DataFrame, column: str) -> dict[str, int]:
    if frame.is_empty():
        return {}
    return {str(k): int(v) for k, v in frame.group_by(column).len().sort(column).iter_rows()}


def frame_metadata(frame: pl.DataFrame, preview_columns: list[str]) -> dict:
    return {"dagster/row_count": frame.height, "preview": preview(frame, preview_columns)}


def rejection_metadata(rejections: pl.DataFrame) -> dict:
    by_reason = counts_by(rejections, "reason")
    meta = {"dagster/row_count": rejections.height, "rejected_by_reason": dg.MetadataValue.json(by_reason)}
    meta.update({f"rejected_{reason}": count for reason, count in by_reason.items()})
    if rejections.height:
        meta["preview"] = preview(rejections, ["reason", "detail", "file_id"], rows=10, width=90)
    return meta
