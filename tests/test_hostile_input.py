"""Hostile and broken input through the whole job: a clear reason, nothing lost, the run goes on."""
import json
import os

from tests.conftest import query, run_refresh

STORY = ("The Orvel ferry resumed sailings on Thursday after a week of storms, the operator said.\n\n"
         "About 400 passengers crossed on the first day, and extra sailings are planned for the weekend.\n")


def test_a_landing_dir_full_of_trouble(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "empty.txt").write_bytes(b"")
    (landing / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (landing / "latin1.txt").write_bytes(("Café owners in Orvel reopened on Monday after the storms had passed. " * 3).encode("latin-1"))
    (landing / "utf16.txt").write_bytes(STORY.replace("Orvel", "Brenn").encode("utf-16"))
    (landing / "it's; a \"name\" ünï.txt").write_text(STORY.replace("Orvel", "Dalby"))
    (landing / "injection.txt").write_text("Council row over fees\n\nA resident typed '); DROP TABLE articles; -- into the "
                                           "council's online form on Monday, officials said, and the form kept working.\n")
    (landing / "broken.html").write_text("<html><body><p>The Marl bridge reopened on Friday after repairs to its deck."
                                         "<p>Engineers said the works cost less than planned<div></span></body")
    (landing / "feed.jsonl").write_text(json.dumps({"title": "Pier reopens", "text": STORY}) + "\n{broken\n")
    (landing / "copy-one.txt").write_text(STORY)
    (landing / "copy-two.txt").write_text(STORY)
    outside = tmp_path / "outside.txt"
    outside.write_text(STORY)
    os.symlink(outside, landing / "link.txt")
    warehouse = tmp_path / "news.duckdb"

    run_refresh(landing, warehouse)

    reasons = dict(query(warehouse, """SELECT f.file_name, string_agg(r.reason, ',') FROM rejections r
                                       JOIN raw_files f USING (file_id) GROUP BY 1"""))
    assert reasons["empty.txt"] == "empty_file"
    assert reasons["image.txt"] == "binary_file"
    assert reasons["link.txt"] == "symlink_outside_landing"
    assert reasons["feed.jsonl"] == "bad_jsonl_record"
    assert query(warehouse, "SELECT count(*) FROM raw_files")[0][0] == 11  # every file recorded
    bodies = dict(query(warehouse, "SELECT file_name, body FROM articles"))
    assert "Café owners" in bodies["latin1.txt"]
    assert "Brenn ferry" in bodies["utf16.txt"]
    assert "Dalby ferry" in bodies["it's; a \"name\" ünï.txt"]
    assert "'); DROP TABLE articles; --" in bodies["injection.txt"]
    assert "Marl bridge" in bodies["broken.html"]
    assert "Pier reopens" in query(warehouse, "SELECT string_agg(title, '|') FROM articles")[0][0]
    copies = query(warehouse, "SELECT count(DISTINCT file_id), count(*) FROM raw_files WHERE file_name LIKE 'copy-%'")[0]
    assert copies == (1, 2)  # one content, both names recorded
    assert query(warehouse, "SELECT count(*) FROM articles WHERE file_name LIKE 'copy-%'")[0][0] == 1
