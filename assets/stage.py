"""Stage: read every file under the landing dir into `raw_files`, content-addressed by sha256.

Files that cannot become articles (empty, binary, oversized, unsupported, unreadable,
symlinked out of the landing dir) are still recorded, with a rejection that says why. So are
files that vanish between listing and reading (`vanished`) and files that keep changing while
they are read (`changed_during_read`; read again on the next run). A file over the size limit is
hashed in chunks, never loaded: its row keeps the sha256, size and path, not the bytes.
"""

import errno
import hashlib
import os
import stat
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import polars as pl

from assets.common import rejections_frame

FORMATS = {".txt": "txt", ".text": "txt", ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".ndjson": "jsonl"}
IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".crdownload")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
READ_ATTEMPTS = 3          # reads of a file that keeps changing under us before it is rejected
CHUNK = 1 << 20

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


def _sha256_stream(fh: BinaryIO) -> str:
    """sha256 of the rest of `fh`, read in 1 MiB chunks: memory stays flat whatever the file size."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: fh.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _read_upto(fh: BinaryIO, limit: int) -> bytes:
    """At most `limit` bytes of `fh` (the one place file contents are read; tests hook it)."""
    return fh.read(limit)


@dataclass(frozen=True)
class FileRead:
    size: int
    file_id: str
    content: bytes | None   # None when the file is over the size limit (its bytes are hashed, not kept)
    changed: bool           # size or mtime moved while it was read: a writer is still at work


def read_file(path: Path, max_file_bytes: int) -> FileRead:
    """One consistent read of `path` through a single descriptor.

    A file over `max_file_bytes` is hashed in chunks and never held in memory. Otherwise one byte
    more than its size (and never more than `max_file_bytes + 1`) is read, so a file that grows
    while it is read is never loaded whole by accident; `changed` says its size or mtime moved
    between the `fstat` before and after the read.
    An atomic replace (write elsewhere, rename) between listing and reading is simply the newer file.
    Raises FileNotFoundError if the file vanished after it was listed.
    """
    if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would block the open; a socket cannot be read
        raise OSError(errno.EINVAL, "not a regular file (a FIFO, socket or device)")
    with path.open("rb") as fh:
        before = os.fstat(fh.fileno())
        if before.st_size > max_file_bytes:
            file_id = _sha256_stream(fh)
            after = os.fstat(fh.fileno())
            return FileRead(before.st_size, file_id, None,
                            (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns))
        # One byte past the size it had: a file that grew shows it, and no buffer is sized by the limit.
        content = _read_upto(fh, min(before.st_size, max_file_bytes) + 1)
        after = os.fstat(fh.fileno())
    changed = ((before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns)
               or len(content) != after.st_size)
    if len(content) > max_file_bytes:  # grew past the limit while it was read: too large now
        return FileRead(after.st_size, hashlib.sha256(content).hexdigest(), None, True)
    return FileRead(len(content), hashlib.sha256(content).hexdigest(), content, changed)


def read_settled(path: Path, max_file_bytes: int, attempts: int = READ_ATTEMPTS) -> FileRead:
    """`read_file`, again (after a short pause) while the file changes under us; the last read if it never settles."""
    for attempt in range(attempts):
        read = read_file(path, max_file_bytes)
        if not read.changed or read.content is None:  # too large either way: not worth hashing again
            return read
        time.sleep(0.05 * (attempt + 1))
    return read


def stage_files(landing_dir: Path, batch_id: str, now: datetime, max_file_bytes: int,
                paths: list[str] | None = None) -> StagedFiles:
    """Read `paths` (relative to the landing dir; default: every file in it) into a `raw_files`
    frame (bytes kept) and its rejections."""
    landing_dir = landing_dir.resolve()
    if not landing_dir.is_dir():
        raise FileNotFoundError(f"landing dir {landing_dir} does not exist (set NEWS_ETL_LANDING)")
    rows: list[dict] = []
    rejected: list[dict] = []
    for path in list_landing_files(landing_dir) if paths is None else [landing_dir / p for p in paths]:
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
                read = read_settled(path, max_file_bytes)
                row["size_bytes"], row["file_id"], row["content"] = read.size, read.file_id, read.content
                content = read.content
                if content is None:
                    reason, detail = "too_large", (
                        f"{read.size} bytes > limit {max_file_bytes} (NEWS_ETL_MAX_FILE_BYTES); sha256 recorded, "
                        f"bytes left in the landing dir{' (it grew while it was hashed)' if read.changed else ''}")
                elif read.changed:
                    reason, detail = "changed_during_read", (
                        f"size or modification time changed during each of {READ_ATTEMPTS} reads (still being written?); "
                        "the bytes of the last read are kept and the file is read again on the next run")
                elif not content.strip():
                    reason, detail = "empty_file", "no content but white space"
                elif fmt == "other":
                    reason, detail = "unsupported_format", f"extension {path.suffix or '(none)'!r} is not .txt, .html or .jsonl"
                elif looks_binary(content[:8192]):
                    reason, detail = "binary_file", "NUL or control bytes in the first 8 KiB"
        except FileNotFoundError as exc:  # listed, then moved or deleted before it could be read
            if path.is_symlink():  # a dangling link is not a vanished file
                row["file_id"] = row["file_id"] or hashlib.sha256(f"unreadable:{rel}".encode()).hexdigest()
                reason, detail = "unreadable", f"symlink to a missing file ({exc.strerror})"
            else:
                row["file_id"] = row["file_id"] or hashlib.sha256(f"vanished:{rel}".encode()).hexdigest()
                reason, detail = "vanished", "listed, then gone before it could be read (moved or deleted during the run)"
        except OSError as exc:  # unreadable: permissions, I/O errors, a directory named like a file
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

from assets.load import acquire_refresh_lock  # noqa: E402
from pipelines.batches import batch_files, ingest_batches  # noqa: E402
from pipelines.metadata import counts_by, frame_metadata, rejection_metadata  # noqa: E402
from pipelines.resources import NewsEtlSettings  # noqa: E402
from pipelines.versions import rules_version  # noqa: E402


@dg.multi_asset(
    outs={
        "raw_files": dg.AssetOut(group_name="stage", code_version=rules_version(), description="One row per file of the batch: sha256 id, format, size, raw bytes."),
        "stage_rejections": dg.AssetOut(group_name="stage", code_version=rules_version(), description="Files that cannot become articles, with the reason."),
    },
    partitions_def=ingest_batches,
    description="Read the files of one ingest batch (new or changed landing files), content-addressed.",
)
def stage(context: AssetExecutionContext, news: NewsEtlSettings):
    s = news.settings()
    # Held until this run's load step ends (or a step fails, or the run's process exits): a second refresh waits here.
    acquire_refresh_lock(s, owner=f"run {context.run_id}", on_wait=context.log.warning)
    paths = batch_files(s, context.partition_key)
    context.log.info(f"staging {len(paths)} files of batch {context.partition_key} from {s.landing_dir}")
    staged = stage_files(s.landing_dir, context.partition_key, s.now, s.max_file_bytes, paths)
    raw = staged.raw_files
    yield dg.Output(raw, "raw_files", metadata={
        **frame_metadata(raw, ["path", "format", "size_bytes", "status"]),
        "files_by_format": dg.MetadataValue.json(counts_by(raw, "format")),
        "files_rejected": int((raw["status"] == "rejected").sum()),
        "bytes": int(raw["size_bytes"].fill_null(0).sum()),
        "landing_dir": str(s.landing_dir),
    })
    yield dg.Output(staged.rejections, "stage_rejections", metadata=rejection_metadata(staged.rejections))
