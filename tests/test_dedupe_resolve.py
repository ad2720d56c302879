"""Dedupe (stories) and resolve (entities) on small frames."""
from datetime import date

import polars as pl

from assets.dedupe import assign_stories
from assets.resolve import normalise, resolve_entities

REPORT_A = ("Flooding on the Maren river forced 1,240 people from their homes in Braskov on Tuesday, officials said. "
            "The river rose 3.2 metres overnight. Mayor Lida Orsk said 14 schools would stay shut until 9 April, "
            "and the Regional Water Authority sent 35 pumps to the town.")
REPORT_B = ("Officials in Braskov said on Tuesday that 1,240 residents had to leave their houses as the Maren "
            "burst its banks. Overnight the water climbed 3.2 metres. According to Lida Orsk, the mayor, 14 schools "
            "remain closed until 9 April while 35 pumps from the Regional Water Authority are deployed.")
OTHER = ("Flooding on the Tessel river closed two roads near Aldham on Friday. Police said nobody was hurt. "
         "The council opened a shelter in the sports hall for 60 people and expects the water to fall by Sunday.")


def test_reworded_report_is_the_same_story_and_lends_its_date():
    frame = pl.DataFrame({
        "article_id": ["a", "b", "c"], "body": [REPORT_A, REPORT_B, OTHER],
        "published_date": [date(2025, 4, 1), None, date(2025, 4, 4)],
        "date_status": ["ok", "undated", "ok"], "date_source": ["header", None, "header"], "date_precision": ["day", None, "day"],
    })
    out, pairs = assign_stories(frame)
    story = dict(out.select("article_id", "story_id").iter_rows())
    assert story["a"] == story["b"] != story["c"]
    b = out.filter(pl.col("article_id") == "b").row(0, named=True)
    assert (b["published_date"], b["date_source"], b["date_status"]) == (date(2025, 4, 1), "duplicate", "inferred")


def test_spelling_variants_normalise_alike():
    assert normalise("Kata’ib Hezbollah") == normalise("Kataib Hezbollah") == normalise("Khataib Hezbollah")
    assert normalise("Mr. al-Kadhimi") == normalise("Al-Kadhimi") == normalise("al-Kadhimi's")
    assert normalise("the Popular Mobilization Forces") == normalise("Popular Mobilization Forces")


def _mentions(rows):
    return pl.DataFrame(rows, schema={"article_id": pl.String, "section_ordinal": pl.Int32, "start_char": pl.Int32,
                                      "end_char": pl.Int32, "text": pl.String, "label": pl.String}, orient="row")


