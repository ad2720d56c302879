"""Where staged Parquet frames live beside the warehouse, and how they are written."""

import hashlib
import shutil
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


class StepMemo:
    """What a corpus-wide step keeps between runs beside the warehouse, for results that are functions
    of their inputs alone (so a refresh computes only what it has not seen). The directory is named
    after the versions of the rules and model that made it, so a change to either starts afresh and
    drops the old memo. `StepMemo(None)` remembers nothing."""

    def __init__(self, root: Path | None):
        self.root = root

    @classmethod
    def beside(cls, staging_dir: Path, step: str, versions: str) -> "StepMemo":
        return cls(staging_dir / "memo" / step / hashlib.sha1(versions.encode()).hexdigest()[:16])

    def read(self, name: str) -> pl.DataFrame | None:
        path = self.root / f"{name}.parquet" if self.root else None
        return pl.read_parquet(path) if path and path.exists() else None

    def write(self, name: str, frame: pl.DataFrame) -> None:
        if self.root is None:
            return
        for stale in self.root.parent.glob("*"):
            if stale != self.root:
                shutil.rmtree(stale, ignore_errors=True)
        write_frame(frame, self.root / f"{name}.parquet")
