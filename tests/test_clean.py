"""Clean: section kinds and spam rejection on small hand-written files."""
import json
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest

from assets.clean import clean_files, decode_bytes, split_text_blocks
from assets.stage import RAW_FILES_SCHEMA

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)

ARTICLE = """Home | News | Sport | Weather
Harbour authority approves dredging plan for Port Wenlow

Cranes stand idle at the western quay. Photo: Ada Brum / Wenlow Post

May 12, 2025

By Tomas Reyl

WENLOW — The Port Wenlow Harbour Authority approved a plan on Monday to deepen the main channel, ending a year of argument over the cost of the dredging and its effect on fishing grounds.

The authority said the work would allow larger container ships to berth at the western quay, which has lost trade to deeper ports along the coast since 2022.

Fishing crews had opposed the plan, saying silt from the dredging would drive fish from the bay. The authority promised to pay for a survey of the fishing grounds every year while the work lasts.

"We listened," said the authority's chair, Mirela Osk.

Dredging is due to start in September and to take eighteen months, the authority said.

Ines Varga contributed reporting from Wenlow.

Best Price Guarantee On Garden Furniture Sets

SPRINGFIELD / NewsLink / -- Shop now at www.gardendeals-example.com and get 30% off every patio set! Call 555-123-4567 today for a free quote, limited time only. Email sales@gardendeals-example.com.

Share this story
© 2025 Wenlow Post
"""


def raw_frame(files: dict[str, bytes | str]) -> pl.DataFrame:
    rows = []
    for i, (name, content) in enumerate(files.items()):
        data = content.encode() if isinstance(content, str) else content
        fmt = {"jsonl": "jsonl", "html": "html"}.get(name.rsplit(".", 1)[-1], "txt")
        rows.append({"file_id": f"{i:064x}", "file_name": name, "path": name, "format": fmt, "size_bytes": len(data),
                     "batch_id": "b", "ingested_at": NOW, "status": "accepted", "content": data})
    return pl.DataFrame(rows, schema=RAW_FILES_SCHEMA)


def kinds_of(sections: pl.DataFrame) -> dict[str, str]:
    return dict(sections.select("text", "kind").iter_rows())


def kinds_in(files: dict[str, str]) -> dict[str, str]:
    """The kind of each line once the files are cleaned."""
    return kinds_of(clean_files(raw_frame(files), NOW)[0])


def test_each_line_gets_the_kind_a_reader_would_give_it():
    sections, articles, rejections = clean_files(raw_frame({"a.txt": ARTICLE}), NOW)
    kinds = kinds_of(sections)
    assert kinds["Home | News | Sport | Weather"] == "boilerplate"
    assert kinds["Harbour authority approves dredging plan for Port Wenlow"] == "title"
    assert kinds["Cranes stand idle at the western quay. Photo: Ada Brum / Wenlow Post"] == "caption"
    assert kinds["May 12, 2025"] == "date"
    assert kinds["By Tomas Reyl"] == "byline"
    assert kinds["Ines Varga contributed reporting from Wenlow."] == "credit"
    assert kinds["Share this story"] == "boilerplate"
    assert kinds["© 2025 Wenlow Post"] == "boilerplate"
    assert kinds['"We listened," said the authority\'s chair, Mirela Osk.'] == "body"  # short quote stays
    article = articles.row(0, named=True)
    assert article["title"].startswith("Harbour authority") and article["dateline"] == "WENLOW"
    assert article["publisher"] == "Wenlow Post" and article["copyright_year"] == 2025
    assert article["body"].count("\n\n") == 4  # five body paragraphs


def test_blog_bylines_breadcrumbs_and_reader_comments_are_not_the_article():
    text = (
        "You are here: Home > Community > Gardens\n\nOrchard Lane gardeners win county prize\n\n"
        "Updated 07:15, 3 September 2024\n\nWords by Pelham Ostry\n\n"
        "The allotment society on Orchard Lane has won the county's community garden prize for the first time, "
        "beating eleven other groups after judges praised its shared compost scheme and the raised beds it built "
        "for members who use wheelchairs.\n\n"
        "Society secretary Ruth Gamlin said the £500 prize would pay for a new water butt and a shed roof, and "
        "that the members would celebrate with a harvest supper in the village hall next month.\n\n"
        "Tagged: gardens, allotments, prizes\n\nMabel from Church Street says:\n\n5 September 2024 at 08:12\n\n"
        "Well done all, the beans this year were the best I have seen on that lane.\n\n"
        "Lucky Player says:\n\nClaim 200 free spins now at spinhouse-bonus.example, new customers only, bet £10 "
        "get £40 in free bets today!\n"
    )
    kinds = kinds_in({"b.txt": text})
    assert kinds["You are here: Home > Community > Gardens"] == kinds["Tagged: gardens, allotments, prizes"] == "boilerplate"
    assert kinds["Updated 07:15, 3 September 2024"] == "date"
    assert kinds["Words by Pelham Ostry"] == "byline"
    assert kinds["Mabel from Church Street says:"] == kinds["5 September 2024 at 08:12"] == "boilerplate"
    assert kinds["Well done all, the beans this year were the best I have seen on that lane."] == "boilerplate"
    assert kinds["Claim 200 free spins now at spinhouse-bonus.example, new customers only, bet £10 get £40 in free bets today!"] == "spam"
    assert sum(1 for k in kinds.values() if k == "body") == 2


def test_pasted_advert_is_rejected_as_spam_with_its_headline():
    sections, articles, rejections = clean_files(raw_frame({"a.txt": ARTICLE}), NOW)
    spam = sections.filter(pl.col("kind") == "spam")["text"].to_list()
    assert spam[0] == "Best Price Guarantee On Garden Furniture Sets"
    assert spam[1].startswith("SPRINGFIELD / NewsLink")
    assert "garden" not in articles["body"].item().lower()
    assert rejections["reason"].to_list() == ["spam", "spam"]
    assert all(d.startswith("spam_score") for d in rejections["detail"])
    assert rejections["section_ordinal"].null_count() == 0


def test_business_news_with_figures_is_not_spam():
    text = (
        "Kelvar Foods lifts profit forecast\n\n"
        "Kelvar Foods raised its profit forecast on Thursday after sales rose 14% to $2.1 billion in the second quarter.\n\n"
        "Chief executive Dana Moor said the company would open four plants and hire 900 people. "
        "\"Demand has been stronger than we planned for,\" she told analysts.\n\n"
        "Shares rose 6% to $41.20. Analysts at two banks raised their price targets to $45 and $48.\n\n"
        "The company said margins would narrow as grain costs rose, and it kept its dividend at 30 cents a share.\n"
    )
    sections, _, rejections = clean_files(raw_frame({"b.txt": text}), NOW)
    assert rejections.height == 0
    assert (sections["kind"] == "body").sum() == 4


def test_keyword_stuffed_ad_copy_naming_the_towns_of_the_article_is_spam():
    """Search-engine copy borrows the article's place names, so topic overlap cannot redeem it."""
    text = (
        "Dorrow Vale opens new library\n\n"
        "Dorrow Vale opened its new library on Saturday in the old corn exchange, the town council said.\n\n"
        "Cheap removals Dorrow Vale, removals near me, best removals prices Dorrow Vale, cheap man and van Dorrow Vale, "
        "same day removals Dorrow Vale, cheap storage near me.\n\n"
        "The library holds 40,000 books and a reading room for the town's archive, the council said.\n"
    )
    sections, articles, rejections = clean_files(raw_frame({"c.txt": text}), NOW)
    spam = sections.filter(pl.col("kind") == "spam")
    assert spam["text"].to_list() == [text.split("\n\n")[2]] and spam["rule_score"].item() == 1.0
    assert "corn exchange" in articles["body"].item() and "archive" in articles["body"].item()


def test_promotion_before_the_first_or_after_the_last_plain_paragraph_is_spam():
    """An app pitch pasted above the article and an affiliate line below it are not where the article
    begins or ends, and share nothing with its lead; the article's own paragraphs stay."""
    text = (
        "Ferry to Orsay island resumes after winter refit\n\n"
        "Get every story first: download the Harrowgate Daily app free from the App Store or Google Play today!\n\n"
        "Posted by Elsa Marrin\n\n"
        "The ferry between Harrowgate and Orsay island resumed sailings on Saturday after a four-month refit "
        "that replaced its engines and widened the car deck.\n\n"
        "The island's 900 residents had relied on a smaller passenger boat since November, and hauliers had "
        "to wait for calm days to move livestock to the mainland.\n\n"
        "The operator said the ferry would keep its winter timetable of four crossings a day until April.\n\n"
        "Best waterproof jackets of the year, tested by our reviewers (we may earn a commission on purchases)\n"
    )
    sections, articles, _ = clean_files(raw_frame({"d.txt": text}), NOW)
    kinds = kinds_of(sections)
    blocks = text.strip().split("\n\n")
    assert kinds[blocks[0]] == "title" and kinds[blocks[2]] == "byline"
    assert kinds[blocks[1]] == "spam" and kinds[blocks[-1]] == "spam"
    assert [kinds[b] for b in blocks[3:6]] == ["body"] * 3
    assert "App Store" not in articles["body"].item() and "commission" not in articles["body"].item()


def test_a_press_release_closing_boilerplate_is_promotional():
    from assets.clean import promo_signals

    assert promo_signals("About Harlen Robotics: Founded in 2009, Harlen Robotics makes warehouse arms and employs 800 people.") >= 0.75
    assert promo_signals("About 800 people work at the plant, which opened in 2009.") == 0


def test_jsonl_bad_record_is_rejected_and_the_rest_kept():
    good = {"title": "Bridge reopens", "date": "2025-03-03", "url": "https://example.org/2025/03/03/bridge",
            "text": "The Alder bridge reopened on Monday after repairs.\n\nTraffic was light."}
    lines = [json.dumps(good), "{not json", json.dumps({"title": "no text"}), json.dumps(good | {"title": "Second"})]
    sections, articles, rejections = clean_files(raw_frame({"feed.jsonl": "\n".join(lines)}), NOW)
    assert articles["title"].to_list() == ["Bridge reopens", "Second"]
    assert sorted(rejections["detail"].str.slice(0, 6).to_list()) == ["line 2", "line 3"]
    assert set(rejections["reason"]) == {"bad_jsonl_record"}
    assert articles["meta_date"].to_list() == ["2025-03-03", "2025-03-03"]


def test_html_main_text_chrome_and_metadata():
    html = """<html><head><title>Tram line opens | Vale Courier</title>
    <meta property="og:site_name" content="Vale Courier">
    <meta property="article:published_time" content="2025-04-02T08:00:00Z">
    <link rel="canonical" href="https://valecourier.example/2025/04/02/tram-line-opens/"></head>
    <body><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
    <article><h1>Tram line opens</h1>
    <p>The first trams ran on the new eastern line on Wednesday, linking the station with the hospital.</p>
    <p>The city council said about 9,000 people a day are expected to use the line in its first year.</p>
    <p>Drivers were told to expect delays at two junctions while the signals are adjusted this month.</p>
    </article><footer><p>© 2025 Vale Courier</p></footer></body></html>"""
    sections, articles, _ = clean_files(raw_frame({"page.html": html}), NOW)
    kinds = kinds_of(sections)
    assert kinds["Home"] == "boilerplate" and kinds["News"] == "boilerplate"
    assert (sections["kind"] == "body").sum() == 3
    article = articles.row(0, named=True)
    assert article["publisher"] == "Vale Courier"
    assert article["source_url"].endswith("/2025/04/02/tram-line-opens/")
    assert article["meta_date"] == "2025-04-02"


def test_hard_wrapped_wire_copy_becomes_one_paragraph():
    wrapped = ("The council voted on Tuesday to close the old market hall\n"
               "for eighteen months of repairs, after engineers found that\n"
               "the roof beams had rotted through in several places.\n\n"
               "Traders will move to a temporary site by the river.\n")
    assert split_text_blocks(wrapped) == [
        "The council voted on Tuesday to close the old market hall for eighteen months of repairs, after engineers "
        "found that the roof beams had rotted through in several places.",
        "Traders will move to a temporary site by the river."]


def test_a_wrapped_line_of_names_joins_the_rest_of_its_sentence():
    wrapped = ("NORTHBY, March 4 (Corvane Wire) - Chief Inspector Mara Okonedo of\n"
               "Northby Police said on Monday that the stolen tractors had been\n"
               "found on a farm near the coast, and that two men had been arrested.\n\n"
               "Detective Sergeant Tomas Varga of Northby Police's Rural Crime\n"
               "unit said the tractors were worth about 90,000 pounds in all.\n")
    assert len(split_text_blocks(wrapped)) == 2


