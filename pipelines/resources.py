"""Dagster resources: run settings and the Parquet hand-off between assets."""

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.settings import Settings, parse_now
from pipelines.staging import frame_path, write_frame


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
    """Stores each asset's Polars frame as Parquet beside the warehouse: `<asset>.parquet`, or
    `<asset>/<batch>.parquet` for the per-batch assets (a corpus-wide step reads all batches).

    Frames stay out of DuckDB until the load step, which writes all tables in one transaction:
    DuckDB allows a single writer, and a half-finished run must not leave half-written tables.
    """

    news: dg.ResourceDependency[NewsEtlSettings]
    base_dir: str | None = None

    def _path(self, context, partition: str | None = None) -> Path:
        root = Path(self.base_dir) if self.base_dir else self.news.settings().staging_dir
        return frame_path(root, "__".join(context.asset_key.path), partition)

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame) -> None:
        if obj is not None:
            write_frame(obj, self._path(context, context.asset_partition_key if context.has_asset_partitions else None))

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        upstream = context.upstream_output if context.upstream_output else context
        metadata = context.definition_metadata or {}
        columns = metadata.get("columns")  # `AssetIn(metadata={"columns": [...]})`
        categorical = metadata.get("categorical", [])  # columns whose repeated strings are kept once each
        if not context.has_asset_partitions:
            return self._read(self._path(upstream), context, columns, categorical)
        keys = sorted(context.asset_partition_keys)
        if len(keys) == 1:  # a per-batch step reading its own batch
            return self._read(self._path(upstream, keys[0]), context, columns, categorical)
        # A corpus-wide step reads every batch staged for this warehouse, oldest first. Partitions
        # with no file here failed, were never run, or belong to another warehouse on this instance.
        paths = [p for p in (self._path(upstream, k) for k in keys) if p.exists()]
        if not paths:
            raise FileNotFoundError(f"no batch of {context.asset_key.to_user_string()} is staged in "
                                    f"{self._path(upstream).parent}: run a refresh first (make run)")
        if len(paths) < len(keys):
            context.log.info(f"{context.asset_key.to_user_string()}: {len(paths)} of {len(keys)} batches staged here")
        return pl.concat([self._read(p, context, columns, categorical) for p in paths], how="diagonal_relaxed")

    @staticmethod
    def _read(path: Path, context: dg.InputContext, columns: list[str] | None = None,
              categorical: list[str] = ()) -> pl.DataFrame:
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: materialize the upstream asset {context.asset_key.to_user_string()} first")
        return pl.read_parquet(path, columns=columns).with_columns(pl.col(c).cast(pl.Categorical) for c in categorical)
