"""Staging hazards: a 200 MB file, a file that vanishes after it is listed, a file that changes while it is read.

Each is recorded with a clear reason and the rest of the run goes on; a file over the size limit is
hashed in chunks and never held in memory.
"""
import json
import subprocess
import sys
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

import pytest

import assets.stage
from assets.stage import READ_ATTEMPTS, stage_files
from tests.conftest import REPO, query, run_refresh

NOW = datetime(2026, 11, 21, tzinfo=timezone.utc)
BIG = 200 * 1024 * 1024
LIMIT = 50 * 1024 * 1024  # the default NEWS_ETL_MAX_FILE_BYTES

ARTICLE = """\
Tidal barrier trial closes the Morrow channel for a day

Published: 12 November 2026

SELBY HAVEN — The new tidal barrier across the Morrow channel was closed for its first full trial on Thursday, the Selby Haven Port Authority said.

The authority's chief engineer, Rosa Penhallow, said the gates sealed within the 40 minutes the design allows. Fishing boats were held in the outer harbour until the gates reopened at dusk.
"""


def _big_sparse(path: Path, size: int = BIG) -> None:
    """A file of `size` bytes that takes no disk space: a few real bytes, then a hole."""
    with path.open("wb") as fh:
        fh.write(b"An oversized dump of a scraper gone wrong.\n")
        fh.truncate(size)


def _reasons(staged) -> dict[str, tuple[str, str]]:
    by_id = {r["file_id"]: (r["reason"], r["detail"]) for r in staged.rejections.iter_rows(named=True)}
    return {r["path"]: by_id.get(r["file_id"]) for r in staged.raw_files.iter_rows(named=True)}