def test_a_title_longer_than_the_wrap_width_does_not_set_it():
    title = "Northby crews dominate county regatta as the home eight stun the favourites"
    paragraph = ("NORTHBY, Aug 31 (Corvane Wire) - Northby Rowing Club won five\n"
                 "of the eight senior finals at the County Rowing Regatta on\n"
                 "Sunday, but the loudest cheer of the day was for the crew of\n"
                 "the home club's eight, who won the last race by two seconds.\n\n"
                 "The club had not won the senior eight at its own regatta for\n"
                 "eleven years, and led from the start in a strong tailwind.\n")
    assert len(split_text_blocks(title + "\n\n" + paragraph)) == 3


def test_a_dateline_line_wrapped_short_joins_its_paragraph_and_a_slashed_date_line_dates():
    wire = ("Ferry fares to rise in spring\n"
            "March 3, 2025 / 07:40 GMT\n\n"
            "KELLSTON, March 3 (Corvane Wire) - Passengers on the Kellston\n"
            "Island crossing will pay about a tenth more from April, the ferry\n"
            "operator said on Monday, blaming the cost of fuel and new crew.\n\n"
            "The operator said season tickets bought before April would keep\n"
            "their old price, and that the winter timetable would not change.\n")
    sections, articles, _ = clean_files(raw_frame({"w.txt": wire}), NOW)
    kinds = kinds_of(sections)
    assert kinds["Ferry fares to rise in spring"] == "title" and kinds["March 3, 2025 / 07:40 GMT"] == "date"
    assert sections.filter(pl.col("kind") == "body").height == 2


def test_a_sites_own_newsletter_box_is_page_chrome_and_another_organisations_is_spam():
    article = ("Harnby Gazette\n\nHarnby ferry timetable cut for winter\n\n"
               "The Harnby ferry will sail four times a day instead of six from November, the operator said on "
               "Thursday, blaming a shortage of deck crew and the rising cost of fuel over the past year.\n\n"
               "Islanders said the early last sailing would make it hard to get home from evening shifts on the "
               "mainland, and the community council has asked for a meeting with the operator next week.\n\n"
               "{insert}\n\n© 2025 Harnby Gazette. All rights reserved.\n")
    own = "Get the Harnby Gazette morning briefing in your inbox - sign up"
    own_possessive = "Get the Gazette's morning briefing in your inbox - sign up"
    other = "Get the Coastal Anglers Weekly in your inbox every Friday - sign up at anglersweekly.example"
    assert kinds_in({"a.txt": article.format(insert=own)})[own] == "boilerplate"
    assert kinds_in({"c.txt": article.format(insert=own_possessive)})[own_possessive] == "boilerplate"
    assert kinds_in({"b.txt": article.format(insert=other)})[other] == "spam"


def test_encodings_are_decoded_and_mojibake_repaired():
    assert decode_bytes("Café in Zürich".encode("cp1252"))[0] == "Café in Zürich"
    assert decode_bytes("Café".encode("utf-16"))[0] == "Café"
    assert decode_bytes("naÃ¯ve cafÃ©".encode("utf-8"))[0] == "naïve café"
    assert decode_bytes("“quoted”".encode())[0] == "“quoted”"  # curly quotes kept as written


def test_phone_numbers_in_national_and_international_shapes_are_contact_signals():
    from assets.clean import PHONE

    for text in ("Ring 0161 496 0712 today", "call 01632 960 533", "+44 20 7946 0958", "(555) 123-4567", "555.123.4567"):
        assert PHONE.search(text), text
    for text in ("the 2019 300 metre final", "won 3-1 in 2024", "a population of 1 200 000", "routes 0 and 12"):
        assert not PHONE.search(text), text


RIVER_FESTIVAL = (
    "Lanthorn river festival draws record crowds\n\n"
    "More than 12,000 people came to the Lanthorn river festival on Sunday, the organisers said, the most since it began in 1994.\n\n"
    "Rowing crews from eleven clubs raced the two-mile course, and the town band played on the old quay until dark.\n\n"
    "{insert}\n\n"
    "The organisers said next year's festival would add a second day of races.\n"
)


def test_search_engine_anchor_lines_one_per_line_are_spam():
    anchors = "cheap flights lanthorn\nbest river cruises deals\nholiday cottages near me\nbuy rowing machine online"
    sections, articles, _ = clean_files(raw_frame({"e.txt": RIVER_FESTIVAL.format(insert=anchors.replace("\n", "\n\n"))}), NOW)
    kinds = kinds_of(sections)
    assert [kinds[line] for line in anchors.splitlines()] == ["spam"] * 4
    assert "cottages" not in articles["body"].item() and "town band" in articles["body"].item()


def test_a_capitalised_list_in_the_article_is_not_anchor_spam():
    winners = "Best crew: Lanthorn Rowing Club\nBest newcomer: Ada Fenwick\nBest float: Quay Street traders"
    sections, _, rejections = clean_files(raw_frame({"f.txt": RIVER_FESTIVAL.format(insert=winners.replace("\n", "\n\n"))}), NOW)
    assert rejections.height == 0
    assert all(kinds_of(sections)[line] != "spam" for line in winners.splitlines())


def test_seller_terms_are_calls_to_action():
    from assets.clean import promo_signals

    assert promo_signals("Oak dining tables from 349 pounds, five-year guarantee, delivery within three days.") >= 1.0
    assert promo_signals("The bakery guarantees a loaf for every customer who queues before nine, its owner said.") == 0


def test_a_pasted_release_is_spam_from_its_headline_to_its_contact_block_and_an_on_topic_paragraph_between_ads_stays():
    release = (
        "Corbel Sensors Wins Approval for Clip-On Water Quality Probe\n\n"
        "DENVER, May 2, 2025 /TechWire Newsroom/ -- Corbel Sensors Inc. today announced approval of its ClearTrace "
        "clip-on probe, which measures nitrate and phosphate levels in flowing water every ten minutes.\n\n"
        "Trials on four rivers found readings within two percent of laboratory samples over six months of use.\n\n"
        "\"Field teams should not have to carry bottles back to a lab,\" said Nadia Perrault, chief technology officer of Corbel.\n\n"
        "About Corbel Sensors: Corbel Sensors Inc. builds environmental sensors and is based in Denver. Visit www.corbel-sensors.test.\n\n"
        "Media contact: press@corbel-sensors.test"
    )
    text = (
        "Anglers report fewer trout in upper Wenn\n\n"
        "WENNFORD — Anglers on the upper Wenn say trout numbers have fallen sharply this spring, and the river trust "
        "has asked the water company to explain a run of sewage overflows near Wennford.\n\n"
        "The trust counted 40 percent fewer trout at its survey pools than last year, its director Halvard Penn said.\n\n"
        "The water company said it was investigating and would publish its overflow records for the upper Wenn.\n\n"
        + release + "\n"
    )
    sections, articles, _ = clean_files(raw_frame({"g.txt": text}), NOW)
    kinds = kinds_of(sections)
    assert [kinds[b] for b in release.split("\n\n")] == ["spam"] * 6
    assert "Halvard Penn" in articles["body"].item() and "ClearTrace" not in articles["body"].item()

    ads = ("Garden sheds from 199 pounds! Call 0161 555 0199 today for a free quote and free delivery.",
           "Cheapest car insurance online! Visit www.insure-now.test and save 30% off today, limited time only.")
    on_topic = "The trust said its volunteers would count the trout at the survey pools again in September."
    sections, articles, _ = clean_files(raw_frame({"h.txt": text.replace(release, f"{ads[0]}\n\n{on_topic}\n\n{ads[1]}")}), NOW)
    kinds = kinds_of(sections)
    assert kinds[ads[0]] == kinds[ads[1]] == "spam" and kinds[on_topic] == "body"


def test_a_public_service_contact_is_reported_not_sold():
    from assets.clean import promo_signals

    helpline = "Residents can report blocked drains to the council on 0300 555 0142, the council said."
    advert = "Blocked drains? Call Drainfast on 0300 555 0142 for a free quote, same day service."
    assert promo_signals(helpline) < promo_signals(advert)
    assert promo_signals(helpline) <= 0.25 and promo_signals(advert) >= 1.0
    text = RIVER_FESTIVAL.format(insert="Riverside parking is free on festival days; the council answers questions on 0300 555 0142.")
    _, _, rejections = clean_files(raw_frame({"i.txt": text}), NOW)
    assert rejections.height == 0


def test_contact_details_told_to_the_people_a_story_concerns_are_reported_not_sold():
    from assets.clean import promo_signals

    recall = ("Customers who cannot take the heater back to a shop can arrange a free collection by calling 0808 555 0342, "
              "open 8am to 8pm, or by filling in the form at glowbright.test/recall.")
    advert = "Cold snap coming? Get a Glowbright oil heater for just £49 - call 0808 555 0342 or order at glowbright.test today."
    assert promo_signals(recall) <= 0.5 < 1.0 <= promo_signals(advert)


def test_an_appeal_in_someones_own_words_is_not_spam_even_off_the_leads_topic():
    appeal = ("\"Anyone who lost a wallet or a phone near the bandstand should ring our property desk on 0300 555 0199, "
              "or drop in to the harbour office before Friday,\" said Sergeant Ada Pellow.")
    sections, _, rejections = clean_files(raw_frame({"q.txt": RIVER_FESTIVAL.format(insert=appeal)}), NOW)
    assert kinds_of(sections)[appeal] == "body" and rejections.height == 0


def test_a_quote_after_a_pasted_advert_is_still_the_article():
    advert = "Lanthorn riverside apartments - sleeps 4, balcony views, from 80 pounds a night. Book direct: riverstays.test or call 01632 960 872."
    quote = "Rowing club captain Ines Marrow said the course had \"never looked better\"."
    text = RIVER_FESTIVAL.format(insert=advert).replace("The organisers said next year's festival would add a second day of races.\n", quote + "\n")
    sections, articles, _ = clean_files(raw_frame({"j.txt": text}), NOW)
    kinds = kinds_of(sections)
    assert kinds[advert] == "spam" and kinds[quote] == "body"
    assert "never looked better" in articles["body"].item()


def test_a_bare_host_name_and_a_promo_code_are_promotional_but_a_file_name_is_not():
    from assets.clean import URL, promo_signals

    assert URL.findall("visit cheap-ferry-tickets.shop and book") == ["cheap-ferry-tickets.shop"]
    assert not URL.findall("the minutes are in council-minutes.pdf, the U.S. and e.g. a.m. 3.5bn")
    assert promo_signals("Loved this article! I buy all my rowing kit at oarshop.online, use my code LANT15 for a discount.") >= 0.75


GUARD_PROBES = [
    "see http://localhost:8080/menu", "HTTPS://Example.test/Path", "www.123.test", "WWW.LANTHORN.TEST", "visit ferries.co today",
    "Rowers.Org and oarshop.online", "mail jo.bell@lanthorn.test now", "jo@host", "the U.S. and e.g. a.m.", "3.5bn and 04.09.2021",
    "Photos by Jo Bell", "story  by  Ana Ruiz", "Lanthorn \u00b7 4 min read", "a 12 minutes read", "nothing to see here.", "",
]


@pytest.mark.parametrize("name", ["URL", "EMAIL", "TRAILING_AUTHOR"])
def test_a_guarded_pattern_finds_exactly_what_its_pattern_finds(name):
    import assets.clean as clean

    guarded = getattr(clean, name)
    for text in GUARD_PROBES:
        assert guarded.findall(text) == guarded.pattern.findall(text), text
        assert bool(guarded.search(text)) == bool(guarded.pattern.search(text)), text
        assert guarded.sub("_", text) == guarded.pattern.sub("_", text), text


def test_comment_spam_is_rejected_with_its_name_line_and_real_comments_are_page_chrome():
    comments = ("3 responses to \"Lanthorn river festival\"\n\nMaggie R\n\nWhat a day, the band was the best part.\n\n"
                "EssayPro Helper\n\n12 June 2025 at 3:04 am\n\n"
                "Nice post, really helpful! Anyone who needs cheap essays fast should visit essay-mill.online "
                "and use my code RIVER20 at checkout.\n\nTom from Quay Street\n\nWill the races be shown online next year?")
    sections, articles, rejections = clean_files(raw_frame({"c.txt": RIVER_FESTIVAL.format(insert="") + "\n" + comments}), NOW)
    kinds = kinds_of(sections)
    assert [kinds[t] for t in ("EssayPro Helper", "12 June 2025 at 3:04 am")] == ["spam", "spam"]
    assert [k for t, k in kinds.items() if "essay" in t] == ["spam"]
    assert {kinds[t] for t in ("Maggie R", "What a day, the band was the best part.", "Tom from Quay Street",
                               "Will the races be shown online next year?")} == {"boilerplate"}
    assert "band was the best part" not in articles["body"].item() and "town band" in articles["body"].item()


