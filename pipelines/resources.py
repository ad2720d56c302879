"""Dagster resources: run settings and the Parquet hand-off between assets."""

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.settings import Settings, parse_now


class NewsEtlSettings(dg.ConfigurableResource):
    """Where the data is and what "now" is. Empty fields fall back to NEWS_ETL_* variables, then defaults."""

    landing_dir: str | None = None
    warehouse_path: str | None = None
    now: str | None = None
    spacy_model: str | None = None
    n_process: int | None = None

    def settings(self) -> Settings:
        base = Settings.from_env()
        overrides = {
            "landing_dir": Path(self.landing_dir).resolve() if self.landing_dir else None,
            "warehouse_path": Path(self.warehouse_path).resolve() if self.warehouse_path else None,
            "now": parse_now(self.now) if self.now else None,
            "spacy_model": self.spacy_model,
            "n_process": self.n_process,
        }
        return replace(base, **{k: v for k, v in overrides.items() if v is not None})

    def run_now(self) -> datetime:
        return self.settings().now


class ParquetFrameIOManager(dg.ConfigurableIOManager):
    """Stores each asset's Polars frame as one Parquet file beside the warehouse.

    Frames stay out of DuckDB until the load step, which writes all tables in one transaction:
    DuckDB allows a single writer, and a half-finished run must not leave half-written tables.
    """

    news: dg.ResourceDependency[NewsEtlSettings]
    base_dir: str | None = None

    def _path(self, context) -> Path:
        root = Path(self.base_dir) if self.base_dir else self.news.settings().staging_dir
        return root / f"{'__'.join(context.asset_key.path)}.parquet"

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame) -> None:
        if obj is None:
            return
        path = self._path(context)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".parquet.tmp")
        obj.write_parquet(tmp)
        tmp.replace(path)

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        path = self._path(context.upstream_output if context.upstream_output else context)
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: materialize the upstream asset {context.asset_key.to_user_string()} first")
        return pl.read_parquet(path)