def test_a_200_mb_file_is_hashed_in_chunks_never_loaded(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    _big_sparse(landing / "dump.txt")
    (landing / "barrier.txt").write_text(ARTICLE)
    warm = tmp_path / "warm"
    warm.mkdir()
    (warm / "barrier.txt").write_text(ARTICLE)

    # In a fresh process, so that the peak RSS is staging's own and not an earlier test's.
    code = f"""
import json, resource
from datetime import datetime, timezone
from pathlib import Path
from assets.stage import stage_files
stage_files(Path({str(warm)!r}), "warm-up", datetime.now(timezone.utc), {LIMIT})  # the article alone: warms polars up
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
staged = stage_files(Path({str(landing)!r}), "b", datetime.now(timezone.utc), {LIMIT})
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"grew_kib": after - before, "rows": staged.raw_files.drop("content").to_dicts(),
                  "rejections": staged.rejections.select("file_id", "reason", "detail").to_dicts()}}, default=str))
"""
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["grew_kib"] < 32 * 1024, out["grew_kib"]  # far below the file's 200 MiB
    rows = {r["path"]: r for r in out["rows"]}
    assert rows["dump.txt"]["status"] == "rejected" and rows["dump.txt"]["size_bytes"] == BIG
    assert rows["barrier.txt"]["status"] == "accepted"
    (rejection,) = out["rejections"]
    assert rejection["file_id"] == rows["dump.txt"]["file_id"] and rejection["reason"] == "too_large"
    assert rejection["detail"].startswith(f"dump.txt: {BIG} bytes > limit {LIMIT} (NEWS_ETL_MAX_FILE_BYTES)")

    # The same in this process, by Python allocations: the biggest block alive at once is a 1 MiB chunk.
    tracemalloc.start()
    try:
        staged = stage_files(landing, "b", NOW, LIMIT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, peak
    assert _reasons(staged)["dump.txt"][0] == "too_large"


def test_a_file_that_vanishes_after_listing_is_recorded_as_vanished(tmp_path, monkeypatch):
    (tmp_path / "barrier.txt").write_text(ARTICLE)
    (tmp_path / "moved-away.txt").write_text("A draft the scraper moved elsewhere.")
    listed = assets.stage.list_landing_files

    def list_then_delete(landing_dir):
        found = listed(landing_dir)
        (tmp_path / "moved-away.txt").unlink()  # between listing and reading
        return found

    monkeypatch.setattr(assets.stage, "list_landing_files", list_then_delete)
    staged = stage_files(tmp_path, "b", NOW, LIMIT)
    reasons = _reasons(staged)
    assert reasons["barrier.txt"] is None
    reason, detail = reasons["moved-away.txt"]
    assert reason == "vanished" and "gone before it could be read" in detail
    row = staged.raw_files.filter(staged.raw_files["path"] == "moved-away.txt").row(0, named=True)
    assert row["status"] == "rejected" and row["content"] is None and len(row["file_id"]) == 64


def test_a_file_replaced_between_listing_and_reading_is_read_as_its_new_version(tmp_path, monkeypatch):
    (tmp_path / "barrier.txt").write_text("An early draft.")
    listed = assets.stage.list_landing_files

    def list_then_replace(landing_dir):
        found = listed(landing_dir)
        tmp = tmp_path / ".barrier.txt.new"
        tmp.write_text(ARTICLE)
        tmp.replace(tmp_path / "barrier.txt")  # an atomic replace, as careful writers do
        return found

    monkeypatch.setattr(assets.stage, "list_landing_files", list_then_replace)
    staged = stage_files(tmp_path, "b", NOW, LIMIT)
    assert _reasons(staged) == {"barrier.txt": None}
    assert staged.raw_files["content"].to_list() == [ARTICLE.encode()]


def _writer_during_reads(monkeypatch, changes: dict[str, int]):
    """Make a concurrent writer touch the named files while they are read: `changes[name]` reads are disturbed."""
    real = assets.stage._read_upto
    seen: dict[str, int] = {}

    def read_while_written(fh, limit):
        data = real(fh, limit)
        name = Path(fh.name).name
        seen[name] = seen.get(name, 0) + 1
        if seen[name] <= changes.get(name, 0):
            with open(fh.name, "ab") as w:  # the writer appends a line while we read
                w.write(b"A late paragraph from the scraper.\n")
        return data

    monkeypatch.setattr(assets.stage, "_read_upto", read_while_written)
    return seen


def test_a_file_that_keeps_changing_while_read_is_rejected_with_its_bytes_kept(tmp_path, monkeypatch):
    (tmp_path / "barrier.txt").write_text(ARTICLE)
    (tmp_path / "growing.txt").write_text(ARTICLE)
    (tmp_path / "settles.txt").write_text(ARTICLE.replace("Morrow", "Pellow"))
    seen = _writer_during_reads(monkeypatch, {"growing.txt": 99, "settles.txt": 1})
    staged = stage_files(tmp_path, "b", NOW, LIMIT)
    reasons = _reasons(staged)
    assert seen == {"barrier.txt": 1, "growing.txt": READ_ATTEMPTS, "settles.txt": 2}
    assert reasons["barrier.txt"] is None
    assert reasons["settles.txt"] is None  # changed once, read again, stable: accepted
    reason, detail = reasons["growing.txt"]
    assert reason == "changed_during_read" and "read again on the next run" in detail
    row = staged.raw_files.filter(staged.raw_files["path"] == "growing.txt").row(0, named=True)
    assert row["content"] and row["size_bytes"] == len(row["content"])  # the bytes of the last read are kept

    monkeypatch.undo()  # the writer has finished: the next run reads the whole file
    again = stage_files(tmp_path, "b2", NOW, LIMIT)
    assert _reasons(again)["growing.txt"] is None
    assert again.raw_files.filter(again.raw_files["path"] == "growing.txt")["content"].item() == (tmp_path / "growing.txt").read_bytes()


@pytest.fixture(scope="module")
def hazard_run(tmp_path_factory):
    """One refresh over a landing dir with every hazard at once, plus two good articles."""
    root = tmp_path_factory.mktemp("hazards")
    landing = root / "landing"
    landing.mkdir()
    (landing / "barrier.txt").write_text(ARTICLE)
    (landing / "quarry.txt").write_text(ARTICLE.replace("tidal barrier", "quarry bridge").replace("Morrow", "Dunholt"))
    _big_sparse(landing / "dump.txt")
    (landing / "moved-away.txt").write_text("A draft the scraper moved elsewhere.")
    (landing / "growing.txt").write_text(ARTICLE.replace("Morrow", "Pellow"))
    warehouse = root / "news.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        batch_files = assets.stage.batch_files

        def batch_files_then_delete(settings, key):  # in the batch, gone before the stage step reads it
            found = batch_files(settings, key)
            (landing / "moved-away.txt").unlink(missing_ok=True)
            return found

        mp.setattr(assets.stage, "batch_files", batch_files_then_delete)
        _writer_during_reads(mp, {"growing.txt": 99})
        run_refresh(landing, warehouse)
    return warehouse


def test_hazards_in_a_full_run_are_recorded_and_the_run_goes_on(hazard_run):
    files = {path: (status, size, has_content) for path, status, size, has_content in query(
        hazard_run, "SELECT path, status, size_bytes, content IS NOT NULL FROM raw_files")}
    assert files == {
        "barrier.txt": ("accepted", len(ARTICLE.encode()), True),
        "quarry.txt": ("accepted", files["quarry.txt"][1], True),
        "dump.txt": ("rejected", BIG, False),
        "moved-away.txt": ("rejected", None, False),
        "growing.txt": ("rejected", files["growing.txt"][1], True),
    }
    reasons = dict(query(hazard_run, """SELECT f.path, r.reason FROM rejections r JOIN raw_files f USING (file_id)
                                         WHERE r.stage = 'stage'"""))
    assert reasons == {"dump.txt": "too_large", "moved-away.txt": "vanished", "growing.txt": "changed_during_read"}
    assert sorted(r[0] for r in query(hazard_run, "SELECT file_name FROM articles")) == ["barrier.txt", "quarry.txt"]
    assert query(hazard_run, "SELECT count(*) FROM mentions")[0][0] > 0