@pytest.mark.parametrize("line", ["Posted on 4 September 2024 by Ruth Ambler", "Posted by Ruth Ambler on Wednesday 4 September 2024",
                                  "By Ruth Ambler | 4 Sep 2024", "Date of publication: 04/09/2024",
                                  "Posted on the 4th of September, 2024 by Ruth Ambler", "September 4, 2024 · 6 min read",
                                  "Ruth Ambler · Sep 4, 2024 · 3 min read", "News | Lanthorn | 04-09-2024 08:15", "4. Sep 2024, 08:15"])
def test_a_date_line_naming_its_author_or_labelled_dates_the_article(line):
    text = f"Lanthorn quay reopens\n\n{line}\n\n" + RIVER_FESTIVAL.format(insert="")
    sections, articles, _ = clean_files(raw_frame({"d.txt": text}), NOW)
    assert kinds_of(sections)[line] == "date"
    assert articles["date_lines"].item().to_list() == [line]
    assert "Ruth Ambler" not in articles["body"].item()


def test_committed_spam_lexicon_is_the_one_the_tune_labels_give():
    """`make train` was run after the last label change (the clean stage reads the committed file)."""
    import json

    from assets.clean import LEXICON_FILE
    from pipelines.train_spam import LABELS, learn, tune_lines

    assert json.loads(LEXICON_FILE.read_text())["log_odds"] == learn(tune_lines(json.loads(LABELS.read_text())["articles"]))


def test_committed_spam_model_was_fitted_on_the_current_tune_labels_and_features():
    """`make train` was run after the last label change, and the model reads the features the clean stage computes."""
    import json

    from assets.spam_model import FEATURES, MODEL_INFO_FILE, shipped_model
    from pipelines.train_spam import LABELS, tune_digest

    info = json.loads(MODEL_INFO_FILE.read_text())
    assert info["tune_labels"] == tune_digest(json.loads(LABELS.read_text())["articles"])
    assert tuple(info["features"]) == FEATURES == tuple(shipped_model().feature_name())


def test_the_spam_model_catches_an_on_topic_advert_the_rules_score_low():
    """A shop's pitch that borrows the story's street and subject: the rules' evidence is weak (no address, no
    phone), the learned model over their features calls it; the rules' score stays beside the model's."""
    from assets.spam_model import model_in_use

    pitch = ("Ready to ride? Pedal Point on Quay Road has every kids' bike half price this month, with a free helmet "
             "fitting for every young rider - pop in and get your little one rolling safely to school!")
    text = ("Brackwater council approves new cycle lanes on Quay Road\n\nBy Tamsin Orle\n\n"
            "Brackwater's council voted on Tuesday to paint protected cycle lanes along the length of Quay Road, after two "
            "years of complaints from parents whose children ride to the harbour school.\n\n"
            "The scheme will cost about 180,000 pounds and should be finished before the spring term, the council's "
            "transport officer told the meeting.\n\n"
            "Councillor Ravi Dunmore, who proposed the lanes, said the road had seen eleven collisions involving bikes since 2023.\n\n"
            f"{pitch}\n\n"
            "Shop owners along the road had asked for loading bays to stay, and the plan keeps four of them between the "
            "bakery and the post office.\n\nWork starts on 3 March and the road will stay open to cars during the works.\n")
    sections, articles, rejections = clean_files(raw_frame({"lanes.txt": text}), NOW)
    row = sections.filter(pl.col("text") == pitch).row(0, named=True)
    assert (row["kind"], row["rule"]) == ("spam", "spam_model") and row["rule_score"] < 0.5 < row["spam_score"]
    assert pitch not in articles["body"].item() and "loading bays" in articles["body"].item()
    assert rejections.filter(pl.col("section_ordinal") == row["ordinal"])["detail"].item().startswith(
        f"spam_score {row['spam_score']} > 0.5 (spam_model; rules' score {row['rule_score']}:")
    with model_in_use(None):  # the rules alone keep it, as `make train` sees them
        alone, _, _ = clean_files(raw_frame({"lanes.txt": text}), NOW)
    assert alone.filter(pl.col("text") == pitch)["kind"].item() == "body"
    assert alone["spam_score"].to_list() == alone["rule_score"].to_list()


def test_lexicon_does_not_learn_a_spam_comments_name_and_time_line():
    from assets.clean import lexical_evidence
    from pipelines.train_spam import tune_lines

    stamped = ["QuickCashUK · 3 hours ago", "Dating Expert Sam - 22 September 2025 at 11:02", "LovelyLadies Match says:"]
    pitch = "Earn 500 pounds a day from home, message me now!"
    articles = {"tune/a.txt": {"split": "tune", "lines": {**dict.fromkeys(stamped, "spam"), pitch: "spam", "Well rowed all.": "body"}}}
    assert {line for _, line, _ in tune_lines(articles)} == {pitch, "Well rowed all."}
    # so the committed lexicon gives a genuine comment's name and time line no spam evidence
    assert lexical_evidence("Maura (Quay Street) · 2 hours ago") == 0


def test_lexicon_learns_the_language_of_adverts_not_the_names_in_one_article():
    from assets.clean import lexical_evidence, lexicon_in_use
    from pipelines.train_spam import learn

    lines = [(f"a{i}", f"Grab your exclusive discount today and save big on Quillbrook kettles {i}", True) for i in range(2)]
    lines += [(f"b{i}", "Hurry, order today and save big with your exclusive member discount", True) for i in range(3)]
    lines += [(f"c{i}", "The council said the bridge would reopen in spring after repairs to the deck", False) for i in range(4)]
    lexicon = learn(lines)
    assert "quillbrook" not in lexicon  # two articles only: a name, not the language of adverts
    assert lexicon["save big"] > 0 > lexicon["the council"]
    # and the committed lexicon tells an advert it has never seen from a news paragraph
    advert = "Treat yourself this weekend: save big on garden furniture with free delivery, order online today"
    news = "Residents told the inquiry that the flooding had been made worse by a blocked culvert under the road"
    assert lexical_evidence(advert) > 0 == lexical_evidence(news)
    with lexicon_in_use({}):  # how cross-validation cleans a fold without the lexicon learned from it
        assert lexical_evidence(advert) == 0
    assert lexical_evidence(advert) > 0


def test_cross_validation_folds_are_fixed_by_article_name():
    """The same article lands in the same fold in every process (out-of-fold figures stay comparable)."""
    import subprocess
    import sys
    from pathlib import Path

    from pipelines.train_spam import FOLDS, fold_of

    keys = [f"tune/{i:03d}-story.txt" for i in range(200)]
    code = f"from pipelines.train_spam import fold_of; print([fold_of(k) for k in {keys!r}])"
    elsewhere = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                               env={"PYTHONHASHSEED": "7"}, cwd=Path(__file__).parents[1]).stdout
    assert elsewhere.strip() == str([fold_of(k) for k in keys])
    assert max(map([fold_of(k) for k in keys].count, range(FOLDS))) < 2 * len(keys) / FOLDS


def test_a_results_table_beside_a_betting_advert_stays_the_article():
    table = ("League table (top four)\nPos Team P W D L Pts\n1 Lanthorn Rovers 18 12 4 2 40\n"
             "2 Quayside Athletic 18 11 5 2 38\n3 Millbank Town 18 9 3 6 30\n4 Harbour Wanderers 18 7 6 5 27")
    advert = "Back Lanthorn Rovers to win the league at 3/1 with BetQuay - new customers get £20 in free bets, 18+, T&Cs apply."
    insert = f"{table}\n\n{advert}"
    sections, articles, _ = clean_files(raw_frame({"t.txt": RIVER_FESTIVAL.format(insert=insert)}), NOW)
    kinds = kinds_of(sections)
    assert [kinds[row] for row in table.splitlines()] == ["body"] * 6
    assert kinds[advert] == "spam" and "Millbank Town" in articles["body"].item()


def test_the_contact_line_of_an_organisation_the_article_is_about_is_reported_not_sold():
    recall = ("Brightfold recalls heated blankets after overheating reports\n\n"
              "The homeware chain Brightfold has recalled 9,000 heated blankets after customers reported scorch marks on the fabric.\n\n"
              "Brightfold said the fault lay in a batch of controllers made in March, and that no one had been hurt.\n\n"
              "Trading standards officers said owners should stop using the blankets and unplug them at once.\n\n"
              "{insert}\n\n"
              "It is the chain's second recall this year.\n")
    recall_line = "Anyone who cannot get to a shop can call Brightfold's free recall line on 0800 555 0147, or fill in the form at brightfold.test/recall."
    advert = "Cold nights ahead? SnugNest electric blankets from £29.99, free delivery - order at snugnest.test or call 0800 555 0199."
    kinds = kinds_in({"r.txt": recall.format(insert=recall_line), "s.txt": recall.format(insert=advert)})
    assert kinds[recall_line] == "body" and kinds[advert] == "spam"


def test_share_buttons_part_a_ticket_paragraph_from_the_advert_below_it():
    tickets = "Tickets for the regatta cost £8 for adults and £3 for children, on sale at the quay office or at lanthornregatta.test."
    advert = "Bet on the regatta! New customers at RiverOdds get £30 in free bets - sign up today at riverodds.test."
    text = RIVER_FESTIVAL.format(insert=tickets).replace("The organisers said", f"Share this article\n\n{advert}\n\nThe organisers said")
    kinds = kinds_in({"u.txt": text})
    assert kinds[tickets] == "body" and kinds[advert] == "spam"


def test_a_rejected_section_keeps_the_rule_that_scored_it():
    sections, _, rejections = clean_files(raw_frame({"a.txt": ARTICLE}), NOW)
    spam = sections.filter(pl.col("kind") == "spam")
    assert spam.height == rejections.height == 2
    assert dict(spam.select("text", "rule").iter_rows())["Best Price Guarantee On Garden Furniture Sets"] == "promotional_outside_article"


def test_share_bars_and_the_sites_own_lists_below_an_advert_are_page_chrome_not_spam():
    advert = "Lonely this winter? Thousands of singles near Lanthorn are chatting now - join free at meetnearby.test today!"
    tail = ("Facebook  X  WhatsApp  Copy link\n\n"
            "Partner content\nThe £2 gadget that halves your heating bill\nDoctors stunned by one simple trick\n"
            "More local sport\nLanthorn Rowing Club opens its new boathouse\nQuay bowls clubs agree to merge\n\n"
            "Most read in Sport\nLanthorn Rowing Club names its new head coach\n\n"
            "Sport newsletter\n\nGet the Lanthorn Post weekly sport roundup straight to your inbox\n\nEnter your email\n\n"
            "Your email\nSign me up\n\n"
            "© 2025 Lanthorn Post\n")
    sections, _, _ = clean_files(raw_frame({"c.txt": RIVER_FESTIVAL.format(insert="") + "\n" + advert + "\n\n" + tail}), NOW)
    kind_of = lambda words: next(k for t, k in kinds_of(sections).items() if words in t)  # noqa: E731
    assert kind_of("singles near Lanthorn") == kind_of("£2 gadget") == kind_of("Doctors stunned") == "spam"
    assert kind_of("WhatsApp") == kind_of("sport roundup") == kind_of("Sport newsletter") == kind_of("Enter your") == "boilerplate"
    assert kind_of("Your email") == kind_of("Sign me up") == "boilerplate"
    assert {kind_of("new boathouse"), kind_of("bowls clubs"), kind_of("Most read"), kind_of("head coach")} <= {"body", "boilerplate"}


def test_a_web_pages_list_of_headlines_is_not_joined_as_if_hard_wrapped():
    headlines = ["Lanthorn Rowing Club names its new head coach today", "County cricket: Millbank seal promotion on final day",
                 "Harbour Wanderers sign a striker from across the river"]
    text = ARTICLE.replace("Share this story", "Most read in Sport\n" + "\n".join(headlines))
    assert set(headlines) <= set(split_text_blocks(text))


