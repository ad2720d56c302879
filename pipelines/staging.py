"""Where staged Parquet frames live beside the warehouse, and how they are written."""

from pathlib import Path

import polars as pl


def frame_path(root: Path, name: str, partition: str | None = None) -> Path:
    """`<root>/<name>.parquet`, or `<root>/<name>/<partition>.parquet` for a per-batch frame."""
    return root / name / f"{partition}.parquet" if partition else root / f"{name}.parquet"


def write_frame(frame: pl.DataFrame, path: Path) -> None:
    """Write through a temporary file and rename it, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    frame.write_parquet(tmp)
    tmp.replace(path)
