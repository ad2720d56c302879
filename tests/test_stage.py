"""Stage: what becomes a raw file, and how unusable files are recorded."""
import hashlib
import os
from datetime import datetime, timezone

import pytest

from assets.stage import stage_files

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)


def staged(landing, max_bytes=10_000):
    result = stage_files(landing, "batch-1", NOW, max_bytes)
    reasons = {r["file_id"]: r["reason"] for r in result.rejections.iter_rows(named=True)}
    return result.raw_files, reasons


def test_files_are_content_addressed_and_bytes_kept(tmp_path):
    (tmp_path / "sub").mkdir()
    body = "A harbour reopened on Tuesday after repairs.\n".encode()
    (tmp_path / "sub" / "a.txt").write_bytes(body)
    (tmp_path / "copy of a.txt").write_bytes(body)
    raw, reasons = staged(tmp_path)
    assert raw.height == 2 and not reasons
    assert set(raw["file_id"]) == {hashlib.sha256(body).hexdigest()}
    assert set(raw["path"]) == {"sub/a.txt", "copy of a.txt"}
    assert raw["content"].to_list() == [body, body]


@pytest.mark.parametrize("name, content, reason", [
    ("empty.txt", b"", "empty_file"),
    ("blank.txt", b"  \n\n ", "empty_file"),
    ("photo.txt", bytes(range(256)) * 4, "binary_file"),
    ("notes.pdf", b"%PDF-1.4 some text", "unsupported_format"),
    ("big.txt", b"word " * 5000, "too_large"),
])
def test_unusable_files_are_recorded_with_a_reason(tmp_path, name, content, reason):
    (tmp_path / name).write_bytes(content)
    (tmp_path / "fine.txt").write_text("An ordinary paragraph of news text.")
    raw, reasons = staged(tmp_path)
    row = raw.filter(raw["file_name"] == name).row(0, named=True)
    assert row["status"] == "rejected" and reasons[row["file_id"]] == reason
    assert raw.filter(raw["file_name"] == "fine.txt")["status"].item() == "accepted"
    if reason == "too_large":
        assert row["content"] is None and row["file_id"] == hashlib.sha256(content).hexdigest()


def test_utf16_with_bom_is_text_not_binary(tmp_path):
    (tmp_path / "u16.txt").write_bytes("Ferry services resumed.".encode("utf-16"))
    raw, reasons = staged(tmp_path)
    assert raw["status"].item() == "accepted" and not reasons


def test_symlink_outside_landing_is_not_followed(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("outside the landing dir")
    landing = tmp_path / "landing"
    landing.mkdir()
    os.symlink(outside, landing / "link.txt")
    raw, reasons = staged(landing)
    row = raw.row(0, named=True)
    assert row["content"] is None and reasons[row["file_id"]] == "symlink_outside_landing"


def test_hidden_and_partial_files_wait_for_a_later_run(tmp_path):
    (tmp_path / ".draft.txt").write_text("not yet")
    (tmp_path / "upload.txt.part").write_text("half a file")
    raw, _ = staged(tmp_path)
    assert raw.height == 0


def test_missing_landing_dir_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="NEWS_ETL_LANDING"):
        stage_files(tmp_path / "nope", "b", NOW, 10)