def test_an_on_topic_paragraph_with_prices_right_above_an_advert_is_not_its_pitch():
    lessons = ("After the festival the rowing clubs on the river run lessons for beginners from the old quay, at £40 for "
               "six Saturday sessions; places can be booked at lanthornrowing.test or by calling 01632 960 412.")
    advert = "Bet on the regatta! New customers at RiverOdds get £30 in free bets - sign up today at riverodds.test."
    text = RIVER_FESTIVAL.format(insert=f"{lessons}\n\n{advert}")
    kinds = kinds_in({"v.txt": text})
    assert kinds[lessons] == "body" and kinds[advert] == "spam"


def test_the_sites_own_address_in_the_last_paragraph_is_not_an_advert():
    own = ("Know of a race we should cover next week? Send results and photos to sport@lanthornpost.test by Monday "
           "at 9am, or bring them to our office at www.lanthornpost.test/sport.")
    other = own.replace("lanthornpost", "raceresultsnow")
    page = RIVER_FESTIVAL.format(insert="") + "\n{insert}\n\n© 2025 Lanthorn Post\n"
    kinds = kinds_in({"o.txt": page.format(insert=own), "p.txt": page.format(insert=other)})
    assert kinds[own] == "body" and kinds[other] == "spam"


def test_a_property_of_the_week_slot_is_an_advert_even_in_the_storys_town():
    slot = ("PROPERTY OF THE WEEK\nRiverside cottage, Quay Lane, Lanthorn - guide price £310,000\n"
            "Two bedrooms, river views, moorings. Viewings with Bell & Quayle, Lanthorn.")
    kinds = kinds_in({"w.txt": RIVER_FESTIVAL.format(insert=slot)})
    assert {kinds[line] for line in slot.splitlines()} == {"spam"}
    assert kinds["The organisers said next year's festival would add a second day of races."] == "body"


def test_a_link_list_that_sells_is_spam_though_it_looks_like_a_menu():
    links = "cheap flights Lanthorn | fast loans online | best VPN deals | dentist Lanthorn"
    kinds = kinds_in({"x.txt": RIVER_FESTIVAL.format(insert=links)})
    assert kinds[links] == "spam"
    assert kinds_in({"a.txt": ARTICLE})["Home | News | Sport | Weather"] == "boilerplate"


def test_a_list_of_the_sites_stories_after_a_pasted_scam_does_not_continue_it():
    scam = ("Dear Customer, your Lanthorn Parcel Post delivery could not be completed due to an unpaid fee of £1.99. "
            "Confirm your details within 24 hours at lpp-redelivery.test or your parcel will be returned.")
    tail = "You might be interested in\nBakery wins county pie award\nBus fares to rise in spring\n"
    rules = "Every comment is read by our team before it appears, so please keep yours civil and on topic."
    text = RIVER_FESTIVAL.format(insert="") + "\n" + scam + "\n\n" + tail + "\n" + rules + "\n\n© 2025 Lanthorn Post\n"
    kinds = kinds_in({"y.txt": text})
    assert kinds[scam] == "spam"
    assert {kinds[line] for line in tail.splitlines()} <= {"body", "boilerplate"}


def test_a_dateline_line_of_its_own_with_a_full_date_is_the_dateline():
    line = "LANTHORN, 4 September 2024 (Rivernews)"
    text = "Lanthorn quay reopens\n" + line + "\n\n" + RIVER_FESTIVAL.format(insert="")
    sections, articles, _ = clean_files(raw_frame({"d.txt": text}), NOW)
    assert kinds_of(sections)[line] == "dateline" and articles["dateline"].item() == line


def test_header_date_lines_in_many_shapes_date_the_article():
    """`data/eval/date_lines.json`: 200 header lines of news sites, blogs, wires, forums and press pages, each
    with the date it states; placed above an article, nearly all must be found and read right."""
    from assets.date import parse_declared

    rows = json.loads((Path(__file__).parents[1] / "data" / "eval" / "date_lines.json").read_text())
    files = {f"{i}.txt": f"Lanthorn quay reopens\n\n{r['line']}\n\n" + RIVER_FESTIVAL.format(insert="") for i, r in enumerate(rows)}
    found = dict(clean_files(raw_frame(files), NOW)[1].select("file_name", "date_lines").iter_rows())
    right = sum(1 for i, r in enumerate(rows) if found[f"{i}.txt"]
                and parse_declared(found[f"{i}.txt"][0]).isoformat() == r["date"])
    assert right / len(rows) >= 0.95


def test_a_footer_pasted_right_under_the_sites_list_of_stories_does_not_take_the_list_with_it():
    stories = ["More from Sport", "Lanthorn Rowing Club names new head coach", "Quay bowls clubs agree to merge"]
    footer = ["You are getting this email because you joined the Fenmoor Anglers mailing list.",
              "To unsubscribe, write to secretary@fenmooranglers.example or reply STOP."]
    text = RIVER_FESTIVAL.format(insert="") + "\nShare this story\n" + "\n".join(stories + footer) + "\n© 2025 Lanthorn Post\n"
    kinds = kinds_in({"z.txt": text})
    assert {kinds[line] for line in stories} <= {"body", "boilerplate"}
    assert {kinds[line] for line in footer} == {"spam"}


def test_a_comment_signed_with_how_long_ago_it_was_posted_is_judged_with_its_text():
    real = ["maggie_r · 2 days ago", "Lovely afternoon by the water, and the band was on form."]
    spam = ["QuickCashLanthorn · 1 day ago", "Need cash fast? Loans from £100 today at quickloans.test - apply now!"]
    text = RIVER_FESTIVAL.format(insert="") + "\n" + "\n\n".join(real + spam) + "\n\n© 2025 Lanthorn Post\n"
    kinds = kinds_in({"k.txt": text})
    assert [kinds[line] for line in real + spam] == ["boilerplate", "boilerplate", "spam", "spam"]


def test_results_after_the_last_paragraph_are_the_articles_data_not_related_links():
    results = ["Final standings after the regatta:", "1. Lanthorn Rowing Club 42 pts", "2. Quayside Oars 37 pts",
               "3. Millbank Scullers 29 pts"]
    related = ["Related stories", "Bakery wins county pie award"]
    text = RIVER_FESTIVAL.format(insert="") + "\n" + "\n".join(results) + "\n\n" + "\n".join(related) + "\n\n© 2025 Lanthorn Post\n"
    kinds = kinds_in({"r.txt": text})
    assert [kinds[line] for line in results] == ["body"] * 4
    assert {kinds[line] for line in related} == {"boilerplate"}


def test_an_inline_list_of_the_sites_related_stories_is_page_chrome():
    line = "Related stories: Rowing club names new head coach | Quay bowls clubs agree to merge"
    kinds = kinds_in({"q.txt": RIVER_FESTIVAL.format(insert="") + "\n" + line + "\n"})
    assert kinds[line] == "boilerplate"


def test_feedback_buttons_moderation_notes_and_a_trading_name_footer_are_page_chrome():
    chrome = ["Was this article helpful? Yes | No", "Comments are moderated. Please keep to our house rules when posting.",
              "Lanthorn Post is a trading name of Quayside Media Group Ltd. © Quayside Media Group Ltd."]
    text = RIVER_FESTIVAL.format(insert="") + "\n" + "\n\n".join(chrome) + "\n"
    kinds = kinds_in({"f.txt": text})
    assert [kinds[line] for line in chrome] == ["boilerplate"] * 3


@pytest.mark.parametrize("marker", ["Advertisement", "SPONSORED", "- Paid partnership -"])
def test_the_label_of_an_ad_slot_goes_with_its_advert_and_an_empty_slot_is_page_chrome(marker):
    advert = "Lonely this winter? Thousands of singles near Lanthorn are chatting now - join free at meetnearby.test today!"
    filled = RIVER_FESTIVAL.format(insert=f"{marker}\n\n{advert}")
    empty = RIVER_FESTIVAL.format(insert=marker)
    sections, _, _ = clean_files(raw_frame({"m.txt": filled, "n.txt": empty}), NOW)
    kinds = dict(sections.select("article_id", "text", "kind").group_by("article_id", maintain_order=True)
                 .agg(pl.struct("text", "kind")).iter_rows())
    filled_kinds, empty_kinds = ({r["text"]: r["kind"] for r in rows} for rows in kinds.values())
    assert filled_kinds[marker] == filled_kinds[advert] == "spam"
    assert empty_kinds[marker] == "boilerplate"


def test_paragraphs_near_the_leads_topic_between_two_adverts_stay_the_article():
    seo = ("River cruise Lanthorn, best cheap river cruise deals Lanthorn, cheap boat hire Lanthorn, book boat trips "
           "Lanthorn now at cruisedeals.test")
    between = ["Volunteers from the sailing school handed out water to children waiting on the quay.",
               "Several stallholders said the crowds were the best they could remember, and two cafes ran out of bread."]
    crypto = "Earn from home with the Bitcoin robot – 1,200 euros per day, no experience needed, register today at coinrobot.test"
    kinds = kinds_in({"b.txt": RIVER_FESTIVAL.format(insert="\n\n".join([seo, *between, crypto]))})
    assert kinds[seo] == kinds[crypto] == "spam"
    assert [kinds[line] for line in between] == ["body", "body"]


def test_the_sites_own_calls_for_news_subscriptions_and_page_tools_are_page_chrome():
    chrome = ["Subscribe from £1.20 a week – home delivery across the valley", "Print this page | Email to a colleague",
              "Send us your news: newsdesk@lanthornpost.test or text 07700 900 215", "Report a problem with this page"]
    text = "Lanthorn Post\n\n" + chrome[0] + "\n\n" + RIVER_FESTIVAL.format(insert="") + "\n" + "\n\n".join(chrome[1:]) + "\n"
    kinds = kinds_in({"s.txt": text})
    assert [kinds[line] for line in chrome] == ["boilerplate"] * 4


def test_the_sites_own_newsletter_box_is_chrome_from_its_heading_to_its_form_however_long_its_pitch():
    box = ["The Post's River Letter",
           "Every Friday our river desk sends a short letter to your inbox: the week's regatta results, tide tables, "
           "readers' questions answered by our rowing correspondent, and the dates of club open days along the valley.",
           "It is free, it is written in the Lanthorn Post newsroom, and you can unsubscribe at the foot of any edition.",
           "Your email address", "Sign me up"]
    other = ["Join 40,000 savvy shoppers who get the DealDrop Weekly digest every Friday: price drops, voucher codes "
             "and flash sales from hundreds of stores, straight to your inbox.", "Your email", "Subscribe free"]
    text = (RIVER_FESTIVAL.format(insert="") + "\nShare this story\n\n" + "\n\n".join(box) + "\n\n© 2025 Lanthorn Post\n")
    kinds = kinds_in({"l.txt": text})
    assert [kinds[line] for line in box] == ["boilerplate"] * 5
    pasted = RIVER_FESTIVAL.format(insert="\n\n".join(other))
    kinds = kinds_in({"k.txt": pasted})
    assert kinds[other[0]] == "spam"


def test_the_sites_own_app_and_email_subscription_are_chrome_but_another_apps_advert_is_spam():
    own = ["Share this post: Facebook | X | WhatsApp | Email", "Get the Lanthorn Post on your phone – download our free app",
           "Never miss a race: subscribe to Lanthorn Post Rowing by email"]
    advert = "Lose weight fast! Download the SlimQuick app for meal plans and 50% off your first month – free on iPhone and Android."
    text = RIVER_FESTIVAL.format(insert=advert) + "\n" + "\n\n".join(own) + "\n\n© 2025 Lanthorn Post\n"
    kinds = kinds_in({"a.txt": text})
    assert [kinds[line] for line in own] == ["boilerplate"] * 3 and kinds[advert] == "spam"


def test_the_sites_own_reader_holidays_are_page_chrome_but_a_travel_firms_holiday_advert_is_spam():
    own = ["POST READER HOLIDAYS", "Lake Orta and the Alps - 7 nights from £1,095pp with flights and half board. "
           "Exclusive to Post readers - call 01632 960 214 or visit lanthornpost.test/holidays", "See all reader offers"]
    advert = "Sun-soaked Madeira from £399pp - book direct with SunnyIsle Travel at sunnyisle.test and save £50 with code MAD50."
    text = ("Skip to content\nlanthornpost.test\n\n" + RIVER_FESTIVAL.format(insert=advert) + "\n" + "\n\n".join(own)
            + "\n\n© Lanthorn Post. All rights reserved.\n")
    kinds = kinds_in({"h.txt": text})
    assert [kinds[line] for line in own] == ["boilerplate"] * 3 and kinds[advert] == "spam"


