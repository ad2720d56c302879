"""Versions of what shapes each row, so rows made by older rules or another model can be found.

- `rules_version`: a digest of the stage, clean, date and dedupe modules (and resolve, whose name
  skeletons the story signatures use), their suites and the publisher list; recorded on
  `sections`, `articles` and `rejections` rows.
- `model_version`: the spaCy model's name and version plus a digest of the extract module and
  the alias list its entity ruler reads; recorded on `mentions` rows.

The same strings are the `code_version` of the per-batch assets, so the Dagster UI marks their
partitions stale when either changes, and `stale_batches` (a view) lists the batches to reprocess.
"""

import functools
import hashlib
import importlib.util
import json
from pathlib import Path

from pipelines.settings import REPO_ROOT

RULE_SOURCES = (
    "assets/common.py", "assets/stage.py", "assets/clean.py", "assets/date.py", "expectations/runner.py",
    "assets/dedupe.py", "assets/resolve.py",  # the per-batch story signatures (name skeletons come from resolve)
    "expectations/stage.json", "expectations/clean.json", "expectations/date.json", "warehouse/publishers.csv",
    "assets/spam_lexicon.json", "assets/spam_model.py", "assets/spam_model.txt",
)
MODEL_SOURCES = ("assets/extract.py", "warehouse/aliases.csv")


def _digest(relative_paths: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for rel in relative_paths:
        digest.update(rel.encode() + b"\0" + (REPO_ROOT / rel).read_bytes() + b"\0")
    return digest.hexdigest()[:10]


@functools.cache
def rules_version() -> str:
    return f"rules-{_digest(RULE_SOURCES)}"


def installed_model_version(model_name: str) -> str:
    """The version in the model package's meta.json, read without importing spaCy."""
    spec = importlib.util.find_spec(model_name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"spaCy model package {model_name!r} is not installed (NEWS_ETL_SPACY_MODEL); run make install")
    meta = Path(next(iter(spec.submodule_search_locations))) / "meta.json"
    return json.loads(meta.read_text())["version"]


@functools.cache
def model_version(model_name: str) -> str:
    return f"{model_name}-{installed_model_version(model_name)}+{_digest(MODEL_SOURCES)}"


def current_versions(model_name: str) -> dict[str, str]:
    """What this code would record: the `pipeline_versions` rows and a processed batch's marker."""
    return {"rules": rules_version(), "model": model_version(model_name)}