def _bodies(texts: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame({"article_id": list(texts), "body": list(texts.values())}, schema={"article_id": pl.String, "body": pl.String})


def test_surnames_and_acronyms_link_to_full_names_within_an_article():
    body = "Lida Orsk leads the Regional Water Authority (RWA). Orsk said the RWA would help."
    mentions = _mentions([("a", 0, 0, 9, "Lida Orsk", "PERSON"), ("a", 0, 19, 44, "Regional Water Authority", "ORG"),
                          ("a", 0, 46, 49, "RWA", "ORG"), ("a", 0, 52, 56, "Orsk", "PERSON"), ("a", 0, 66, 69, "RWA", "ORG")])
    resolved, entities, aliases = resolve_entities(mentions, _bodies({"a": body}), aliases={})
    assert entities.height == 2
    names = set(entities["canonical_name"])
    assert names == {"Lida Orsk", "Regional Water Authority"}
    assert set(aliases["alias"]) == {"Lida Orsk", "Orsk", "Regional Water Authority", "RWA"}


def test_distinct_people_with_similar_names_are_not_merged():
    mentions = _mentions([("a", 0, 0, 10, "Anna Varga", "PERSON"), ("b", 0, 0, 10, "Anna Vargo", "PERSON"),
                          ("c", 0, 0, 11, "Hanna Varga", "PERSON"), ("d", 0, 0, 10, "Anna Varga", "PERSON")])
    _, entities, _ = resolve_entities(mentions, aliases={})
    assert entities.filter(pl.col("canonical_name") == "Anna Varga")["mention_count"].item() == 2
    assert entities.height == 3


def test_alias_file_entries_override():
    mentions = _mentions([("a", 0, 0, 4, "U.S.", "GPE"), ("b", 0, 0, 13, "United States", "GPE"), ("c", 0, 0, 7, "America", "GPE")])
    _, entities, _ = resolve_entities(mentions, aliases={normalise("U.S."): ("United States", "GPE"),
                                                             normalise("America"): ("United States", "GPE")})
    assert entities.rows() == [(entities["entity_id"].item(), "United States", "GPE", 3, 3)]


def test_romanised_spellings_and_lone_surnames_join_across_articles():
    # three outlets spell one man three ways; two of them share context (the Harbour Board)
    mentions = _mentions([
        ("a", 0, 0, 16, "Yusuf al-Qaderi", "PERSON"), ("a", 0, 20, 33, "Harbour Board", "ORG"),
        ("b", 0, 0, 14, "Yousef Kaderi", "PERSON"), ("b", 0, 20, 33, "Harbour Board", "ORG"),
        ("c", 0, 0, 7, "Qadiri", "PERSON"), ("c", 0, 20, 33, "Harbour Board", "ORG"),
    ])
    resolved, entities, _ = resolve_entities(mentions, aliases={})
    person = resolved.filter(pl.col("label") == "PERSON")
    assert person["entity_id"].n_unique() == 1
    assert entities.height == 2


def test_close_names_without_shared_context_stay_apart():
    mentions = _mentions([("a", 0, 0, 14, "Yousef Kaderi", "PERSON"), ("a", 0, 20, 33, "Harbour Board", "ORG"),
                          ("b", 0, 0, 14, "Yusuf Qaderi", "PERSON"), ("b", 0, 20, 32, "Tennis Club", "ORG")])
    _, entities, _ = resolve_entities(mentions, aliases={})
    assert entities.filter(pl.col("label") == "PERSON").height == 2


def test_arabic_style_name_tagged_as_organisation_is_a_person():
    body = "Abu Karim al-Nasiri spoke on Monday. Nasiri said the talks would go on."
    mentions = _mentions([("a", 0, 0, 19, "Abu Karim al-Nasiri", "ORG"), ("a", 0, 37, 43, "Nasiri", "ORG")])
    _, entities, _ = resolve_entities(mentions, _bodies({"a": body}), aliases={})
    assert entities.rows() == [(entities["entity_id"].item(), "Abu Karim al-Nasiri", "PERSON", 2, 1)]


def test_militia_named_in_arabic_is_an_organisation():
    mentions = _mentions([("a", 0, 0, 22, "Kata'ib Saraya al-Nour", "PERSON")])
    _, entities, _ = resolve_entities(mentions, aliases={})
    assert entities["label"].to_list() == ["ORG"]


def test_extraction_keeps_exact_offsets_and_finds_recurring_acronyms():
    from assets.extract import extract_mentions
    from pipelines.settings import Settings

    text = ("The Northern Grain Producers Association (NGPA) met in Leeds on Monday. Officials of the NGPA said "
            "prices had fallen, and two NGPAs in the south agreed. Mr. Daniel O’Reilly’s farm was flooded.")
    sections = pl.DataFrame({"article_id": ["a"], "ordinal": [0], "text": [text]},
                            schema={"article_id": pl.String, "ordinal": pl.Int32, "text": pl.String})
    mentions, _ = extract_mentions(sections, Settings.from_env().spacy_model)
    for start, end, found in mentions.select("start_char", "end_char", "text").iter_rows():
        assert text[start:end] == found
    texts = mentions["text"].to_list()
    assert texts.count("NGPA") >= 2 and "NGPAs" in texts
    assert not any(t.endswith("’s") for t in texts)


def _variant_corpus() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Twelve short reports naming the same harbour authority and engineer in varying spellings, so
    resolve needs fuzzy joins (with shared context) and within-article links."""
    spellings = ["Tomasz Wielgosz", "Tomasz Wielgocz", "Tomas Wielgosz", "Tomasz Wielgosz"]
    bodies, rows = {}, []
    for i in range(12):
        name = spellings[i % len(spellings)]
        body = (f"{name} of the Port Authority of Kellin (PAK) inspected the Kellin breakwater. "
                f"Wielgosz said the PAK would repair it before the storms reached Kellin.")
        aid = f"report-{i:02d}"
        bodies[aid] = body
        for text, label in ((name, "PERSON"), ("Port Authority of Kellin", "ORG"), ("PAK", "ORG"),
                            ("Kellin", "GPE"), ("Wielgosz", "PERSON"), ("PAK", "ORG"), ("Kellin", "GPE")):
            start = body.find(text, rows[-1][3] if rows and rows[-1][0] == aid else 0)
            rows.append((aid, 0, start, start + len(text), text, label))
    return _mentions(rows), _bodies(bodies)


def test_a_memo_from_an_earlier_run_gives_the_same_entities_and_scores_only_what_is_new(tmp_path, monkeypatch):
    import assets.resolve as resolve_module
    from pipelines.staging import StepMemo

    mentions, bodies = _variant_corpus()
    cold = resolve_entities(mentions, bodies, aliases={})
    assert cold[1].filter(pl.col("label") == "PERSON").height == 1  # the spellings are one person
    memo = StepMemo.beside(tmp_path, "resolve", "rules-1|model-1")
    resolve_entities(mentions.filter(pl.col("article_id") < "report-08"), bodies, aliases={}, memo=memo)

    linked, scored = [], []
    real_links, real_pairs = resolve_module._article_links, resolve_module._fuzzy_pairs
    monkeypatch.setattr(resolve_module, "_article_links", lambda pairs, body: linked.append(body) or real_links(pairs, body))
    monkeypatch.setattr(resolve_module, "_fuzzy_pairs", lambda keys, known, *a: scored.append(set(keys) - known) or real_pairs(keys, known, *a))
    warm = resolve_entities(mentions, bodies, aliases={}, memo=memo)
    for before, after in zip(cold, warm):
        assert after.equals(before)
    assert len(linked) == 4                      # only the four new reports were linked
    assert all(not new for new in scored)        # their keys were all seen in the earlier run

    other = StepMemo.beside(tmp_path, "resolve", "rules-2|model-1")  # new rules: the old memo is not used, and is dropped
    assert other.read("article_links") is None
    resolve_entities(mentions, bodies, aliases={}, memo=other)
    assert [p.name for p in other.root.parent.iterdir()] == [other.root.name]


def test_a_dedupe_memo_judges_only_pairs_with_a_new_article_and_finds_the_same_stories(tmp_path, monkeypatch):
    import assets.dedupe as dedupe_module
    from pipelines.staging import StepMemo

    frame = pl.DataFrame({
        "article_id": ["a", "c", "b"], "body": [REPORT_A, OTHER, REPORT_B],
        "published_date": [date(2025, 4, 1), date(2025, 4, 4), None],
        "date_status": ["ok", "ok", "undated"], "date_source": ["header", "header", None], "date_precision": ["day", "day", None],
    })
    cold, cold_pairs = assign_stories(frame)
    memo = StepMemo.beside(tmp_path, "dedupe", "rules-1")
    assign_stories(frame.head(2), memo=memo)
    proposed = []
    real = dedupe_module._band_candidates
    monkeypatch.setattr(dedupe_module, "_band_candidates",
                        lambda sigs, eligible, is_new, t: proposed.append(is_new.sum()) or real(sigs, eligible, is_new, t))
    warm, warm_pairs = assign_stories(frame, memo=memo)
    assert warm.equals(cold) and warm_pairs == cold_pairs and len(cold_pairs) == 1
    assert proposed == [1, 1]  # the shingle and the name index each proposed pairs for the one new report only


def test_first_copies_keeps_each_articles_mentions_from_the_oldest_batch_only():
    from assets.resolve import MENTION_KEY, first_copies

    batch_1 = [("a", 0, 0, 4, "Orsk", "PERSON"), ("a", 1, 5, 9, "Lida", "PERSON"), ("b", 0, 2, 8, "Braskov", "GPE")]
    # the next batch staged "b" again (its copy sits right after the first one) and a new article "c"
    batch_2 = [("b", 0, 2, 8, "Braskov", "GPE"), ("c", 0, 0, 5, "Maren", "LOC"), ("c", 0, 9, 14, "Maren", "LOC")]
    mentions = _mentions(batch_1 + batch_2)
    kept = first_copies(mentions)
    assert kept.rows() == batch_1 + batch_2[1:]
    assert kept.equals(mentions.unique(MENTION_KEY, keep="first", maintain_order=True))
    # an article staged twice with a mention at the same place in both copies
    twice = _mentions([("d", 0, 3, 7, "Kell", "GPE"), ("d", 0, 3, 7, "Kell", "GPE")])
    assert first_copies(twice).height == 1