def test_the_writer_speaking_for_themself_right_under_an_advert_does_not_continue_it():
    post = ("Why I finally switched my energy supplier\n\nPosted by Moira Keld\n\n"
            "After eleven years with the same supplier I finally moved our household account last month, and the saving "
            "was bigger than I expected.\n\nThe whole switch took nine days. The new supplier read the meter, the old one sent "
            "a final bill, and there was no gap in supply at all.\n\n{advert}\n\n{aside}\n\n"
            "My advice is simple: check your tariff once a year, and ask for the cheaper one in writing.\n")
    advert = "Cut your energy bills today! Compare 40 suppliers in two minutes at switchzoom.test – click here, exclusive deals end Friday!"
    for aside in ("I never click those, and neither should you.", "Sound familiar? I see one almost every day."):
        kinds = kinds_in({"b.txt": post.format(advert=advert, aside=aside)})
        assert kinds[advert] == "spam" and kinds[aside] == "body", aside


def test_a_related_story_about_a_lottery_grant_is_page_chrome_but_a_lottery_win_letter_is_spam():
    related = ["Related stories", "Harbour steps repaired after winter storms",
               "Old lido reopening gets lottery grant of £90,000", "Quay market moves to Sundays"]
    letter = ("Dear Winner, your email address was selected in our international lottery draw and has won 850,000 euros. "
              "Reply urgently to claims@lucky-draw.test with your bank account details.")
    text = (RIVER_FESTIVAL.format(insert="The rowing club thanked the volunteers who marshalled the course.") + "\n"
            + "\n".join(related) + "\n\n© 2025 Lanthorn Post. All rights reserved.\n")
    kinds = kinds_in({"r.txt": text, "s.txt": RIVER_FESTIVAL.format(insert=letter)})
    assert [kinds[line] for line in related] == ["boilerplate"] * 4 and kinds[letter] == "spam"


def test_a_list_under_two_stacked_headings_is_judged_as_one_advertised_list():
    widget = ["Around the web", "Sponsored", "Lanthorn river festival crowds swear by this little-known rowing trick - see why",
              "Rowing crews on the Lanthorn river hate this one simple trick",
              "Festival crowds in Lanthorn are snapping up river cruises at 80% off"]
    kinds = kinds_in({"w.txt": RIVER_FESTIVAL.format(insert="\n".join(widget))})
    assert kinds[widget[0]] == "spam" and all(kinds[line] == "spam" for line in widget[2:])


def test_a_pasted_letters_own_date_line_is_spam_and_does_not_date_the_article():
    from assets.date import date_articles

    letter = ["Date: 3 March 2031",
              "Dear Beneficiary, a late client of my chambers left the sum of 6.2 million pounds with no next of kin. "
              "Reply urgently with your bank account details to claim your share."]
    text = ("Lanthorn river festival draws record crowds\n\nPublished 8 May 2025\n\n"
            + RIVER_FESTIVAL.split("\n\n", 1)[1].format(insert="\n".join(letter)))
    sections, articles, _ = clean_files(raw_frame({"l.txt": text}), NOW)
    kinds = kinds_of(sections)
    assert [kinds[line] for line in letter] == ["spam"] * 2
    dated, rejected = date_articles(articles, sections, NOW)
    assert dated["declared_date"].item().isoformat() == "2025-05-08" and rejected.height == 0


def test_a_paywall_prompt_is_the_sites_own_page_chrome():
    prompt = "Already a subscriber? Log in to read this story in full. Not yet? Get the Post digital for 99p for your first month."
    kinds = kinds_in({"p.txt": RIVER_FESTIVAL.format(insert="The rowing club thanked the volunteers.") + "\n" + prompt + "\n"})
    assert kinds[prompt] == "boilerplate"


def test_a_longer_app_pitch_naming_the_site_is_its_own_page_chrome():
    own = ("Want the Post in your pocket? Download the Lanthorn Post app for breaking news, race results and weather "
           "alerts from the river – free on iPhone and Android.")
    advert = "Lose weight fast! Download the SlimQuick app for meal plans and 50% off your first month – free on iPhone and Android."
    text = RIVER_FESTIVAL.format(insert=advert) + "\n" + own + "\n\n© 2025 Lanthorn Post\n"
    kinds = kinds_in({"a.txt": text})
    assert kinds[own] == "boilerplate" and kinds[advert] == "spam"


def test_a_site_named_by_its_bare_domain_is_known_by_its_name_not_by_the_domain_ending():
    from assets.clean import _site_words, documents_from_text, structural_kind

    doc = documents_from_text("x", "lanthornpost.com\n\n" + RIVER_FESTIVAL.format(insert=""))[0]
    for b in doc.blocks:
        b.kind, b.rule = structural_kind(b.text)
    assert _site_words(doc.blocks) == {"lanthornpost"}


@pytest.mark.parametrize("headline", ["Lanthorn Audio unveils £89 earbuds as it moves beyond home speakers",
                                      "Budget airline offers Lanthorn flights from £29 with free bags"])
def test_a_headline_giving_a_price_is_the_title(headline):
    text = (headline + "\nMarch 3, 2025\nBy Jo Bell\n\n"
            "Quillbrook, the Lanthorn maker of kitchen scales, has launched its first kettle, priced at £49, in a move its "
            "chief executive said was aimed at buyers put off by the cost of the big brands.\n\n"
            "The kettle goes on sale on Friday in 120 shops. It boils a litre in under three minutes, the company said.\n")
    _, articles, _ = clean_files(raw_frame({"k.txt": text}), NOW)
    assert articles["title"].item() == headline


def test_the_sites_own_addresses_are_known_when_its_name_comes_under_a_skip_link_and_before_the_year():
    own = "Want to help next year? Sign up at lanthornpost.test/regatta or email stewards@lanthornpost.test today."
    page = "Skip to content\nLanthorn Post\n\n" + RIVER_FESTIVAL.format(insert=own) + "\n© Lanthorn Post 2025\n"
    kinds = kinds_in({"u.txt": page})
    assert kinds[own] == "body"


def test_a_promotional_paragraph_on_the_stories_topic_right_after_an_advert_is_the_article_coming_back():
    advert = ("Roof damaged in the storm? StormSafe Roofing offers same-day emergency repairs – call 01632 960 777 or "
              "book at stormsafe.test, 10% off this week.")
    tickets = "Tickets for next year's river festival go on sale in March at £5 for adults, children free – book now at lanthornfestival.test."
    kinds = kinds_in({"t.txt": RIVER_FESTIVAL.format(insert=f"{advert}\n\n{tickets}")})
    assert kinds[advert] == "spam" and kinds[tickets] == "body"


def test_an_advert_run_on_under_the_sites_list_of_stories_does_not_take_the_list_with_it():
    stories = ["Most read in Sport", "Rowing club names its new head coach", "Quay bowls clubs agree to merge"]
    advert = ["Plan your dream wedding at Wyckham Barn – the valley's most romantic venue",
              "Open viewing evenings every Wednesday. Call our events team on 01632 960 774",
              "bookings@wyckhambarn.test | wyckhambarn.test/weddings"]
    text = RIVER_FESTIVAL.format(insert="") + "\n" + "\n".join(stories + advert) + "\n\n© 2025 Lanthorn Post\n"
    kinds = kinds_in({"w.txt": text})
    assert {kinds[line] for line in stories} <= {"body", "boilerplate"}
    assert [kinds[line] for line in advert] == ["spam"] * 3


def test_a_comment_signed_with_its_name_and_date_is_page_chrome_and_the_same_shape_above_the_article_dates_it():
    comments = ["Comments (2)", "Pauline Ashby — 15 May 2025 at 8:14 am", "What a lovely day it was, well done to all the crews.",
                "Jen Oduya – 16 May 2025", "The band were brilliant again this year."]
    text = ("Marcus Feld — May 12, 2025\n\n" + RIVER_FESTIVAL.format(insert="") + "\n" + "\n\n".join(comments) + "\n")
    sections, articles, _ = clean_files(raw_frame({"c.txt": text}), NOW)
    kinds = kinds_of(sections)
    assert {kinds[line] for line in comments} == {"boilerplate"}
    assert kinds["Marcus Feld — May 12, 2025"] == "date"


def test_a_comments_link_near_the_top_does_not_make_the_rest_of_the_article_comments():
    paragraphs = RIVER_FESTIVAL.format(insert="Stalls along the quay sold out of cider and pies before the last race began.")
    title, first, *rest = [p for p in paragraphs.split("\n\n") if p.strip()]
    text = "\n\n".join([title, first, "Comments (12)", *rest]) + "\n"
    kinds = kinds_in({"l.txt": text})
    assert [kinds[p.strip()] for p in rest] == ["body"] * len(rest)


def test_a_clubs_call_for_volunteers_addressed_to_the_reader_is_reported_not_sold():
    call = ("If you would like to help next year, the rowing club is looking for volunteer marshals – call "
            "01632 960 412 or email crew@lanthornrowing.test.")
    assert kinds_in({"v.txt": RIVER_FESTIVAL.format(insert=call)})[call] == "body"


@pytest.mark.parametrize("header", ["Jenny Walsh · 1h ago", "winbig_777 says:", "#4 — steve_at_no41 — 2 days ago"])
def test_comment_headers_in_more_shapes_head_reader_comments(header):
    comment = "What a lovely day it was, well done to every one of the crews."
    text = RIVER_FESTIVAL.format(insert="") + "\n4 reader comments\n\n" + header + "\n\n" + comment + "\n\nHave your say (4)\n"
    kinds = kinds_in({"h.txt": text})
    assert kinds[header] == kinds[comment] == kinds["4 reader comments"] == kinds["Have your say (4)"] == "boilerplate"


def test_a_jobs_this_week_slot_is_an_advert():
    slot = ("JOBS THIS WEEK\nQuay Hotel, Lanthorn – receptionist, season May to October\n"
            "Harbour Taverna – cook and two waiters, call 01632 960 377")
    kinds = kinds_in({"j.txt": RIVER_FESTIVAL.format(insert=slot)})
    assert {kinds[line] for line in slot.splitlines()} == {"spam"}


def test_the_foot_of_a_pasted_mailing_is_part_of_it_not_the_pages_menu():
    footer = ("You are receiving this because you joined the Quayside Walkers at an open day.\n"
              "Unsubscribe | Update your preferences | View in browser")
    kinds = kinds_in({"m.txt": RIVER_FESTIVAL.format(insert="") + "\n" + footer + "\n"})
    assert {kinds[line] for line in footer.splitlines()} == {"spam"}
    assert kinds_in({"a.txt": ARTICLE})["Home | News | Sport | Weather"] == "boilerplate"


def test_a_line_introducing_a_quote_in_the_article_is_no_comment_header():
    said = "Inspector Mara Hale of Lanthorn Police said:"
    quote = "“We are grateful to everyone who came, and to the crews who kept the river safe all day long.”"
    kinds = kinds_in({"q.txt": RIVER_FESTIVAL.format(insert=f"{said}\n\n{quote}")})
    assert kinds[said] == kinds[quote] == "body"
    plain = "It was a great day for the town and for everyone who rows on the river here."
    title, first, *rest = [p for p in RIVER_FESTIVAL.format(insert="").split("\n\n") if p.strip()]
    kinds = kinds_in({"r.txt": "\n\n".join([title, first, said, plain, *rest])})
    assert kinds[said] == kinds[plain] == "body"


def test_credit_words_inside_a_short_sentence_are_news_and_a_credit_line_is_a_credit():
    news = ["The rowing club contributed £2,000 to the appeal, its treasurer said.",
            "Figures compiled by the council show crowds have doubled since 2019."]
    credits = ["Ines Varga contributed reporting from Lanthorn.", "(Reporting by Tomas Reyl; Editing by Ada Brum)"]
    text = RIVER_FESTIVAL.format(insert="\n\n".join(news)) + "\n" + "\n".join(credits) + "\n"
    kinds = kinds_in({"c.txt": text})
    assert [kinds[line] for line in news] == ["body", "body"]
    assert [kinds[line] for line in credits] == ["credit", "credit"]


def test_contact_details_someone_was_told_to_use_are_reported_not_sold():
    told = "Stallholders with questions were told to call the organisers on 01632 960 412 or email stalls@lanthornfest.test."
    assert kinds_in({"t.txt": RIVER_FESTIVAL.format(insert=told)})[told] == "body"


@pytest.mark.parametrize("offer", [
    "Enhanced odds on the rowing crews from the clubs at the river festival: 11/2 for a home win. Gamble responsibly.",
    "Latest odds for the eights final: Lanthorn 6/4, Quayside 9/4, Millbank 15/8. Prices correct at time of publication."])
