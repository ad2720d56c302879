"""Stage: read every file under the landing dir into `raw_files`, content-addressed by sha256.

Files that cannot become articles (empty, binary, oversized, unsupported, unreadable,
symlinked out of the landing dir) are still recorded, with a rejection that says why.
"""

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from assets.common import rejections_frame

FORMATS = {".txt": "txt", ".text": "txt", ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".ndjson": "jsonl"}
IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".crdownload")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

RAW_FILES_SCHEMA = {
    "file_id": pl.String,
    "file_name": pl.String,
    "path": pl.String,
    "format": pl.String,
    "size_bytes": pl.Int64,
    "batch_id": pl.String,
    "ingested_at": pl.Datetime("us", "UTC"),
    "status": pl.String,
    "content": pl.Binary,
}


@dataclass(frozen=True)
class StagedFiles:
    raw_files: pl.DataFrame
    rejections: pl.DataFrame


def list_landing_files(landing_dir: Path) -> list[Path]:
    """Every candidate file under `landing_dir`, recursively, in a stable order.

    Directory symlinks are not followed; hidden files and files still being written
    (`.part`, `.tmp`) are left for a later run.
    """
    found: list[Path] = []
    for root, dirs, files in os.walk(landing_dir, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.startswith(".") or name.endswith(IN_PROGRESS_SUFFIXES):
                continue
            found.append(Path(root) / name)
    return sorted(found)


def looks_binary(head: bytes) -> bool:
    """NUL bytes or many control characters, unless the text is UTF-16 with a BOM."""
    if head.startswith(UTF16_BOMS):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return bool(head) and controls / len(head) > 0.1


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def stage_files(landing_dir: Path, batch_id: str, now: datetime, max_file_bytes: int) -> StagedFiles:
    """Read the landing dir into a `raw_files` frame (bytes kept) and its rejections."""
    landing_dir = landing_dir.resolve()
    if not landing_dir.is_dir():
        raise FileNotFoundError(f"landing dir {landing_dir} does not exist (set NEWS_ETL_LANDING)")
    rows: list[dict] = []
    rejected: list[dict] = []
    for path in list_landing_files(landing_dir):
        rel = path.relative_to(landing_dir).as_posix()
        fmt = FORMATS.get(path.suffix.lower(), "other")
        row = {"file_id": None, "file_name": path.name, "path": rel, "format": fmt, "size_bytes": None,
               "batch_id": batch_id, "ingested_at": now, "status": "accepted", "content": None}
        reason, detail = None, None
        try:
            if path.is_symlink() and not path.resolve().is_relative_to(landing_dir):
                reason, detail = "symlink_outside_landing", f"{rel} points to {path.resolve()}, outside the landing dir"
                row["file_id"] = hashlib.sha256(f"symlink:{rel}".encode()).hexdigest()
            else:
                size = path.stat().st_size
                row["size_bytes"] = size
                if size > max_file_bytes:
                    row["file_id"] = sha256_of(path)
                    reason, detail = "too_large", f"{size} bytes > limit {max_file_bytes}"
                else:
                    content = path.read_bytes()
                    row["size_bytes"] = len(content)
                    row["file_id"] = hashlib.sha256(content).hexdigest()
                    row["content"] = content
                    if not content.strip():
                        reason, detail = "empty_file", "no content but white space"
                    elif fmt == "other":
                        reason, detail = "unsupported_format", f"extension {path.suffix or '(none)'!r} is not .txt, .html or .jsonl"
                    elif looks_binary(content[:8192]):
                        reason, detail = "binary_file", "NUL or control bytes in the first 8 KiB"
        except OSError as exc:  # vanished or unreadable between listing and reading
            row["file_id"] = row["file_id"] or hashlib.sha256(f"unreadable:{rel}".encode()).hexdigest()
            reason, detail = "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}"
        if reason:
            row["status"] = "rejected"
            rejected.append({"file_id": row["file_id"], "reason": reason, "detail": f"{rel}: {detail}"})
        rows.append(row)
    return StagedFiles(pl.DataFrame(rows, schema=RAW_FILES_SCHEMA), rejections_frame(rejected, "stage", now))


# ----------------------------------------------------------------------------- Dagster asset
import dagster as dg  # noqa: E402
from dagster import AssetExecutionContext  # noqa: E402

from pipelines.metadata import counts_by, frame_metadata, rejection_metadata  # noqa: E402
from pipelines.resources import NewsEtlSettings  # noqa: E402


@dg.multi_asset(
    outs={
        "raw_files": dg.AssetOut(group_name="stage", description="One row per file in the landing dir: sha256 id, format, size, raw bytes."),
        "stage_rejections": dg.AssetOut(group_name="stage", description="Files that cannot become articles, with the reason."),
    },
    description="Read every file under the landing dir (recursively), content-addressed.",
)
def stage(context: AssetExecutionContext, news: NewsEtlSettings):
    s = news.settings()
    context.log.info(f"staging files from {s.landing_dir}")
    staged = stage_files(s.landing_dir, context.run_id, s.now, s.max_file_bytes)
    raw = staged.raw_files
    yield dg.Output(raw, "raw_files", metadata={
        **frame_metadata(raw, ["path", "format", "size_bytes", "status"]),
        "files_by_format": dg.MetadataValue.json(counts_by(raw, "format")),
        "bytes": int(raw["size_bytes"].fill_null(0).sum()),
        "landing_dir": str(s.landing_dir),
    })
    yield dg.Output(staged.rejections, "stage_rejections", metadata=rejection_metadata(staged.rejections))