def test_a_bookmakers_offer_on_the_storys_own_race_is_an_advert_but_reported_odds_are_news(offer):
    odds = "Bookmakers had made Lanthorn 11/2 outsiders for the eights final before the race."
    kinds = kinds_in({"b.txt": RIVER_FESTIVAL.format(insert=f"{odds}\n\n{offer}")})
    assert kinds[offer] == "spam" and kinds[odds] == "body"


def test_longer_share_bars_and_one_line_sign_up_forms_are_page_chrome():
    chrome = ["Share this article: Facebook · X · WhatsApp · Email · Copy link", "Print  |  Send to a friend  |  Back",
              "Get the Lanthorn Post weekly sport roundup straight to your inbox", "Enter your email address | Sign me up"]
    text = RIVER_FESTIVAL.format(insert="") + "\n" + "\n\n".join(chrome) + "\n\n© 2025 Lanthorn Post\n"
    kinds = kinds_in({"s.txt": text})
    assert [kinds[line] for line in chrome] == ["boilerplate"] * 4


@pytest.mark.parametrize("label", ["Deals", "Offers"])
def test_a_sections_one_word_label_after_the_article_is_not_an_advert(label):
    text = RIVER_FESTIVAL.format(insert="") + "\n" + label + "\n\n© 2025 Lanthorn Post\n"
    assert kinds_in({"l.txt": text})[label] != "spam"


def test_a_headline_whose_words_sound_like_sales_is_still_the_title():
    title = "Copper mine expansion stalls as landholders press claims"
    text = (title + "\nMarch 1, 2019\n\n" + RIVER_FESTIVAL.replace("Lanthorn river festival draws record crowds\n\n", ""))
    sections, articles, _ = clean_files(raw_frame({"t.txt": text}), NOW)
    assert kinds_of(sections)[title] == "title" and articles["title"].item() == title


def test_a_letters_sign_off_after_the_last_paragraph_is_the_writers():
    sign_off = ["With thanks and every blessing,", "Alison"]
    text = RIVER_FESTIVAL.format(insert="") + "\n" + "\n".join(sign_off) + "\n\nShare this story\n© 2025 Lanthorn Post\n"
    kinds = kinds_in({"s.txt": text})
    assert [kinds[line] for line in sign_off] == ["body", "body"]


def test_a_police_appeal_that_ends_the_article_is_reported_but_a_quoted_sales_line_there_is_an_advert():
    story = ("Tools worth £4,000 taken from Ashby Lane builders' yard\n\nMarch 3, 2025\n\n"
             "Burglars cut a padlock at the Ashby Lane builders' yard in Corvey overnight on Friday and drove off "
             "with drills, saws and a generator, the owner said.\n\n"
             "The yard's camera caught a white pick-up truck leaving just after two in the morning.\n\n{last}\n")
    appeal = ("Sergeant Nell Pryce asked anyone who has been offered cheap drills for sale to call 01632 960 118, "
              "quoting crime number 0318.")
    advert = ('"Every tool deserves a second life," said Brightforge founder Oscar Lund. Visit brightforge.test '
              "today to shop our refurbished range.")
    kinds = kinds_in({"a.txt": story.format(last=appeal)})
    assert kinds[appeal] == "body"
    kinds = kinds_in({"b.txt": story.format(last=advert)})
    assert kinds[advert] == "spam"


def test_a_sponsored_lists_clickbait_entries_are_spam_even_when_one_says_someone_was_told_something():
    teasers = ["Around the web", "She was told the old vase was worthless", "Pensioners Rush To Claim This Rebate"]
    text = RIVER_FESTIVAL.format(insert="") + "\n" + "\n".join(teasers) + "\n\n© 2025 Lanthorn Post\n"
    kinds = kinds_in({"w.txt": text})
    assert [kinds[line] for line in teasers] == ["spam"] * 3


def test_search_phrases_strung_with_the_towns_name_are_seo_copy_but_a_fixture_list_is_the_article():
    seo = ("Rowing coach Lanthorn, cheap rowing lessons Lanthorn, river kayak hire Lanthorn, boat storage Lanthorn, "
           "best sculling club Lanthorn.")
    fixtures = ("Next month the crews meet Lanthorn Juniors, Quayside, Lanthorn Masters, Millbank and "
                "Lanthorn Veterans, with the best two going on to the county final.")
    kinds = kinds_in({"k.txt": RIVER_FESTIVAL.format(insert=f"{seo}\n\n{fixtures}")})
    assert kinds[seo] == "spam" and kinds[fixtures] == "body"


def test_the_title_is_the_headline_that_tells_the_leads_story_not_the_sites_name_motto_or_menu():
    title = "Lanthorn ferry to run all winter after council deal"
    page = ("Lanthorn Evening Post\nYour town, your paper, since 1902.\nNews   Sport   Business   What's on   Family notices\n"
            "Transport › Ferries\n" + title + "\nBy Ruth Okonjo\nMarch 3, 2025\n\n"
            "The Lanthorn ferry will run through the winter for the first time in a decade after the council agreed to "
            "cover the cost of a second crew, the operator said on Monday.\n\n"
            "The ferry has stopped at the end of October every year since 2015, leaving island residents with a "
            "forty-minute drive round the estuary.\n")
    _, articles, _ = clean_files(raw_frame({"p.txt": page}), NOW)
    assert articles["title"].item() == title


def test_a_scam_text_the_article_quotes_is_reported_but_the_same_text_pasted_in_is_spam():
    story = ("Residents warned over fake parcel texts\n\nMarch 3, 2025\n\n"
             "Police in Corvey say more than thirty people have been sent texts asking them to pay a small fee "
             "before a parcel can be delivered, and four have lost money.\n\n{middle}\n\n"
             "Officers said no delivery firm asks for a fee by text, and that anyone who has paid should call "
             "their bank at once.\n")
    scam = '"ParcelHub: your parcel is held for an unpaid fee of £1.99. Pay now at parcelhub-pay.test to avoid return!"'
    quoted = kinds_in({"q.txt": story.format(middle=f"One of the texts read:\n\n{scam}")})
    pasted = kinds_in({"p.txt": story.format(middle=scam.strip('"'))})
    inline = "A second version, sent on Friday, reads: " + scam
    quoted_inline = kinds_in({"i.txt": story.format(middle=inline)})
    assert quoted[scam] == "body" and quoted_inline[inline] == "body" and pasted[scam.strip('"')] == "spam"


def test_the_sites_own_subscription_and_sign_up_asks_after_the_article_are_page_chrome():
    asks = ["Subscribe to the Lanthorn Post for £5 a month for every story, every day.",
            "Sign up for our monthly email with festival news and dates for next year."]
    text = RIVER_FESTIVAL.format(insert="") + "\n" + "\n\n".join(asks) + "\n\n© 2025 Lanthorn Post\n"
    kinds = kinds_in({"o.txt": text})
    assert [kinds[line] for line in asks] == ["boilerplate", "boilerplate"]


def test_the_sites_own_list_heading_with_an_ampersand_ends_the_sponsored_list_above_it():
    sponsored = ["Partner content", "This £49 gadget halves your heating bill - energy firms are furious"]
    own = ["More on rowing & canoeing", "Quayside crew names new captain for the spring season",
           "Millbank boathouse roof repair to start in May"]
    text = RIVER_FESTIVAL.format(insert="") + "\n" + "\n".join(sponsored + own) + "\n\n© 2025 Lanthorn Post\n"
    kinds = kinds_in({"m.txt": text})
    assert kinds[sponsored[1]] == "spam" and all(kinds[line] != "spam" for line in own)


def test_an_adverts_opening_question_to_the_reader_is_promotional_but_a_bloggers_own_question_is_not():
    advert = "Dreaming of a winter break? Sunfold Holidays has seven nights in Madeira from £399 this month!"
    own = "Would I go again? Absolutely, and next year I will bring a better chair for the quay."
    kinds = kinds_in({"h.txt": RIVER_FESTIVAL.format(insert=f"{advert}\n\n{own}")})
    assert kinds[advert] == "spam" and kinds[own] == "body"


def test_curiosity_gap_teasers_under_a_plain_list_heading_are_spam_but_the_sites_own_headlines_are_not():
    teasers = ["She put a spoon in her freezer overnight – what happened next is genius",
               "The old toy in your loft that could be worth £2,000",
               "Drivers are rushing to claim this little-known refund"]
    own = "Quayside crew names new captain for the spring season"
    text = (RIVER_FESTIVAL.format(insert="") + "\nYou may also like\n" + "\n".join(teasers) + "\n\nMore from Lanthorn\n"
            + own + "\n\n© 2025 Lanthorn Post\n")
    kinds = kinds_in({"c.txt": text})
    assert [kinds[line] for line in teasers] == ["spam"] * 3 and kinds[own] != "spam"


@pytest.mark.parametrize("heading", ["Most popular comments", "Latest comments (3)"])
def test_a_qualified_comments_heading_heads_the_reader_comments(heading):
    comment = "Lovely to see the band back on the quay, it felt like the old days again."
    text = RIVER_FESTIVAL.format(insert="") + f"\n{heading}\n\nJo_from_the_quay\n{comment}\n\n© 2025 Lanthorn Post\n"
    kinds = kinds_in({"r.txt": text})
    assert kinds[heading] == "boilerplate" and kinds[comment] == "boilerplate"


def test_the_small_print_under_the_sites_own_sign_up_form_is_part_of_the_box():
    box = ["Get the Lanthorn Post morning newsletter in your inbox every weekday.", "Enter your email", "Subscribe",
           "You can unsubscribe at any time. Read our privacy policy."]
    text = RIVER_FESTIVAL.format(insert="") + "\n" + "\n".join(box) + "\n\n© 2025 Lanthorn Post\n"
    kinds = kinds_in({"b.txt": text})
    assert [kinds[line] for line in box] == ["boilerplate"] * 4


def test_the_sites_own_subscription_newsroom_and_publisher_lines_are_page_chrome_but_another_firms_footer_is_spam():
    own = ["Subscribe for £2 a week and read every story, plus the digital edition.",
           "Contact the newsroom: 01632 960 300 | news@lanthornpost.test",
           "The Lanthorn Post is a trading name of Estuary Media Ltd, registered in England No. 01234567.",
           "Accept all | Manage preferences"]
    other = ("You are receiving this because you joined the Fordham Garden Centres mailing list. To unsubscribe email "
             "optout@fordhamgardens.test. Fordham Garden Centres Ltd, registered in England No. 05551230.")
    text = (RIVER_FESTIVAL.format(insert="") + "\n" + other + "\n\n" + "\n\n".join(own) + "\n\n© 2025 Lanthorn Post\n")
    kinds = kinds_in({"f.txt": text})
    assert [kinds[line] for line in own] == ["boilerplate"] * 4 and kinds[other] == "spam"


def test_the_filing_agencys_copyright_credits_the_story_and_still_gives_its_year():
    wire = """Ferry operator cuts winter sailings to Skelholm

March 3, 2025

SKELHOLM, March 3 (Northwire) - The island's only ferry operator
will run two sailings a day instead of four from November, it said
on Monday, blaming a shortage of engineers for its older vessels.

Islanders said the cut would make it hard to reach hospital
appointments on the mainland. The council said it would ask the
operator to keep a late sailing on Fridays.

Reporting by Ana Lund; Editing by Piet Moller

(c) 2025 Northwire

© 2025 Skelholm Courier. All rights reserved.
"""
    sections, articles, _ = clean_files(raw_frame({"w.txt": wire}), NOW)
    kinds = kinds_of(sections)
    assert kinds["(c) 2025 Northwire"] == "credit"
    assert kinds["© 2025 Skelholm Courier. All rights reserved."] == "boilerplate"
    assert articles["copyright_year"].to_list() == [2025]


@pytest.mark.parametrize("signature", [["easyloans_4u"], ["CashNowDirect", "3 hours ago"], ["lena_1990 says:"]])
def test_a_spam_comments_name_and_time_go_with_it_but_a_genuine_commenters_stay_chrome(signature):
    spam = ("Need cash before payday? Loans from £100 to £2,000 approved in minutes, even with bad credit, "
            "apply now at quickpayday.test!")
    comments = ["Comments (3)", "Pauline Ashby — 15 May 2025 at 8:14 am", "What a lovely day it was, well done to all the crews.",
                *signature, spam, "Jen Oduya – 16 May 2025", "The band were brilliant again this year."]
    text = RIVER_FESTIVAL.format(insert="") + "\n" + "\n\n".join(comments) + "\n"
    kinds = kinds_in({"c.txt": text})
    assert [kinds[line] for line in [*signature, spam]] == ["spam"] * (len(signature) + 1)
    assert {kinds[line] for line in comments if line not in (*signature, spam)} == {"boilerplate"}


HARNBY_PAGE = ("Harnby Gazette\n\nHarnby ferry timetable cut for winter\n\n"
               "The Harnby ferry will sail four times a day instead of six from November, the operator said on "
               "Thursday, blaming a shortage of deck crew and the rising cost of fuel over the past year.\n\n"
               "Islanders said the early last sailing would make it hard to get home from evening shifts on the "
               "mainland, and the community council has asked for a meeting with the operator next week.\n\n"
               "{insert}\n\n© 2025 Harnby Gazette Media Ltd. All rights reserved.\n")


def test_a_sites_own_app_prompt_and_notices_service_are_page_chrome_even_unnamed():
    own = ["Get our app",
           "Get the app: breaking news and live updates on your phone. Download free on the App Store and Google Play.",
           "Family notices: to place a death notice or a tribute in print and online, call our announcements team on 01632 960 441."]
    kinds = kinds_in({"a.txt": HARNBY_PAGE.format(insert="\n\n".join(own))})
    assert [kinds[line] for line in own] == ["boilerplate"] * 3


def test_another_firms_registration_line_that_names_the_town_is_not_the_sites_own():
    advert = ["Love your garden? Join the Corran Nurseries Growing Club for monthly planting tips and 10% off your "
              "first order at corran-nurseries.example/club.",
              "Corran Nurseries Ltd, Quay Road, Harnby. Registered in England No. 05512345."]
    kinds = kinds_in({"a.txt": HARNBY_PAGE.format(insert="\n".join(advert))})
    assert kinds[advert[1]] == "spam"


def test_a_paragraph_reporting_figures_published_by_a_body_named_like_the_site_is_the_article():
    page = HARNBY_PAGE.replace("Harnby Gazette", "Harnby Ferry News")
    figures = ("Figures published by the Harnby ferry operator show 1,146 sailings were cancelled last winter, "
               "up from 390 the winter before.")
    kinds = kinds_in({"a.txt": page.format(insert=figures)})
    assert kinds[figures] == "body"


def test_a_ticket_paragraph_right_above_an_unrelated_advert_stays_in_the_article():
    tickets = ("Grandstand seats cost £12 for adults and £6 for concessions, with under-16s admitted free, and can be "
               "bought at the gate or online.")
    advert = "Morrowdene Golf Club: 2-for-1 on new memberships this autumn, plus free beginners' clinics. Call 01632 960 777."
    kinds = kinds_in({"r.txt": RIVER_FESTIVAL.format(insert=tickets + "\n\n" + advert)})
    assert kinds[tickets] == "body" and kinds[advert] == "spam"


def test_a_promotional_paragraph_that_takes_up_a_later_thread_of_the_story_stays_in_the_article():
    story = ("Lanthorn rowers win county regatta\n\n"
             "Lanthorn Rowing Club won the county regatta on Saturday, taking six of the nine senior races on the river.\n\n"
             "The club's eight beat the holders by two lengths in the final race, cheered on by a crowd on the town bridge.\n\n"
             "Captain Rhona Price said the wins had come from a winter of early training in all weathers.\n\n"
             "Off the water, volunteers have spent two years rebuilding the old boathouse after the floods, and its new "
             "beginners' classes for adults open next month with six coaches and a fleet of wider, steadier boats.\n\n"
             "{insert}\n\nThe club hosts the regatta itself next summer for the first time since 2019.\n")
    classes = ("Beginners' classes for adults in the rebuilt old boathouse start next month and cost £60 for six weekly sessions with the coaches "
               "in the wider, steadier boats. "
               "Book now at boathouse-classes.example or call 01632 960 412.")
    sections, _, _ = clean_files(raw_frame({"r.txt": story.format(insert=classes)}), NOW)
    assert kinds_of(sections)[classes] == "body"


def test_the_sites_own_news_bulletin_print_offer_and_media_contact_are_chrome_but_a_shops_bulletin_of_offers_is_spam():
    own = ["Get new posts by email: enter your address below. No spam, unsubscribe any time.",
           "Never miss a story - get the Morning Bulletin at 7am every weekday. Sign up free",
           "Subscribe today: print + digital £149 a year, digital only £89 a year.",
           "Media enquiries: press@harnbygazette.example"]
    shop = "Get the Corran Nurseries bulletin: garden news, seasonal offers and 10% off your first order. Sign up free"
    page = HARNBY_PAGE.format(insert="\n\n".join(own + [shop]))
    kinds = kinds_in({"a.txt": page})
    assert [kinds[line] for line in own] == ["boilerplate"] * 4
    assert kinds[shop] == "spam"


def test_a_results_line_or_a_line_introducing_what_follows_does_not_take_the_score_of_an_advert_under_it():
    insert = ("The last race of the day was the closest:\n\n"
              "Women's double sculls: Lanthorn 7:41.2, Wenlow 7:44.6\n\n"
              "Spring sale at Harbour Marine: 30% off every kayak and paddleboard this weekend only. "
              "Order now at harbourmarine.example or call 01632 960 300.")
    kinds = kinds_in({"r.txt": RIVER_FESTIVAL.format(insert=insert)})
    assert kinds["The last race of the day was the closest:"] == "body"
    assert kinds["Women's double sculls: Lanthorn 7:41.2, Wenlow 7:44.6"] == "body"
    assert kinds[insert.split("\n\n")[2]] == "spam"


def test_get_rich_dating_and_job_abroad_pitches_that_name_the_articles_town_are_spam():
    pitches = ["Lonely evenings in Harnby? Meet real singles from Harnby and the islands tonight, free sign-up at harnbyhearts.example",
               "Harnby families are already earning up to 900 euros per day from home with a new trading platform the banks hate.",
               "WORK IN NORWAY FOR HARNBY PEOPLE: fish factory, flights and housing paid, no experience needed. Call 0770 900 1234."]
    for pitch in pitches:
        kinds = kinds_in({"a.txt": HARNBY_PAGE.replace("{insert}", pitch + "\n\nThe operator will "
                                                "review the timetable in the spring, a spokesman for the Harnby ferry said.")})
        assert kinds[pitch] == "spam", pitch


def test_a_readers_congratulations_is_a_comment_but_a_prize_notice_is_scam():
    page = ("Lanthorn rowers win county regatta\n\n"
            "Lanthorn Rowing Club won the county regatta on Saturday, taking six of the nine senior races on the river.\n\n"
            "The club's eight beat the holders by two lengths in the final race, cheered on by a crowd on the town bridge.\n\n"
            "Comments (2)\n\nMaura (Quay Street)\n\n14 June 2025 at 09:12\n\n"
            "Congratulations to all the crews. Is the towpath open again for bikes, or is it still shut?\n\n"
            "{insert}\n")
    kinds = kinds_in({"a.txt": page.format(insert="")})
    assert kinds["Congratulations to all the crews. Is the towpath open again for bikes, or is it still shut?"] == "boilerplate"
    notice = "CONGRATULATIONS! You have been selected to receive a cash prize. Reply with your bank details to claim it."
    assert kinds_in({"b.txt": page.format(insert=notice)})[notice] == "spam"


def test_a_print_and_digital_bundle_and_podcast_app_links_are_the_sites_own_chrome():
    own = ["Print + digital bundle: £14.50 a month, delivered to your door six days a week.",
           "Listen on: Apple Podcasts | Spotify | Pocket Casts | RSS"]
    kinds = kinds_in({"a.txt": HARNBY_PAGE.format(insert="\n\n".join(own))})
    assert [kinds[line] for line in own] == ["boilerplate"] * 2


def test_an_appeal_for_helpers_that_names_nobody_weighs_its_phone_number_as_reporting():
    story = ("Food bank opens second warehouse in Wenlow\n\n"
             "The Wenlow food bank opened a second warehouse on Monday, doubling the space it has to store "
             "donated tins, nappies and toiletries before they go out to families across the district.\n\n"
             "Its manager, Ada Brum, said demand had risen every month this year and the old store room "
             "could no longer hold a week's stock.\n\n"
             "{insert}\n\n"
             "The warehouse on Mill Lane is open to drop off donations from 9am to 4pm on weekdays.\n")
    appeal = ("More helpers are needed to drive the vans out to families on weekday mornings. "
              "If you can spare a few hours, call today on 01632 960 555.")
    kinds = kinds_in({"a.txt": story.format(insert=appeal)})
    assert kinds[appeal] == "body"


def test_a_link_spelt_from_the_storys_own_words_is_its_subjects_address_not_an_advert():
    story = RIVER_FESTIVAL.replace("{insert}", "{insert}\n\nA brass band from Wenlow closed the evening with a march along the towpath.")
    appeal = ("Crews wanting a place in the races should book now at lanthornriver.example or email "
              "entries@riverfestival.example, and mind the early-bird discount.")
    advert = ("Crews wanting a faster boat should book now at swiftoars.example or email sales@swiftoars.example, "
              "and mind the early-bird discount.")
    assert kinds_in({"a.txt": story.format(insert=appeal)})[appeal] == "body"
    assert kinds_in({"b.txt": story.format(insert=advert)})[advert] == "spam"


def test_a_list_the_article_introduces_at_its_end_and_a_posts_sign_off_are_the_article():
    story = ("Wenlow league fixtures confirmed\n\n"
             "The Wenlow Sunday League has confirmed its opening fixtures after the last pitch passed its inspection "
             "on Friday, so all eight clubs start on the same weekend.\n\n"
             "Kick-offs are at 10.30am unless stated, the league secretary said.\n\n"
             "Sunday 7 September:\nQuay Rovers v Mill Lane Athletic\nHarbour Arms v Westfield\n"
             "Old Boys v Wenlow Sparta\n\n"
             "Until the next whistle,\nTomas\n")
    kinds = kinds_in({"a.txt": story})
    assert [kinds[line] for line in ("Sunday 7 September:", "Quay Rovers v Mill Lane Athletic", "Harbour Arms v Westfield",
                                     "Old Boys v Wenlow Sparta", "Until the next whistle,", "Tomas")] == ["body"] * 6


def test_a_spaced_out_menu_and_a_consent_notice_are_chrome_but_a_tables_column_heads_are_not():
    from assets.clean import is_chrome

    assert is_chrome("☰ Menu   News   Sport   Community   Video   Events   Search")
    assert is_chrome("We value your privacy. We and our partners store and access information on your device, "
                     "such as cookies, to show you relevant content.")
    assert not is_chrome("Ward          End May     End Sept    Change")
    assert not is_chrome("Harbour   6:02.4   Quay   6:05.1   Mill   6:09.8")


def test_the_heading_of_a_list_that_is_all_advertising_goes_with_it():
    links = ["You may also like", "Doctors stunned: this one trick melts belly fat overnight",
             "Win a £500 shopping voucher today - enter now at prizeparade.example",
             "Cheap flights and hotel deals: book now and save 60% at jetsave.example"]
    kinds = kinds_in({"a.txt": RIVER_FESTIVAL.format(insert="\n".join(links))})
    assert [kinds[line] for line in links] == ["spam"] * 4


def test_a_spam_comments_name_and_time_line_goes_with_it_however_long():
    page = ("Lanthorn rowers win county regatta\n\n"
            "Lanthorn Rowing Club won the county regatta on Saturday, taking six of the nine senior races on the river.\n\n"
            "The club's eight beat the holders by two lengths in the final race, cheered on by a crowd on the town bridge.\n\n"
            "Comments (2)\n\nMaura (Quay Street) · 2 hours ago\n\nWell rowed all, the bridge was packed.\n\n"
            "Cheap Riverside Hotel Deals Lanthorn · 1 hour ago\n\n"
            "Book the best cheap hotel deals in Lanthorn now at riverstays.example and save 40% tonight!\n")
    kinds = kinds_in({"a.txt": page})
    assert kinds["Cheap Riverside Hotel Deals Lanthorn · 1 hour ago"] == "spam"
    assert kinds["Maura (Quay Street) · 2 hours ago"] == kinds["Well rowed all, the bridge was packed."] == "boilerplate"


def test_a_widows_fund_letter_and_a_blocked_computer_warning_are_scam_mail():
    from assets.clean import SCAM

    assert len(SCAM.findall("Greetings in the name of the Lord. My late husband left the sum of 4 million dollars.")) == 3
    assert SCAM.search("WARNING: YOUR COMPUTER HAS BEEN BLOCKED. Call support now.")
    assert not SCAM.search("Her late husband ran the bakery on Quay Street for forty years.")


def test_result_and_count_lines_above_an_advert_are_not_its_headline():
    from assets.clean import RESULT_LINE

    for line in ("Turnout: 31.4%", "Ruth Amadi (Green) 233", "Men's pairs: Quay 7:21.3", "Sunday, July 27: the Foley Brothers"):
        assert RESULT_LINE.search(line), line
    for line in ("Harbour Physio - recovery sessions from £30", "Lock & Key – 24hr emergency locksmith", "Amber_23"):
        assert not RESULT_LINE.search(line), line
    insert = ("Ruth Amadi (Green) 233\n\n"
              "Spring sale at Harbour Marine: 30% off every kayak and paddleboard this weekend only. "
              "Order now at harbourmarine.example or call 01632 960 300.")
    kinds = kinds_in({"r.txt": RIVER_FESTIVAL.format(insert=insert)})
    assert kinds["Ruth Amadi (Green) 233"] == "body"


RELEASE = ("FOR IMMEDIATE RELEASE\n"
           "Quayside Kayaks opens its river hire base for the summer\n"
           "LANTHORN, June 2 -- Quayside Kayaks today announced the opening of its hire base on the old quay.\n"
           "\"Paddling is the best way to see the valley,\" said Quayside Kayaks founder Idris Pell.\n"
           "Quayside Kayaks has hired boats to more than 40,000 paddlers since 2011.\n"
           "###")


def test_a_pasted_press_release_is_spam_from_its_opening_line_to_its_closing_mark():
    kinds = kinds_in({"r.txt": RIVER_FESTIVAL.format(insert=RELEASE)})
    assert [kinds[line] for line in RELEASE.splitlines()] == ["spam"] * 6  # its quote and its plain facts too
    assert kinds["The organisers said next year's festival would add a second day of races."] == "body"


def test_a_press_release_pasted_above_the_page_does_not_give_the_article_its_title():
    sections, articles, _ = clean_files(raw_frame({"r.txt": RELEASE + "\n\nLanthorn Courier\n\n"
                                                  + RIVER_FESTIVAL.format(insert="The festival is run by volunteers.")}), NOW)
    assert articles["title"].item() == "Lanthorn river festival draws record crowds"
    assert set(kinds_of(sections)[line] for line in RELEASE.splitlines()) == {"spam"}


def test_a_page_that_is_a_press_release_keeps_its_article():
    header = ("Home > News > Press releases\n\n"
              "Lanthorn study finds river otters have returned to every tributary\n"
              "Published: 3 June 2025\n")
    body = ("Otters have returned to all nine tributaries of the Lanthorn, a five-year survey by the county university has found.\n"
            "Volunteers checked 212 sites for spraints and footprints, and found signs of otters at 141 of them.\n"
            "\"Twenty years ago we found them at four sites,\" said survey lead Dr Ana Brisk.\n")
    for page in (header + "\nPress release\n" + body,  # the label heads the page's one group of paragraphs
                 header + "Press release\n\n" + body,  # or ends the header's group
                 header.replace("\n\n", "\n") + "Press release\n" + body):  # or the page has no blank lines
        kinds = kinds_in({"p.txt": page})
        assert kinds["Volunteers checked 212 sites for spraints and footprints, and found signs of otters at 141 of them."] == "body"
        assert kinds["\"Twenty years ago we found them at four sites,\" said survey lead Dr Ana Brisk."] == "body"
        assert kinds["Press release"] != "spam"


def test_a_separator_line_over_pasted_spam_goes_with_it():
    insert = ("--\n\nYou are receiving this because you joined the Riverside Outlet mailing list. "
              "Summer sale now on: 40% off at riverside-outlet.example. Unsubscribe | Manage preferences")
    kinds = kinds_in({"s.txt": RIVER_FESTIVAL.format(insert=insert)})
    assert kinds["--"] == "spam"


def test_a_box_sending_readers_to_the_sites_own_address_is_its_own_but_an_advert_of_the_same_shape_is_spam():
    page = ("Harrowby Valley Echo\n\n"
            "Footbridge over the Harrow reopens after flood repairs\n\n"
            "The footbridge between Mill Lane and the water meadows reopened on Friday, eight months after winter floods "
            "washed away two of its spans.\n\n"
            "Engineers rebuilt the spans on new concrete piers set a metre higher than the old ones.\n\n"
            "SUBSCRIBE TO THE ECHO\n"
            "Every edition in print and online, plus the weekend puzzles, from £1.80 a week.\n"
            "Join today at hvecho.example/subscribe\n\n"
            "WINTER TYRES FITTED AT YOUR DOOR\n"
            "All-season tyres fitted on your drive from £49 a corner, no call-out fee.\n"
            "Book now at tyre-van-direct.test/book\n\n"
            "Walkers had used a two-mile diversion by the main road while the bridge was shut.\n\n"
            "© 2025 Harrowby Valley Echo\n")
    kinds = kinds_in({"b.txt": page})
    own = ["SUBSCRIBE TO THE ECHO", "Every edition in print and online, plus the weekend puzzles, from £1.80 a week.",
           "Join today at hvecho.example/subscribe"]
    advert = ["All-season tyres fitted on your drive from £49 a corner, no call-out fee.", "Book now at tyre-van-direct.test/book"]
    assert [kinds[line] for line in own] == ["boilerplate"] * 3
    assert [kinds[line] for line in advert] == ["spam"] * 2


def test_a_blogs_invitation_to_its_new_posts_by_email_is_its_own():
    from assets.clean import NEWSLETTER_INVITE

    assert NEWSLETTER_INVITE.search("Liked this? Get new posts from The Saturday Allotment by email, free.")


def test_an_advert_that_pitches_to_the_reader_is_spam_however_on_topic_but_a_notice_or_a_quote_is_not():
    pitches = ["Festival weekend in Lanthorn? Your riverside room is waiting at Quay Stays - rooms from £59 a night, "
               "book at quaystay.test.",
               "Crowds on the quay? Protect your home while you are out: smart doorbells fitted from £89 at doorwatch.test."]
    for pitch in pitches:
        assert kinds_in({"p.txt": RIVER_FESTIVAL.format(insert=pitch)})[pitch] == "spam", pitch
    kept = ["Anyone who lost property at the festival can call the organisers on 01632 960 210 or email "
            "lost@lanthornfestival.test.",
            "\"If you want to race next year, book your crew's place at lanthornrowing.test before March - it's £40 a boat,\" "
            "said regatta secretary Ben Tally."]
    for line in kept:
        assert kinds_in({"k.txt": RIVER_FESTIVAL.format(insert=line)})[line] == "body", line


def test_a_charitys_registration_line_is_page_chrome_but_a_pasted_clubs_footer_is_not():
    from assets.clean import is_chrome

    assert is_chrome("Lanthorn Otter Trust is a registered charity, no. 1176512.")
    assert is_chrome("Registered charity number 1098123")
    assert not is_chrome("Lanthorn Angling Club, 4 Weir Lane, Lanthorn. Registered charity no. 1098123.")
    assert not is_chrome("Harbour Sailing Club is a registered charity, no. 1180001. To join our mailing list reply JOIN.")


def test_a_sponsored_walk_is_news_but_a_sponsored_link_is_an_advert():
    from assets.clean import CALL_TO_ACTION

    assert not CALL_TO_ACTION.search("Lifeboat volunteers' sponsored swim across the bay raises £4,200")
    for line in ("Sponsored: the one trick banks hate", "Sponsored links", "Sponsored by Harbour Loans", "Sponsored"):
        assert CALL_TO_ACTION.search(line), line


def test_the_pages_own_furniture_under_a_pasted_advert_does_not_continue_it():
    page = ("Lanthorn river festival draws record crowds\n\n"
            "More than 12,000 people came to the Lanthorn river festival on Sunday, the organisers said, the most since it began in 1994.\n\n"
            "Rowing crews from eleven clubs raced the two-mile course, and the town band played on the old quay until dark.\n\n"
            "CHEAP LOANS APPROVED IN MINUTES! Borrow up to £5,000 today with no credit checks at quickcash-now.test - apply now!\n\n"
            "Quayside Courier\n\n"
            "More business news\n\n"
            "The organisers said next year's festival would add a second day of races on the river.\n\n"
            "Stallholders on the quay said trade was the best they had seen since the festival began.\n\n"
            "© 2025 Quayside Courier\n")
    kinds = kinds_in({"f.txt": page})
    assert kinds["CHEAP LOANS APPROVED IN MINUTES! Borrow up to £5,000 today with no credit checks at quickcash-now.test - apply now!"] == "spam"
    assert kinds["Quayside Courier"] != "spam" and kinds["More business news"] != "spam"


def test_a_releases_closing_mark_under_it_goes_with_it():
    insert = ("LANTHORN, June 2, 2025 /PR Newswire/ -- Quayside Kayaks today announced summer kayak hire on the old quay. "
              "Book online at quayside-kayaks.test or call 01632 960 111.\n###")
    kinds = kinds_in({"c.txt": RIVER_FESTIVAL.format(insert=insert)})
    assert kinds[insert.splitlines()[0]] == kinds["###"] == "spam"


def test_a_promotional_line_outside_the_article_that_names_the_site_is_its_own_but_one_naming_the_town_is_not():
    own = ["Your valley. Your Echo.", "Echo Extra: your valley, your news!"]
    advert = "Lanthorn Glazing: double glazing from £99 a window - book your free quote today!"
    page = (RIVER_FESTIVAL.format(insert="Stalls along the quay sold out of cider and crab rolls by mid-afternoon.")
            + "\n" + "\n\n".join([*own, advert]) + "\n\n© 2025 Harrow Valley Echo\n")
    kinds = kinds_in({"o.txt": page})
    assert all(kinds[line] != "spam" for line in own)  # the page's own slogan and offer
    assert kinds[advert] == "spam"


def test_a_masthead_that_sounds_like_a_shout_is_page_chrome_and_a_banner_advert_above_the_headline_is_spam():
    page = (
        "Go Tollbridge!\n\n"
        "{banner}"
        "Ferry timetable cut to two sailings a day over the winter\n\n"
        "By Orla Penhallow\n\n"
        "The Tollbridge ferry will run only two return sailings a day from December, the harbour board said on Tuesday, "
        "after a second engine failed its inspection.\n\n"
        "Commuters who cross to the mainland each morning said the change would add an hour to their day.\n\n"
        "The board expects the repaired engine back in service by March.\n\n"
        "© Go Tollbridge community news"
    )
    banner = "MEGA WINTER SALE! Sofas from £199 at Crestwood Furniture. Call 0800 555 0192 today!\n\n"
    kinds = kinds_in({"plain.txt": page.format(banner=""), "banner.txt": page.format(banner=banner)})
    assert kinds["Go Tollbridge!"] == "boilerplate"
    assert kinds[banner.strip()] == "spam"
    assert kinds["Ferry timetable cut to two sailings a day over the winter"] == "title"
    assert kinds["The board expects the repaired engine back in service by March."] == "body"


@pytest.mark.parametrize("line", ["© Skelholm Courier 2024", "Copyright Skelholm Courier, 2024. All rights reserved.",
                                  "(C) Skelholm Courier 2024"])
def test_a_copyright_line_that_names_the_holder_before_the_year_gives_the_year_and_the_publisher(line):
    page = ("Ferry operator cuts winter sailings to Skelholm\n\n"
            "The island's only ferry operator will run two sailings a day instead of four from November, it said on "
            "Monday, blaming a shortage of engineers.\n\n"
            "Islanders said the cut would make it hard to reach hospital appointments on the mainland.\n\n"
            f"{line}\n")
    sections, articles, _ = clean_files(raw_frame({"c.txt": page}), NOW)
    assert kinds_of(sections)[line] == "boilerplate"
    assert articles.select("copyright_year", "publisher").row(0) == (2024, "Skelholm Courier")


def test_a_photographers_copyright_in_a_credit_does_not_date_the_article():
    page = ("Ferry operator cuts winter sailings to Skelholm\n\n"
            "The island's only ferry operator will run two sailings a day instead of four from November, it said on "
            "Monday, blaming a shortage of engineers.\n\n"
            "Photo © Ines Varga 2019\n\n"
            "Islanders said the cut would make it hard to reach hospital appointments on the mainland.\n")
    _, articles, _ = clean_files(raw_frame({"p.txt": page}), NOW)
    assert articles["copyright_year"].to_list() == [None]
