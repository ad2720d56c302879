"""Clean: decode each staged file, split it into sections and give every section a kind.

Kinds: title, date, dateline, byline, credit, caption, boilerplate, spam, body.
Structural kinds come from the shape of a line and its place in the file. Whatever is left
is a body candidate with spam features and a `spam_score`; the clean suite's row-level
expectation over that score decides which candidates are spam (see `expectations/clean.json`).
"""

import contextlib
import csv
import functools
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import polars as pl

from assets.common import DATE_ANY, DATE_LABEL, DATE_PATTERN, MONTHS, rejections_frame
from assets.spam_model import FEATURES, spam_probabilities
from pipelines.versions import rules_version
from warehouse import SQL_DIR

PUBLISHER_FILE = SQL_DIR / "publishers.csv"


class FoldedPattern:
    """A case-blind pattern matched against lower-cased text: Python's `re` runs a long alternation several times
    slower under re.I. Only whether and how often it matches is asked, so the lower-cased match text is never seen."""

    def __init__(self, pattern: str):
        self._pattern = re.compile(pattern)

    def search(self, text: str) -> re.Match | None:
        return self._pattern.search(text.lower())

    def findall(self, text: str) -> list:
        return self._pattern.findall(text.lower())


class GuardedPattern:
    """A costly pattern tried only where a cheap one finds what every match of it holds (an email's "@", a link's
    "://" or ".x"): most paragraphs hold neither and are passed over at once. Matches are exactly the pattern's."""

    def __init__(self, pattern: re.Pattern, guard: str):
        self.pattern, self._guard = pattern, re.compile(guard)

    def search(self, text: str) -> re.Match | None:
        return self.pattern.search(text) if self._guard.search(text) else None

    def findall(self, text: str) -> list:
        return self.pattern.findall(text) if self._guard.search(text) else []

    def sub(self, repl: str | Callable[[re.Match], str], text: str) -> str:
        return self.pattern.sub(repl, text) if self._guard.search(text) else text


SECTION_SCHEMA = {
    "file_id": pl.String,
    "article_id": pl.String,
    "ordinal": pl.Int32,
    "kind": pl.String,
    "rule": pl.String,
    "text": pl.String,
    "promo_score": pl.Float64,
    "offtopic_score": pl.Float64,
    "position_score": pl.Float64,
    "header_score": pl.Float64,
    "rule_score": pl.Float64,
    "spam_score": pl.Float64,
}
ARTICLE_SCHEMA = {
    "article_id": pl.String,
    "file_id": pl.String,
    "file_name": pl.String,
    "format": pl.String,
    "title": pl.String,
    "publisher": pl.String,
    "source_url": pl.String,
    "dateline": pl.String,
    "date_lines": pl.List(pl.String),
    "meta_date": pl.String,
    "copyright_year": pl.Int32,
}

# --- spam scoring weights (the rejection threshold lives in expectations/clean.json) ---
# chosen out of fold (`make train`); position weighs nothing in the sum, because it acts through the article-span
# rules (promotional text before the first or after the last plain paragraph), and a term of its own only
# pushed helplines and ticket paragraphs near the end over the threshold
SPAM_WEIGHTS = {"promo": 0.45, "offtopic": 0.3, "header": 0.15, "position": 0.0}
PROMO_SOME = 0.2      # some promotional evidence: more than the words alone of a plain paragraph give
PROMO_STRONG = 0.75    # promotional evidence that keeps a paragraph from marking where the article begins or ends
PROMO_SATURATED = 2.0  # twice the evidence that scores promo 1.0: spam whatever the other features say
PITCH_EVIDENCE = 0.85  # near-full promotional evidence that, pitched at the reader, is an advert however on-topic
PITCH_SCORE = 0.55     # the spam_score such a pitch gets: over the clean suite's threshold, under what saturation gives
MIN_WORDS_FOR_TOPIC = 6   # content words a block needs before its vocabulary says anything
LEAD_BLOCKS = 3           # the article's lead: its title and first paragraphs
ON_TOPIC_OVERLAP = 0.15   # share of a block's words found in the lead at which it is fully on topic
ON_TOPIC_IN_ARTICLE = 0.6  # ... or found in the article's other plain paragraphs (a later turn of the story)
# learned promotional evidence (`make train`); weight, margin and shrinkage by 5-fold cross-validation on the tune split
LEXICON_FILE = Path(__file__).with_name("spam_lexicon.json")
LEXICAL_WEIGHT = 10.0     # promo hits per unit of mean log-odds above the margin
LEXICAL_MARGIN = 0.15
LEXICAL_PRIOR_TOKENS = 4  # shrinks the mean of a short line towards neutral

CHROME_PHRASES = {
    "top of page", "bottom of page", "back to top", "skip to content", "skip to main content", "menu",
    "home", "search", "comments", "comment", "leave a comment", "share", "share this", "share this article",
    "share this story", "tweet", "print", "email", "tag cloud", "tags", "featured review", "related",
    "related stories", "related articles", "read more", "read next", "more stories", "advertisement",
    "sponsored", "subscribe", "sign up", "sign in", "log in", "newsletter", "follow us", "trending",
    "most read", "most popular", "latest news", "you may also like", "recommended", "next article",
    "previous article", "close", "cookie settings", "accept cookies", "privacy policy", "terms of use",
    "enter your email", "enter your email address", "reply",
}
# the words of a share bar ("Facebook  X  WhatsApp  Copy link", "Print | Send to a friend")
SHARE_BAR_WORDS = frozenset(
    "share tweet print email mail copy link save send to a friend colleague on via this article story post page back "
    "facebook twitter x whatsapp linkedin pinterest reddit telegram messenger bluesky threads".split())
# a cookie banner's buttons and a page foot's links: "Accept all | Manage preferences", "Privacy policy | Contact"
PAGE_LINK_WORDS = frozenset("accept all reject manage preferences cookie cookies settings only necessary essential privacy "
                            "policy notice contact terms and conditions of use about us accessibility sitemap help".split())
# the fields and button of a sign-up form
SIGN_UP_FORM_WORDS = frozenset("your email e mail address name first last sign me up subscribe now free join submit go "
                               "today enter here register required it's".split())
CHROME_PREFIX = re.compile(
    r"^(?:comments?\s*\(\d+\)|\d+\s+(?:reader\s+)?comments?|have your say\b|(?:\(c\)|©|copyright\b)|follow us\b|"
    r"share on\b|posted in\b|filed under\b|tags?:|tagged\s*:|categories?:|you are here\s*:|"
    r"related(?: stories| articles| links| reading)?\s*:|"
    r"listen to this (?:article|story)\b|listen on\s*:|more on this (?:story|topic)\b|report a problem with this page|"
    r"send us your (?:news|stories|story|photos|pictures|views)\b|got a (?:story|news tip)\b|subscribe from [$€£]\d)",
    re.I,
)
# the heading of a comments section: "Comments (4)", "3 responses to ...", "5 thoughts on ...", "Reader comments"
COMMENTS_HEADING = re.compile(r"^(?:(?:(?:most popular|top|latest|newest|featured|readers'?|reader)\s+)?comments?\s*(?:\(\d+\))?|"
                              r"have your say\s*(?:\(\d+\))?|"
                              r"\d+\s+(?:reader\s+)?(?:comments?|responses?|replies|thoughts)\b.*)\s*:?$", re.I)
AGO = r"\d+\s*(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|mo|months?|y|yrs?|years?)\s+ago"
# a reader comment's header: "Helen T. says:", "Jo from Harlow Row wrote:", "wendy.h · 2 days ago", "#4 — jo_b — 3h ago",
# and a time stamp of its own under the name ("1 day ago at 3:02 am")
COMMENT_HEADER = re.compile(rf"^[\w.'’ -]{{1,40}} (?:says|said|wrote|replied)\s*:$"
                            rf"|^(?:#\d+\s*[·•|–—-]\s*)?[\w.'’ -]{{2,40}}?\s*[·•|–—-]\s*{AGO}$"
                            rf"|^{AGO}(?:\s+at\s+\d{{1,2}}[:.]\d{{2}}\s*(?:[ap]\.?m\.?)?)?$", re.I)
COMMENT_RULES = ("comment_header", "comment_time", "reader_comment")  # the rules that make a line part of a comment
# an invitation to a newsletter or an app: the page's own (naming the site) is chrome, another organisation's is spam
NEWSLETTER_INVITE = re.compile(r"\b(?:newsletter|briefing|bulletin|round-?up|digest|never miss a (?:story|post)|"
                               r"(?:new )?posts (?:from [\w'’ ]{1,40} )?by e-?mail|(?:in|to) your inbox|(?:weekly|daily|alerts?) emails?|email alerts?|"
                               r"enter your email|subscribe (?:to [\w'’ ]{1,40} )?by e-?mail|"
                               r"(?:get|download) (?:our|the(?: [\w'’ ]{1,30})?) (?:free )?app|"
                               r"app\b.{0,40}\b(?:iphone|android|app store|google play)|"
                               r"subscribe to|sign up (?:for|to)|monthly emails?|support (?:us|the show|our \w+))\b",
                               re.I)
FORM_SMALL_PRINT = re.compile(r"\bunsubscribe\b|\bprivacy (?:policy|notice)\b|\bnever share\b", re.I)
# what a publication says of its own business: subscriptions, its newsroom, advertising with it, who publishes it
# what only a publication has or sells: its newsroom, its editions, its notices
PUBLICATION_ONLY = (r"news ?desk|newsroom|sports desk|print edition|e-edition|announcements team|(?:death|family) notices|"
                    r"readers?(?:'|’s?)? (?:offers?|holidays|travel|trips)|exclusive to (?:[\w'’]+ ){1,3}readers|"
                    r"already a subscriber|log in to (?:read|continue reading)|"  # a paywall's prompt
                    r"print (?:\+|and|&) digital|digital[- ]only")
PUBLICATION_BUSINESS = FoldedPattern(
    rf"\b(?:{PUBLICATION_ONLY}|news tips?|story tips?|advertis(?:e|ing) with|advertising (?:enquiries|team)|"
    r"subscri(?:be|ption|ptions team)|digital (?:access|edition)|unlimited access|journalism|"
    r"trading name of|(?:^|is |are )published by|registered (?:in|office|no|number|charity)|company (?:no|number)|gift aid|"
    r"contact (?:us|the)|media enquiries|press office)\b")
# ... and what marks it the page's own, whoever's name it gives
PUBLICATION_OWN = re.compile(rf"\b(?:{PUBLICATION_ONLY}|subscriptions? team|digital (?:access|edition|subscription)|"
                             r"unlimited (?:digital )?access|every story|(?:local|independent) journalism|\d+ issues)\b", re.I)
# "The Kilnworth Gazette is published by Westmere Newspapers Ltd.": the page's own name
PUBLISHER_LINE = re.compile(
    r"^(?:the )?([\w'’&. -]{3,60}?),? (?:is (?:a trading name of|published by|part of|owned by)|published by)\b", re.I)
MAILING_FOOT = re.compile(r"\bunsubscribe\b|\bview (?:this email )?in (?:your )?browser\b", re.I)
SITE_VOICE = re.compile(r"\bour\b", re.I)
# what only a news site's own box offers: its news ("breaking news and live updates", "the day's top stories")
NEWS_OFFER = re.compile(r"\b(?:news|live updates|new posts|never miss a (?:story|post)|(?:top|latest|local|biggest) (?:[\w'’]+ ){0,2}"
                        r"(?:stories|headlines))\b", re.I)
# ... and what a shop's or a club's offers: a newsletter of deals is not news
SALES_OFFER = re.compile(r"\b(?:offers?|deals?|discounts?|vouchers?|codes?|sales?|bargains?|members-only)\b|%\s*off\b", re.I)
# words of any company's name, not of one site's ("Ashcombe Courier Media Ltd" is named by "ashcombe", "courier")
COMPANY_NAME_WORDS = frozenset("ltd limited plc llc inc gmbh media group holdings".split())
# the endings of a host name ("thegazette.com"), which every site's address shares
DOMAIN_ENDING_WORDS = frozenset("com org net gov edu info biz test example".split())
# attribution of the article itself: where it was first published
SOURCE_LINE = re.compile(
    r"^(?:sources?|via|(?:originally|first) (?:published|posted|appeared) (?:at|on|in)|read the original(?: article)? at)"
    r"\s*:?\s*(?:\d+\s*/\s*)?(?:https?://|www\.)\S+",
    re.I,
)
RIGHTS = FoldedPattern(r"all rights reserved|contact us to remove|cookies? (?:policy|settings)|\b(?:uses?|use of) cookies\b|"
                       r"we value your privacy|(?:store|access) information on (?:a|your) device|"
                       r"email address will not be published|required fields are marked|^leave a (?:reply|comment)\b|"
                       r"comments are (?:moderated|closed)|"
                       r"^(?:was|is|did you find) this (?:article|page|story|post) (?:helpful|useful)|"
                       r"^(?:[\w&'’., -]{2,60} is )?(?:a )?registered charity(?:,? (?:no\.?|number) ?\w+)?\.?$")  # and nothing else
HOLDER_BEFORE_YEAR = re.compile(r"(?:\((?i:c)\)|©|(?i:copyright))\s+([A-Z][^\d|·•]{2,60}?),?\s+(\d{4})\b")  # "© Lanthorn Post 2025"
COPYRIGHT = re.compile(r"(?:\(c\)|©|copyright)\s*(?:\d{4}\s*[-–]\s*)?(\d{4})\s*,?\s*(.*?)[.\s]*(?:all rights reserved.*)?$", re.I)
CAPTION = FoldedPattern(
    r"credit\s*\.{2,}|\b(?:photo(?:graph)?|image|picture|video)\s*(?:credit)?\s*:|\(\s*(?:ap\s+)?photo\b|\bphoto by\b|"
    r"getty images|\bafp via\b|/\s*(?:afp|reuters|ap)\s*$|\bvia (?:associated press|reuters|afp|ap)\b|file photo"
)
BYLINE = re.compile(r"^(?:[Bb][Yy]|(?:[Pp]osted|[Ww]ritten|[Rr]eported|[Ww]ords|[Tt]ext|[Ss]tory) by:?|[Aa]uthor:)\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}(?:\s*(?:,|and|&)\s*[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})*(?:\s*[|,–—-]\s*.{0,40})?$")
# a byline that names no person: "By the editorial staff", "By Herald staff", "Author: (mk)"
STAFF_BYLINE = re.compile(r"^(?:by|author:|written by:?)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,3}(?:staff|desk|editorial (?:staff|team|office)|"
                          r"reporters?|correspondents?)$|^author:\s*\(?[a-z]{1,4}\)?$", re.I)
# a credit line opens with its role ("Reporting by …; Editing by …") or ends with who contributed ("Ines Varga
# contributed reporting from Wenlow."); the same words inside a sentence ("figures compiled by the council") are news
CREDIT = FoldedPattern(
    r"^\(?(?:(?:additional |with )?reporting by|editing by|edited by|writing by|compiled by|translated (?:from|by))\b"
    r"|\b(?:contributed(?: to)?(?: (?:reporting|reports?|to this (?:report|story)))?(?: from [\w ,]+)?"
    r"|reported from [\w ,]+)[.)]*$"
)
CLOCK_TIME = r"\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?(?:\s*\(?[A-Z]{2,5}\)?)?"  # 9:41 a.m. ET, 16:20 (GMT)
# a reader comment signed with its name and when it was posted: "Pauline Ashby — 15 May 2025 at 8:14 am"
COMMENT_SIGNATURE = re.compile(rf"^[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){{0,3}}\s*[,|·•—–-]\s*(?i:{DATE_PATTERN})"
                               rf"(?:\s*[,|·•—–-]?\s*(?:at\s+)?{CLOCK_TIME})?$")
# a line that ends with when something was posted: "Best Seafront Deals · 1 hour ago", "Lena on 3 May 2026 at 10:02 pm"
POSTED_STAMP = re.compile(rf"(?:{AGO}|(?i:{DATE_PATTERN})(?:\s*,?\s*(?:at\s+)?{CLOCK_TIME})?|{CLOCK_TIME})\s*$", re.I)
DATE_LINE = re.compile(rf"^(?:{CLOCK_TIME}\s*[,|/·•—–-]?\s*)?{DATE_PATTERN}(?:\s*[,|/·•—–-]?\s*(?:at\s+)?{CLOCK_TIME})?"
                       r"(?:\s*\(?[A-Z]{2,5}\)?)?[.\s]*$", re.I)
DATE_SHAPED = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$|^\d{1,2}[/.]\d{1,2}[/.]\d{4}$")  # invalid numbers still look like a date
# "OSLO -", "PORTHENNA, England, Nov. 18, 2025 (Agency) -": a place in capitals, regions, a date, the agency
DATELINE_LEAD = re.compile(
    rf"^((?:[A-Z][A-Z'’.-]{{2,}}(?:\s+[A-Z][A-Z'’.-]{{1,}})*)(?:,\s+(?!(?i:{MONTHS})\.?\s+\d)[A-Z][a-zA-Z.]+(?:\s+[A-Z][a-z]+)?){{0,2}}"
    rf"(?:,?\s+(?:(?i:{MONTHS})\.?\s+\d{{1,2}}(?:,\s+\d{{4}})?|\d{{1,2}}\s+(?i:{MONTHS})\.?(?:\s+\d{{4}})?))?"
    rf"(?:\s*\([A-Za-z .]+\))?)\s*(?:[-–—:]\s*|\s+(?=[A-Z]))"
)
AGENCY_IN_DATELINE = re.compile(r"\(([A-Za-z .]+)\)$")  # the agency at a dateline's end: "(Northwire)"
# a dateline line of its own with a full date: "SANTA LUZIA, 12 August 2025 (Lusopress)"
DATED_DATELINE = re.compile(r"^[A-Z][A-Z'’. -]{2,},\s+(.{8,40}?)(?:\s*\([A-Za-z .]+\))?\s*[-–—:]?$")
URL = GuardedPattern(re.compile(
    r"https?://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+|\b[\w-]+\.(?:com|org|net|io|co|biz|info)\b(?:/\S*)?"
    r"|(?-i:\b[a-z0-9][a-z0-9-]*[a-z0-9](?:\.[a-z0-9-]+)*\.(?!(?:pdf|docx?|xlsx?|csv|jpe?g|png|gif|txt|html?|zip)\b)"
    r"[a-z]{2,6}\b(?![.\w])(?:/\S*)?)", re.I),  # any lower-case host name, not a file name
    r"(?i)://|www\.|\.[^\W\d_]")
HOST_NAME = re.compile(r"\b(?:https?://)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b(?:/\S*)?", re.I)  # any form, to find the site's own
EMAIL = GuardedPattern(re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b"), "@")
# (a look-ahead at the characters a match can open with lets the engine pass over the others at once)
PHONE = re.compile(r"(?=[+(\d])(?:(?:\+\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b"
                   r"|(?:\+\d{2}\s?\(?0?\)?|\b0)\d{2,4}[\s-]\d{3,4}[\s-]\d{3,4}\b)")  # national trunk-prefix shapes: 0161 496 0712
PRICE = re.compile(r"(?=[$€£\d])(?:[$€£]\s?\d|\b\d+\s?% off\b|\b\d+(?:[.,]\d\d)? (?:pounds|euros|dollars)\b(?! (?:a|per) ))", re.I)
WIRE_TAG = re.compile(
    r"/\s*(?:accesswire|prnewswire|pr newswire|business wire|globe newswire|globenewswire|einpresswire|newswire)\s*/"
    r"|/\s*[A-Z][A-Za-z ]{2,25}/\s*(?:--|—|–)"  # the "CITY, date /Distributor/ --" shape of a syndicated release
    r"|\bpress release\b"
    r"|^About [A-Z][\w&.'’ -]{1,40}:\s",  # the company boilerplate that closes every press release
    re.I,
)
CALL_TO_ACTION = FoldedPattern(
    r"\b(?=[a-z\d])(?:click here|click (?:join|below)|visit (?:us|our|www|https?)|call (?:now|today|us)|for more info(?:rmation)?|"
    r"free (?:quotes?|trial|consultation|shipping|daily|weekly)|order now|buy now|shop now|sign up|subscribe|subscribing|"
    r"newsletter|unsubscribe|limited[- ]time|act now|don'?t miss|never miss|get (?:your|a) free|special offer|"
    r"exclusive (?:offers?|deals?)|best deals?|discount code|promo(?:tion)? code|contact us|learn more at|apply now|book (?:now|today|direct|a free)|"
    r"sponsored(?! (?!(?:links?|by|content|posts?|stories|articles|listings?)\b)[a-z])|advertisement|on sale|only \$|was \$|rrp|enter your email|marketing emails|best price|(?<!not )cheap(?:est)?|"
    r"for sale|near me|buy \w+ online|(?:straight |right )?to your inbox|claim (?:your|now)|no deposit|"
    r"(?:book|schedule) a (?:free |demo|call)|free consultation|offer ends|while (?:supplies|stocks) last|limited stock|"
    r"at checkout|\d+ ?(?:percent|per cent) off|free bets?|new customers only|latest odds|recommended for you|"
    r"partner content|sponsored content|we may earn a commission|(?:download|get) (?:our|the) [\w ]{0,30}app|"
    r"(?:you(?:'re| are)|you were) receiving this|manage (?:your )?preferences|sent to you by|sign up here|"
    r"in your inbox|media (?:contact|enquiries|inquiries)|advertise with us|for a free valuation|app store|google play|"
    r"(?:free |next[- ]day )?delivery (?:within|included)|(?:\d+|one|two|three|five|ten)[- ]year guarantee|"
    r"money[- ]back guarantee|(?:at|from) our partner (?:store|shop|site)|"
    r"(?:use|with|enter) (?:my |the |our |promo |discount )?code [a-z]*\d+[a-z\d]*)\b"
)
# advance-fee scam mail, and the get-rich, dating and job-abroad pitches of the same trade
SCAM = FoldedPattern(
    r"\b(?=[a-z\d])(?:dear (?:beloved )?friend|next of kin|in my custody|transfer (?:this|the) (?:fund|money|sum)|your (?:bank )?account|"
    r"strictly confidential|beneficiary|yours faithfully|the sum of|"
    r"lottery(?![- ](?:community )?(?:grants?|backing|fund(?:s|ing|ed)?|support|good causes))|"  # not a good cause's grant
    r"honest cooperation|god bless|reply (?:urgently|immediately)|inheritance|greetings in the name of|"
    r"my late (?:husband|father|client)|your (?:computer|device|pc) (?:has been|is) (?:blocked|locked|infected)|"
    r"dear (?:lucky )?(?:winner|customer|user|valued customer|sir(?:/madam)?|account holder)|congratulations\W+(?:you|your|dear|winner|lucky)|"
    r"(?:has|have|was|were) (?:been )?(?:randomly )?(?:selected|chosen)|(?:temporarily )?suspended|verify your (?:identity|account)|"
    r"unusual (?:activity|sign-in)|giveaway|send (?:any amount|\d)|no experience needed|"
    r"(?:earn|earning|work|working|money) from home|"
    r"earn(?:ing)? (?:from home )?(?:up to )?(?:[€$£]\d[\d.,]*|\d[\d.,]*\s*(?:€|euros?|lei|dollars?|pounds?)) (?:a|per) (?:day|week)|"
    r"(?:meet|lonely|real|local|hot) (?:christian )?singles|single (?:ladies|women|girls)|lonely (?:girls|ladies|women)|"
    r"your (?:perfect )?match is waiting|(?:trading|crypto|bitcoin) (?:platform|robot|bot)|auto-?trader|"
    r"flights? and (?:housing|accommodation) (?:paid|included)|accommodation (?:assured|guaranteed)|"
    r"doctors (?:hate|are stunned|stunned)|will (?:shock|amaze|stun) you|you won'?t believe|one (?:simple|weird|odd) trick|"
    r"melts? (?:belly )?fat|(?:delivery|processing|release|clearance) "
    r"(?:fee|tax|charge)|jackpot)\b"
)
# the small print of a bookmaker's offer: news about betting quotes odds, not these
BETTING_OFFER = FoldedPattern(
    r"\b(?:(?:please )?gamble responsibly|begambleaware|odds boost|enhanced odds|bet £?\d+,? get|"
    r"(?:prices|odds) (?:correct at (?:the )?time of (?:publication|writing)|subject to change))\b")
# what the entries of an SEO link list sell
COMMERCIAL = re.compile(
    r"\b(?:cheap(?:est)?|best|buy|loans?|casinos?|deals?|discounts?|online|free|sale|bitcoin|crypto|vpn|insurance|pills?|"
    r"essays?|payday|betting|replica|outlet|coupons?|bargains?)\b",
    re.I,
)
PUBLIC_SERVICE = FoldedPattern(
    r"\b(?:council|police|hospital|nhs|school|library|museum|club|charity|trust|authority|ministry|department|"
    r"agency|university|college|parks?|helpline|emergency services|"
    r"(?:residents|households|owners|tenants|passengers|patients|parents|families|victims|anyone|customers)"
    r" (?:who|can|should|are advised|must|affected))\b")
# a quotation and who said it: '"Anyone who saw the car should call us on ...," she said.'
ATTRIBUTED_QUOTE = re.compile(r"^[“\"‘].{20,}[,.!?][”\"’]\s+(?:[\w.'’-]+\s+){0,6}?(?:said|says|added|told)\b")
# 'A second version reads: "Your parcel is on hold ..."': the article quotes a text it reports on
INTRODUCED_QUOTE = re.compile(r"\b(?:reads?|began|went|wrote):\s*[\"“]")
OPENING_QUOTES, CLOSING_QUOTES = "\"“‘", "\"”’"
QUOTE_MOST_BLOCKS = 8  # a quoted letter's paragraphs, up to its closing quote
# an advert's opening hook, a short question to the reader: "Dust-covered car? ...", "Planning a weekend away? ..."
HOOK_QUESTION = re.compile(r"^(?:\S+\s+){0,7}?\S+\?\s+\S")
FIRST_PERSON = re.compile(r"\b(?:i|we|my|our|me|us)\b", re.I)
WRITER_VOICE = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|I'd|I’d|[Mm]y|me)\b")  # a writer speaking for themself
# a pitch to the reader: "you", "your", or a sentence opening with a sales verb ("Book now", "Don't wait")
READER_PITCH = re.compile(r"\b(?:you|your|you're|you’re)\b|(?:^|[.!?]\s+)(?:book|call|visit|join|register|try|get|claim|"
                          r"order|buy|shop|start|invest|meet|compare|discover|apply|download|grab|save|protect|don'?t)\b", re.I)
# a sponsored teaser's curiosity gap: "what happened next is genius", "could be worth £2,000", "see why"
CLICKBAIT = FoldedPattern(r"\b(?:what happened next|could be worth|you won'?t believe|doctors hate|hate (?:him|her|this)|"
                          r"(?:are|is) rushing to|one (?:simple |weird )?trick|little-known|see why\W*$|here'?s why|"
                          r"the reason will|what (?:it|she|he|they) turned out|looks? (?:completely |totally )?different now|"
                          r"then (?:she|he|they) tried this|will shock you|jaw-dropping|banks (?:do not|don'?t) want you to know|"
                          r"nobody (?:is )?talking about|before it'?s too late|check if you qualify)")
REPORTED_SPEECH = FoldedPattern(r"\b(?:said|says|told|according to|asked|urged|appealed|advised|warned)\b")
# a paid slot of a page: "Property of the week", "JOB OF THE WEEK: ...", "Deal of the day"
ADVERT_SLOT = (r"(?:property|home|house|job|deal|offer|car|holiday)s? (?:of the|this) (?:week|day|month)"
               r"|(?:jobs?|homes?|deals?) near you")
# the heading of a widget list under an article; a heading that names itself advertising condemns its entries
LIST_HEADING = re.compile(
    r"^(?:you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|recommended(?: for you| reading| stories)?|"
    r"around the web|more (?:from|on|in) [\w'’&, -]{1,30}|more (?:[\w'’&-]+ ){0,2}(?:news|stories|sport|headlines)|"
    r"from (?:our|the) (?:partners|web)|(?:promoted|sponsored|partner)(?: stories| links| content| offers)?|"
    r"trending(?: now)?|popular (?:now|today)|editor'?s picks|more stories|"
    r"related(?: stories| articles| reading)?|read (?:more|next)|our pick[\w ]{0,40}|"
    rf"most (?:read|popular|viewed|shared|watched)(?: (?:in|on) [\w' ]{{1,30}})?|{ADVERT_SLOT})\s*:?$", re.I)
# the label of an ad slot: part of the advert under it, page chrome when the slot is empty
ADVERT_MARKER = re.compile(r"^\W*(?:advertisement|advert|ad|sponsored(?: content| post| links?)?|promoted(?: content)?|"
                           r"paid (?:content|partnership|promotion|post))\W*$", re.I)
# a press release's own envelope: the line that opens it and the mark that closes it ("###", "-ENDS-")
RELEASE_OPENING = re.compile(r"^\W*(?:for immediate release|(?:press|news|media) release)\W*$", re.I)
RELEASE_CLOSING = re.compile(r"^\W*(?:#\s*#\s*#|-*\s*ends\s*-*)\W*$", re.I)
RELEASE_MIN_WORDS = 20  # fewer words under a release line are a page's label and header, not a release
ADVERT_SLOT_OPENING = re.compile(rf"^{ADVERT_SLOT}\b", re.I)
ADVERTISING_HEADING = re.compile(rf"around the web|partner|promoted|sponsored|{ADVERT_SLOT}", re.I)
# the close of a letter or a post, before the writer's name
VALEDICTION = re.compile(r"^(?:with )?(?:(?:best|warm|kind)(?:est)? (?:wishes|regards)|regards|many thanks|thanks|thank you|love|"
                         r"cheers|yours(?: sincerely| faithfully| truly)?|all the best|with thanks\b.*|see you [\w ]{1,30})[,!.]?$",
                         re.I)
NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
# a result, a count or a time at the end of a line ("Turnout: 31.4%", "Ruth Amadi (Green) 233"), or a labelled value
# with a figure ("Saturday, July 26: the Foley Brothers"); a price at the end is an offer, not a result
RESULT_LINE = re.compile(r"(?<![£$€\w.,:])\d+(?:[.,:]\d+)*\s*%?$|^[^:]{2,40}\d[^:]*:\s|^[^:\d]{2,40}:\s.*\d")
LIST_ENTRY_MAX_WORDS = 30
CARD_LINE_MAX_WORDS = 15
OWN_RULES = ("own_newsletter", "own_furniture", "own_box")  # the rules that find the site's own boxes
OWN_BOX_LINE_MAX_WORDS = 30
LIST_SEPARATOR = re.compile(r"\s[|•·»›/>]\s")  # menus, breadcrumbs, link lists
# a scraped menu's items may be parted by spaces alone, and a breadcrumb may be two ("Business › Retail")
NAVIGATION_SEPARATOR = re.compile(r"\s[|•·»›/>]\s|\s{2,}")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
SENTENCE_BREAK = re.compile(r"(?<=[.!?:])\s+")
STOPWORDS = frozenset(
    "the a an and or but of to in on at for from by with as is are was were be been being it its this that these those "
    "he she they them his her their we our you your i me my not no yes so if than then there here has have had do does did "
    "will would can could should may might must said says say also more most some any all one two three about after before "
    "over under into out up down new who whom which what when where why how while just only other such own same very".split()
)
TERMINAL = (".", "!", "?", "”", '"', "’", "'", ":", ")")


@dataclass
class Block:
    text: str
    kind: str | None = None  # a structural kind, or None for a body candidate
    rule: str = ""
    scores: dict[str, float] = field(default_factory=dict)
    run: int | None = None  # which blank-line-separated group of lines it came in
    features: list[float] | None = None  # a body candidate's row for the spam model (assets/spam_model.py)


@dataclass
class Document:
    article_id: str
    blocks: list[Block]
    meta: dict[str, str | None] = field(default_factory=dict)


# ----------------------------------------------------------------------------- decoding

def decode_bytes(content: bytes) -> tuple[str, str]:
    """Decode raw bytes to text and repair mojibake; returns (text, encoding used)."""
    import ftfy

    if content.startswith(b"\xef\xbb\xbf"):
        text, enc = content[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, enc = content.decode("utf-16", errors="replace"), "utf-16"
    else:
        try:
            text, enc = content.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, enc = content.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                text, enc = content.decode("latin-1"), "latin-1"
    # repair mojibake only: quotes, ligatures and widths stay as the author wrote them
    return ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False, fix_latin_ligatures=False,
                         fix_character_width=False), enc


# ----------------------------------------------------------------------------- splitting

WRAP_MIN, WRAP_MAX = 40, 100  # widths at which wire copy and mail are wrapped
WRAP_SLACK = 12  # a wrapped line ends within about a word of the width


def _wrap_width(lines: list[str]) -> int | None:
    """The width a text was wrapped at: the line length with most lines just under it (a wrapped paragraph's
    lines fill to within a word of the width), when at least two lines are there and few run past it (a web
    page's paragraphs are single long lines, and the headlines in its lists are not wrapped text)."""
    widths = [len(s) for s in lines if WRAP_MIN <= len(s) <= WRAP_MAX]
    near = {w: sum(1 for v in widths if w - WRAP_SLACK <= v <= w) for w in set(widths)}
    width = max(near, key=lambda w: (near[w], w), default=None)
    past = sum(1 for s in lines if width and len(s) > width)
    return width if width and near[width] >= max(2, 2 * past) else None


def _continues_wrapped_line(line: str, nxt: str, width: int) -> bool:
    """Is `nxt` the rest of `line`'s paragraph? A wrapped line is full (the next word would not have fitted)
    and, unless the next line starts in lower case, does not end a sentence. A Title Case line is a heading.
    (Lines with a structural kind of their own are kept apart by the caller.)"""
    if not WRAP_MIN <= len(line) <= width or len(nxt) > WRAP_MAX:
        return False
    if nxt[:1].islower():  # a heading is never followed by the rest of its sentence
        return True
    if DATELINE_LEAD.match(line):  # a dateline opens a paragraph's first sentence
        return not line.endswith(TERMINAL)
    words = _words(line)
    if words and sum(1 for w in words if w[0].isupper()) / len(words) > 0.6:
        return False
    return not line.endswith(TERMINAL) and len(line) + 1 + len(nxt.split()[0]) > width and len(line) >= width - 20


def split_text_runs(text: str) -> list[list[str]]:
    """Paragraphs grouped by the blank lines between them; hard-wrapped lines are joined into their paragraph."""
    runs: list[list[str]] = []
    run: list[str] = []
    width = _wrap_width([line.strip() for line in text.splitlines()])
    for line in text.splitlines() + [""]:
        stripped = line.strip()
        if stripped:
            run.append(stripped)
            continue
        if run:
            structural = [width is not None and structural_kind(s)[0] is not None for s in run]
            paragraphs, paragraph = [], [run[0]]
            for k, (prev, nxt) in enumerate(zip(run, run[1:])):
                if width and not (structural[k] or structural[k + 1]) and _continues_wrapped_line(prev, nxt, width):
                    paragraph.append(nxt)
                else:
                    paragraphs.append(" ".join(paragraph))
                    paragraph = [nxt]
            runs.append(paragraphs + [" ".join(paragraph)])
            run = []
    return runs


def split_text_blocks(text: str) -> list[str]:
    return [p for run in split_text_runs(text) for p in run]


def blocks_from_text(text: str) -> list[Block]:
    """Blocks that remember their blank-line run, when the text has blank lines at all."""
    runs = split_text_runs(text)
    return [Block(p, run=r if len(runs) > 1 else None) for r, run in enumerate(runs) for p in run]


def documents_from_text(article_id: str, text: str) -> list[Document]:
    return [Document(article_id, blocks_from_text(text))]


def documents_from_jsonl(file_id: str, text: str) -> tuple[list[Document], list[dict]]:
    """One document per JSON record; a bad line is rejected and the rest are kept."""
    docs, rejected = [], []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        article_id = f"{file_id}:{lineno}"
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
                raise ValueError("record has no non-empty 'text' string")
        except ValueError as exc:
            rejected.append({"file_id": file_id, "article_id": article_id, "reason": "bad_jsonl_record",
                             "detail": f"line {lineno}: {str(exc)[:200]}"})
            continue
        blocks = []
        if isinstance(record.get("title"), str) and record["title"].strip():
            blocks.append(Block(record["title"].strip(), "title", "jsonl_field"))
        blocks.extend(blocks_from_text(record["text"]))
        meta = {k: str(record[k]).strip() for k in ("date", "url", "publisher") if record.get(k)}
        docs.append(Document(article_id, blocks, {"meta_date": meta.get("date"), "url": meta.get("url"),
                                                  "sitename": meta.get("publisher")}))
    return docs, rejected


HTML_CONTAINERS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "caption", "td", "th", "dt", "dd",
                   "blockquote", "pre", "address", "div"}
HTML_INLINE = {"a", "span", "small", "time", "button", "label"}  # a block of their own only outside any container
HTML_SKIP = {"script", "style", "noscript", "template", "head", "svg", "iframe", "form", "select", "option"}


def visible_blocks(html: str) -> list[str]:
    """Visible text of the page as blocks in page order: the innermost block elements with text."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception:  # lxml raises on empty or non-markup documents
        return split_text_blocks(html)
    for bad in root.xpath("//" + " | //".join(HTML_SKIP)):
        bad.drop_tree()
    blocks: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in HTML_CONTAINERS:
            if any(isinstance(d.tag, str) and d.tag in HTML_CONTAINERS for d in el.iterdescendants()):
                continue
        elif el.tag not in HTML_INLINE or any(a.tag in HTML_CONTAINERS for a in el.iterancestors()):
            continue
        text = " ".join(el.text_content().split())
        if text:
            blocks.append(text)
    return blocks


def documents_from_html(article_id: str, html: str) -> list[Document]:
    """Main text via trafilatura; other visible blocks keep a structural kind or are boilerplate."""
    import trafilatura
    from htmldate import find_date

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                            include_tables=False, favor_recall=True)
    title = " ".join((extracted.title or "").split()) if extracted else ""
    main_lines = [" ".join(t.split()) for t in split_text_blocks(extracted.text or "")] if extracted else []
    main_set = set(main_lines)
    blocks: list[Block] = []
    placed: set[str] = set()
    title_placed = False
    for text in visible_blocks(html):
        if text == title and not title_placed:
            blocks.append(Block(text, "title", "html_title"))
            title_placed = True
        elif text in main_set and text not in placed:
            blocks.append(Block(text))
            placed.add(text)
        else:
            kind, rule = structural_kind(text)
            blocks.append(Block(text, kind if kind in ("date", "byline", "caption", "credit") else "boilerplate",
                                rule if kind in ("date", "byline", "caption", "credit") else "html_outside_main_text"))
    last_main = max((i for i, b in enumerate(blocks) if b.kind is None), default=len(blocks) - 1)
    missing = [Block(t) for t in main_lines if t not in placed and t != title]
    blocks[last_main + 1:last_main + 1] = missing
    if title and not title_placed:
        blocks.insert(0, Block(title, "title", "html_metadata"))
    meta_date = None
    try:
        meta_date = find_date(html, original_date=True, extensive_search=False, outputformat="%Y-%m-%d")
    except Exception:  # htmldate raises on pathological markup; the date stage then has no metadata date
        meta_date = None
    meta = {"meta_date": meta_date, "url": extracted.url if extracted else None,
            "sitename": extracted.sitename if extracted else None}
    return [Document(article_id, blocks, meta)]


# ----------------------------------------------------------------------------- classification

def _norm(text: str) -> str:
    return re.sub(r"[^a-z ]+", "", text.lower()).strip()


def _words(text: str) -> list[str]:
    return WORD.findall(text)


def _made_of(text: str, vocabulary: frozenset[str], most: int) -> bool:
    """Is the line a few words (at most `most`), all from `vocabulary`? (A share bar, a form's fields.)"""
    words = re.findall(r"[a-z]+", text.lower())
    return 0 < len(words) <= most and set(words) <= vocabulary


def is_chrome(text: str) -> bool:
    if _norm(text) in CHROME_PHRASES or CHROME_PREFIX.match(text) or RIGHTS.search(text) or ADVERT_MARKER.match(text):
        return True
    page_links = len(text.split()) >= 2 and _made_of(text, PAGE_LINK_WORDS, 8)
    if (_made_of(text, SHARE_BAR_WORDS, 12) or page_links) and not text.rstrip().endswith((".", "!", "?")):
        return True
    if len(text.split()) <= 8 and COPYRIGHT.search(text) or "©" in text and len(text.split()) <= 16:
        return True
    parts = _menu_items(text, LIST_SEPARATOR)
    if not parts and not NUMBER.search(text):
        # a menu may be spaced out with no separators, but a row of figures or a few column heads is a table's
        spaced = _menu_items(text, NAVIGATION_SEPARATOR)
        parts = spaced if len(spaced) >= 5 else []
    # a menu, unless it sells ("cheap flights | fast loans online | best VPN deals" is a link list) or is the foot of
    # a mailing ("Unsubscribe | Update your preferences | View in browser": a web page sends no mail of its own)
    return (len(parts) >= 3 and sum(1 for p in parts if COMMERCIAL.search(p)) < 2 and not MAILING_FOOT.search(text))


# "Posted on 4 May 2024 by Jo Bell", "January 21, 2026 · 6 min read"
TRAILING_AUTHOR = GuardedPattern(re.compile(
    r"\s+by\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}$|\s*[·•|,-]?\s*\d+\s*min(?:ute)?s?\s+read$"), r"\sby\s|read$")
# "Posted by Jo Bell on 4 May 2024", "By Jo Bell | 4 May 2024"
LEADING_AUTHOR = re.compile(r"^(?:(?i:posted|written|published)\s+)?(?i:by)\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}"
                            r"\s*(?:\son\s|[|,·•—–-])\s*")


def is_comment_signature(text: str) -> bool:
    """A comment's name and time line: "Maura (Quay Street) · 2 hours ago", "QuickCashUK says:"."""
    return bool(COMMENT_HEADER.match(text) or COMMENT_SIGNATURE.match(text)
                or len(text.split()) <= 12 and POSTED_STAMP.search(text) and not text.endswith((".", "!", "?")))


def is_date_line(text: str) -> bool:
    rest = TRAILING_AUTHOR.sub("", DATE_LABEL.sub("", LEADING_AUTHOR.sub("", text.strip())))
    return bool(rest) and len(rest.split()) <= 9 and bool(DATE_LINE.match(rest) or DATE_SHAPED.match(rest))


@functools.lru_cache(maxsize=4096)  # asked of each block by many rules
def is_headline_like(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 25 and len(text) <= 200 and not text.endswith((".", "!", "”", '"')) and text[0] not in "“\"'‘"


def _menu_items(text: str, separator: re.Pattern) -> list[str]:
    """The items of a menu (each one to three words) between separators, or none when the line is no such list."""
    parts = [p.strip() for p in separator.split(text.strip())]
    return parts if all(0 < len(p.split()) <= 3 for p in parts) else []


def _navigation(text: str) -> bool:
    """A menu or breadcrumb: two or more items of a few words each."""
    return len(_menu_items(text, NAVIGATION_SEPARATOR)) >= 2


@functools.lru_cache(maxsize=4096)
def is_paragraph(text: str) -> bool:
    """A sentence of some length, not a headline: what marks where an article's text runs."""
    return len(text.split()) >= 8 and not is_headline_like(text)


def structural_kind(text: str) -> tuple[str | None, str]:
    """A kind that follows from the line alone, or None for a body candidate."""
    if is_date_line(text):
        return "date", "date_line"
    if COMMENT_HEADER.match(text) or COMMENT_SIGNATURE.match(text):
        return "boilerplate", "comment_header"
    if is_chrome(text):
        return "boilerplate", "chrome"
    words = len(text.split())
    if words <= 12 and SOURCE_LINE.match(text):
        return "source", "source_url"
    if words <= 90 and CAPTION.search(text):
        return "caption", "photo_credit_marker"
    if words <= 14 and (BYLINE.match(text) or STAFF_BYLINE.match(text)):
        return "byline", "by_line"
    if words <= 25 and CREDIT.search(text):
        return "credit", "credit_phrase"
    m = DATELINE_LEAD.match(text)
    if m and m.end() >= len(text.rstrip(" -–—:")) - 1 or (m := DATED_DATELINE.match(text)) and is_date_line(m[1]):
        return "dateline", "dateline_only"
    return None, ""


@functools.lru_cache(maxsize=4096)
def content_words(text: str) -> frozenset[str]:
    """Lower-cased words that carry meaning, a possessive's "'s" dropped ("the council's" says "council").
    Cached: a block's words are asked for by the topic, lead and title rules alike."""
    words = {w.lower() for w in _words(text)} - STOPWORDS
    return frozenset((w[:-2] if w.endswith(("'s", "’s")) else w).rstrip("'’") for w in words if len(w) > 2)


def proper_names(text: str) -> set[str]:
    """Capitalised words inside a sentence (not its first word), lower-cased: the names a block mentions."""
    names = set()
    for sentence in SENTENCE_BREAK.split(text):
        words = _words(sentence)
        names.update(w.lower() for w in words[1:] if w[0].isupper() and not w.isupper() and w.lower() not in STOPWORDS)
    return names


def contact_hits(text: str) -> float:
    """Phones, calls to action and prices: the part of the promotional evidence that reporting also carries."""
    return 2 * len(PHONE.findall(text)) + 2 * len(CALL_TO_ACTION.findall(text)) + 0.5 * min(len(PRICE.findall(text)), 2)


def is_reported(text: str) -> bool:
    """Someone's reported words or a public service's notice: contact details there are news, not a sale."""
    return bool(REPORTED_SPEECH.search(text) or PUBLIC_SERVICE.search(text))


def promo_signals(text: str, names_in_article: bool = False) -> float:
    """Promotional and contact evidence: links, emails, phones, prices, wire tags, calls to action, shouting.
    1.0 is strong evidence (four hits); the score is capped there, but evidence past `PROMO_SATURATED`
    (keyword-stuffed ad copy) marks a block as spam on its own, however on-topic its words.
    `names_in_article`: every name in the block is one the article's plain paragraphs give, so its contact
    details are those of someone the article is about (the recall line of the retailer it reports on)."""
    contact = contact_hits(text)
    if contact and (names_in_article or is_reported(text)):
        contact /= 2  # a council's helpline, a club's ticket prices, what someone was told: reported, not sold
    if contact and ATTRIBUTED_QUOTE.match(text):
        contact /= 2  # a police officer's appeal in her own words
    hits = (
        len(URL.findall(text)) + 2 * len(EMAIL.findall(text)) + contact
        + 3 * len(WIRE_TAG.findall(text)) + text.count("!") + 2 * len(SCAM.findall(text))
        + (4 if ADVERT_SLOT_OPENING.match(text) else 0) + 4 * len(BETTING_OFFER.findall(text))
    )
    segments = [p for p in LIST_SEPARATOR.split(text) if p.strip()]
    if len(segments) >= 3 and all(len(p.split()) <= 7 for p in segments):  # a link list
        hits += 2 * sum(1 for p in segments if COMMERCIAL.search(p))
    if _keyword_stuffed(text):
        hits += 4
    if HOOK_QUESTION.match(text) and not FIRST_PERSON.search(text.split("?", 1)[0]):
        hits += 1
    if CLICKBAIT.search(text):
        hits += 2
    words = _words(text)
    if hits and len(words) >= 12:  # keyword stuffing: sales words, and the same word pairs over and over
        pairs = [f"{a.lower()} {b.lower()}" for a, b in zip(words, words[1:])]
        hits += 3 if 1 - len(set(pairs)) / len(pairs) > 0.2 else 0
    if len(words) >= 6:
        capitalised = sum(1 for w in words if w[0].isupper())
        shouting = sum(1 for w in words if len(w) > 2 and w.isupper())
        capitalised_small_words = any(w[0].isupper() and w.lower() in STOPWORDS for w in words[1:])
        hits += 2 if capitalised / len(words) > 0.8 and capitalised_small_words else 0  # Title Case Marketing Copy, not a table of names
        hits += 2 if shouting / len(words) > 0.3 else 0
    return (hits + lexical_evidence(text)) / 4


def _keyword_stuffed(text: str) -> bool:
    """Search phrases strung with commas, the same place or trade in three of them and sales words in two
    ("cheap glazier Fenmarsh, 24 hour glass repair Fenmarsh, ..."): SEO copy, not a list the article gives."""
    if text.count(",") + text.count(";") < 3:  # four phrases need three separators
        return False
    phrases = [p for p in re.split(r"[,;]", text) if p.strip()]
    short = [p for p in phrases if len(p.split()) <= 7]
    if len(short) < 4 or sum(1 for p in short if COMMERCIAL.search(p)) < 2:
        return False
    counts = Counter(w for p in short for w in {w.lower() for w in _words(p)} if w not in STOPWORDS)
    return max(counts.values(), default=0) >= 3


LEXICAL_PLACEHOLDERS = ((URL, " xurlx "), (EMAIL, " xemailx "), (PHONE, " xphonex "), (PRICE, " xpricex "),
                        (re.compile(r"\b\d{1,2}(?::\d{2}){1,2}\b"), " xtimex "),  # a clock time or a race time
                        (re.compile(r"\d+(?:[.,]\d+)*%?"), " xnumx "))


def lexical_tokens(text: str) -> list[str]:
    """Words and word pairs, with links, emails, phones, prices and numbers as placeholders (so the lexicon
    learns that an advert has a price, not which price). A run of numbers is one placeholder: a table's
    rows of figures say nothing about spam."""
    for pattern, token in LEXICAL_PLACEHOLDERS:
        text = pattern.sub(token, text)
    words = [w.lower() for w in _words(text)]
    words = [w for i, w in enumerate(words) if not (w == "xnumx" and i and words[i - 1] == "xnumx")]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


@functools.lru_cache(maxsize=1)
def spam_lexicon() -> dict[str, float]:
    """token -> log-odds of spam over body, learned from the labelled tune split (`make train`)."""
    return json.loads(LEXICON_FILE.read_text(encoding="utf-8"))["log_odds"]


_lexicon_in_use: dict[str, float] | None = None


@contextlib.contextmanager
def lexicon_in_use(log_odds: dict[str, float]):
    """Score with another lexicon inside the block (cross-validation scores each fold with its own)."""
    global _lexicon_in_use
    _lexicon_in_use = log_odds
    lexical_mean.cache_clear()
    try:
        yield
    finally:
        _lexicon_in_use = None
        lexical_mean.cache_clear()


@functools.lru_cache(maxsize=4096)  # a block's text is weighed as evidence and again as the model's feature
def lexical_mean(text: str) -> float:
    """The mean log-odds of the known tokens, shrunk towards neutral by `LEXICAL_PRIOR_TOKENS`."""
    lexicon = spam_lexicon() if _lexicon_in_use is None else _lexicon_in_use
    known = [lexicon[t] for t in lexical_tokens(text) if t in lexicon]
    return sum(known) / (len(known) + LEXICAL_PRIOR_TOKENS)


def lexical_evidence(text: str) -> float:
    """Promo hits from the words themselves: the lexical mean above a margin."""
    return LEXICAL_WEIGHT * max(0.0, lexical_mean(text) - LEXICAL_MARGIN)


def has_second_header(text: str, index: int, first_body: int | None) -> float:
    """A dateline or a date in the opening words of a block after the article began."""
    if first_body is None or index <= first_body:
        return 0.0
    opening = text[:120]
    return 1.0 if (DATELINE_LEAD.match(text) and DATE_ANY.search(opening)) or WIRE_TAG.search(opening) else 0.0


@functools.lru_cache(maxsize=1)
def spam_threshold() -> float:
    """The spam_score above which the clean suite rejects a section (its expectation's `max_value`)."""
    from expectations.runner import load_suite

    return next(e["kwargs"]["max_value"] for e in load_suite("clean")["expectations"]
                if e["type"] == "expect_column_values_to_be_between" and e["kwargs"].get("column") == "spam_score")


def _seo_anchor_runs(blocks: list[Block]) -> list[list[int]]:
    """Runs of three or more consecutive short lines that read as search-engine anchor text: lower-case
    first word, no closing punctuation, and sales words in two lines of three ("cheap hotels prague
    centre"). Headlines, list items and award lists start with a capital, so they are not caught."""
    def anchor_shaped(b: Block) -> bool:
        return b.kind is None and len(b.text.split()) <= 7 and b.text[:1].islower() and not b.text.rstrip().endswith(TERMINAL)

    runs = []
    for shaped, group in itertools.groupby(range(len(blocks)), key=lambda i: anchor_shaped(blocks[i])):
        run = list(group)
        if shaped and len(run) >= 3 and 3 * sum(bool(COMMERCIAL.search(blocks[i].text)) for i in run) >= 2 * len(run):
            runs.append(run)
    return runs


def classify(doc: Document) -> None:
    """Assign structural kinds in place and compute spam features for body candidates."""
    blocks = doc.blocks
    for b in blocks:
        if b.kind is None:
            b.kind, b.rule = structural_kind(b.text)
    released, release_labels = _press_releases(blocks)
    for i in released:
        blocks[i].kind, blocks[i].rule = None, ""
    for i in release_labels:
        blocks[i].kind, blocks[i].rule = "boilerplate", "release_label"
    site = _site_words(blocks)
    _own_newsletter_boxes(blocks, site)
    _own_furniture(blocks, site)
    _own_boxes(blocks, site)
    # a card of short lines (a contact block, a listing) is judged on its lines together; the site's own
    # addresses ("send your reports to sport@thegazette.test") are not somebody's advert
    unit_text = [_without_own_addresses(b.text, site) for b in blocks]
    for card in _cards(blocks):
        joined = " ".join(unit_text[i] for i in card)
        for i in card:
            unit_text[i] = joined
    evidence = [promo_signals(unit_text[i]) if b.kind is None else 0.0 for i, b in enumerate(blocks)]
    # then again, for blocks that name only what the plainer paragraphs name (or nobody), whose contact details are
    # those of someone the article is about, and for blocks with links spelt from the article's words
    article_words = frozenset(w.lower() for i, b in enumerate(blocks)
                              if b.kind == "title" or b.kind is None and evidence[i] < 4 * PROMO_SOME for w in _words(b.text))
    # blocks the rules found to be the article's own: `vouched` binds the spam model (links spelt from the story's
    # words, the site's own words, the article coming back after an advert, the writer's own voice); a block whose
    # only excuse is that it names the article's subjects is in `story_vouched`, a feature the model weighs itself
    story_vouched, vouched = set(), set()
    for i, e in enumerate(evidence):
        text = _without_story_addresses(unit_text[i], article_words) if e else unit_text[i]
        if text == unit_text[i] and not (e and contact_hits(text)):
            continue
        named = proper_names(text) <= article_words
        if text != unit_text[i] or named:
            weighed = promo_signals(text, names_in_article=named)
            if weighed < e:
                (vouched if text != unit_text[i] else story_vouched).add(i)
            evidence[i] = weighed
    for run in _seo_anchor_runs(blocks):  # a link list one entry per line: the whole list's evidence on each
        for i in run:
            evidence[i] += 2 * len(run)
    for i in released:
        evidence[i] = max(evidence[i], PROMO_SATURATED)
    promo = [min(1.0, e) for e in evidence]
    # under a comment's header, its time stamp and its text are page chrome too, unless the text advertises: then
    # header, time and text are judged as one advert. Near the top, or above a quotation, "Inspector Hale said:" is
    # the article introducing a quote
    prose = _prose_words(blocks)
    for i, b in enumerate(blocks):
        if b.rule != "comment_header":
            continue
        if prose[i] < prose[-1] / 2 or i + 1 < len(blocks) and blocks[i + 1].text.startswith(("“", '"', "‘")):
            b.kind, b.rule = None, ""
            continue
        time = i + 1 if i + 1 < len(blocks) and blocks[i + 1].kind == "date" else None
        j = (time or i) + 1
        if j < len(blocks) and blocks[j].kind is None and promo[j] >= 0.5:
            for k in (i, time) if time else (i,):
                blocks[k].kind, blocks[k].rule = None, "candidate"
            continue
        if time:
            blocks[time].kind, blocks[time].rule = "boilerplate", "comment_time"
        if j < len(blocks) and blocks[j].kind is None:
            blocks[j].kind, blocks[j].rule = "boilerplate", "reader_comment"
    # under a comments heading after the article, each entry is a reader comment, unless it advertises (with the
    # name and time lines above a spam comment); the section ends at a widget list's heading (a sponsored list).
    # A "Comments (12)" link near the top is no such heading: most of the page's prose comes before the section
    prose = _prose_words(blocks)
    comments_at = next((i for i, b in enumerate(blocks) if COMMENTS_HEADING.match(b.text) and prose[i]
                        and prose[i] >= prose[-1] / 2), None)
    for j in range(comments_at + 1, len(blocks)) if comments_at is not None else ():
        if LIST_HEADING.match(blocks[j].text):
            break
        if blocks[j].kind not in (None, "date", "byline"):
            continue
        text_below = next((k for k in range(j + 1, min(j + 3, len(blocks))) if len(blocks[k].text.split()) > 6), None)
        heads_spam = len(blocks[j].text.split()) <= 6 and text_below is not None and promo[text_below] >= 0.5
        if heads_spam:
            blocks[j].kind, blocks[j].rule = None, "candidate"
        elif promo[j] < 0.5:
            blocks[j].kind, blocks[j].rule = "boilerplate", "reader_comment"
    lists = _widget_lists(blocks)
    # a widget list is judged as one (below): its heading and entries do not continue or open what is around them
    listed = {i for heading, entries, _ in lists for i in [heading, *entries]}
    promoted = {i for heading, entries, advertised in lists for i in [heading, *entries]
                if advertised or any(promo[j] >= PROMO_SOME for j in entries)}
    # above the first paragraph, a short line that gives a full date is the date line, whatever else it names (an
    # author, a section, a reading time: "Politics | Oct 1, 2023 | 5 min read", "Marcus Feld — Sep 28, 2026")
    for b in blocks:
        if b.kind is None and is_paragraph(b.text):
            break
        # "Marcus Feld — Sep 28, 2026" heads the article; so does "Home / News / May 28, 2025"
        named = (b.kind in (None, "byline") or b.rule == "comment_header"
                 or b.rule == "chrome" and not RIGHTS.search(b.text))
        if (named and len(b.text.split()) <= 16 and DATE_ANY.search(b.text)
                and (not b.text.endswith((".", "!", "?")) or b.text.endswith(("a.m.", "p.m.")))):
            b.kind, b.rule = "date", "date_in_header"
    # title: of the headlines above the first paragraph (not a menu, a breadcrumb or a name of one or two words), the
    # first that tells the lead's story, sharing words with the opening paragraphs as the site's name or motto does
    # not; with no such line, the longest. Spam pasted above the article is passed over, known by its links, phones
    # or calls to action (or a press release's envelope), not by its words alone: "landholders press claims" is a headline
    if not any(b.kind == "title" for b in blocks):
        heads = []
        for i, (b, p) in enumerate(zip(blocks, promo)):
            if (b.kind is not None or i in released
                    or p >= 0.5 and (_has_address(b.text) or CALL_TO_ACTION.search(b.text))):
                continue
            if is_paragraph(b.text):
                break
            if is_headline_like(b.text) and len(b.text.split()) >= 3 and not _navigation(b.text):
                heads.append(b)
        if heads:
            lead = set().union(*(content_words(b.text) for b in
                                 itertools.islice((b for b in blocks if b.kind is None and is_paragraph(b.text)), 3)))
            shared = [len(content_words(b.text) & lead) for b in heads]
            if max(shared) >= 2:
                best = next(b for b, n in zip(heads, shared) if n >= max(2, max(shared) * 2 / 3))
            else:
                best = max(heads, key=lambda b: len(b.text.split()))
            best.kind, best.rule = "title", "first_headline"
    candidates = [i for i, b in enumerate(blocks) if b.kind is None]
    chrome_unless_spam: dict[int, str] = {}  # page chrome by its shape, unless the rules or the model find it spam
    # the article's span: from its first to its last paragraph-like block (a sentence, not a headline)
    long_candidates = [i for i in candidates if is_paragraph(blocks[i].text)]
    if long_candidates:
        first_body, last_body = long_candidates[0], long_candidates[-1]
        # short lines outside the article's span are page chrome (menus, widget titles)
        introduced = _introduced_lists(blocks)
        for pos, i in enumerate(candidates):
            b = blocks[i]
            # a row of results or a table's line is the article's data, and so is the line that introduces it
            data = _tabular(b.text) or (b.text.endswith(":") and pos + 1 < len(candidates)
                                        and _tabular(blocks[candidates[pos + 1]].text))
            # and a letter's sign-off ("With thanks and every blessing," then "Alison") is the writer's
            prev = blocks[candidates[pos - 1]].text if pos else ""
            signed = VALEDICTION.match(b.text) or b.text.endswith(",") or VALEDICTION.match(prev) or prev.endswith(",")
            if i in promoted or i in introduced or data or signed:
                continue
            if (i < first_body or i > last_body) and len(b.text.split()) <= 5 and not b.text.endswith((".", "”", '"')):
                rule = "short_line_outside_article"
            elif i > last_body and is_headline_like(b.text) and len(b.text.split()) <= 14:
                rule = "headline_after_article"  # related-story links, widget titles
            else:
                continue
            if promo[i] >= PROMO_SOME:  # a masthead or a related headline the lexicon finds salesy: chrome, unless spam
                chrome_unless_spam[i] = rule
            else:
                b.kind, b.rule = "boilerplate", rule
    else:
        first_body = last_body = None
    candidates = [i for i, b in enumerate(blocks) if b.kind is None]
    title_words = set().union(*(content_words(b.text) for b in blocks if b.kind == "title"))
    # the lead: the first paragraphs with no promotional signal, so spam pasted early does not define the topic
    lead_blocks = [i for i in candidates if len(blocks[i].text.split()) >= 8 and promo[i] < 0.25][:LEAD_BLOCKS + 1]
    lead_words = {j: content_words(blocks[j].text) for j in lead_blocks}
    n = max(len(blocks) - 1, 1)
    lead_overlap: dict[int, float] = {}
    # the words of the article's plain paragraphs (no promotional evidence), and in how many of them each word is
    plain_words = {j: content_words(blocks[j].text) for j in candidates if promo[j] < PROMO_SOME and is_paragraph(blocks[j].text)}
    paragraphs_with = Counter(w for words in plain_words.values() for w in words)
    for i in candidates:
        b = blocks[i]
        words = content_words(unit_text[i])
        lead = title_words.union(*(lead_words[j] for j in [j for j in lead_blocks if j != i][:LEAD_BLOCKS]))
        overlap = len(words & lead) / len(words) if words else 1.0
        lead_overlap[i] = overlap
        in_article = sum(1 for w in words if paragraphs_with[w] > (w in plain_words.get(i, ()))) / len(words) if words else 1.0
        offtopic = (max(0.0, min(1 - overlap / ON_TOPIC_OVERLAP, 1 - in_article / ON_TOPIC_IN_ARTICLE))
                    if len(words) >= MIN_WORDS_FOR_TOPIC else 0.0)
        if ATTRIBUTED_QUOTE.match(b.text):
            offtopic = 0.0  # someone quoted speaks in their own words, not the lead's
        b.scores = {
            "promo_score": promo[i],
            "offtopic_score": round(offtopic, 4),
            "position_score": round(i / n, 4),
            "header_score": has_second_header(b.text, i, first_body),
        }
        b.scores["spam_score"] = round(
            SPAM_WEIGHTS["promo"] * b.scores["promo_score"] + SPAM_WEIGHTS["offtopic"] * b.scores["offtopic_score"]
            + SPAM_WEIGHTS["header"] * b.scores["header_score"] + SPAM_WEIGHTS["position"] * b.scores["position_score"],
            4,
        )
    quoted = _quoted_by_article(blocks)
    _report_quotations(blocks, quoted)
    # so much promotional evidence that no topic overlap redeems it (SEO copy naming the article's town)
    for i in candidates:
        if evidence[i] >= PROMO_SATURATED:
            blocks[i].scores["spam_score"] = max(blocks[i].scores["spam_score"], 1.0)
            blocks[i].rule = "press_release" if i in released else "promotional_saturated"
    # near-full promotional evidence that speaks to the reader to sell ("Tired of cold rooms? Book your free survey"),
    # in nobody's quoted or reported words, from no public service and not the site's own offer, is an advert however
    # on-topic its words
    for i in candidates:
        text = blocks[i].text
        if (evidence[i] >= PITCH_EVIDENCE and READER_PITCH.search(text) and not any(q in text for q in OPENING_QUOTES)
                and len(text.split()) >= 8 and i not in listed
                and not (is_reported(text) or WRITER_VOICE.search(text)
                         or NEWSLETTER_INVITE.search(text) or PUBLICATION_BUSINESS.search(text))):
            blocks[i].scores["spam_score"] = max(blocks[i].scores["spam_score"], PITCH_SCORE)
            blocks[i].rule = "reader_pitch"
    # before the article's first paragraph or after its last, promotional text off the lead's topic is not the
    # article; an advert pasted first or last is not where the article begins or ends, so the span is of plainer paragraphs
    plain = [i for i in long_candidates if promo[i] < PROMO_STRONG]
    site_only = site - set().union(*plain_words.values()) - title_words  # the site's name, not the story's town
    for i in candidates:
        # a title may warn of spam, a scam report's own words stay, and "Obituaries" or "Offers" is a section's label
        outside = bool(plain) and (i > plain[-1] or i < plain[0] and not is_headline_like(blocks[i].text))
        own = content_words(blocks[i].text) & site_only and not _has_address(unit_text[i])
        if own:
            vouched.add(i)
        if (outside and blocks[i].scores["promo_score"] >= 0.5 and lead_overlap[i] < ON_TOPIC_OVERLAP
                and len(blocks[i].text.split()) > 2 and not own
                and not (REPORTED_SPEECH.search(blocks[i].text) and not ATTRIBUTED_QUOTE.match(blocks[i].text))):
            blocks[i].scores["spam_score"] = max(blocks[i].scores["spam_score"], min(1.0, blocks[i].scores["promo_score"] + 0.25))
            blocks[i].rule = "promotional_outside_article"
    # a headline right above the next block takes that block's score (a pasted release's own title)
    _headlines_take_next_score(blocks, candidates, first_body, listed)
    # a short, promotional or off-topic block right after a higher-scoring one continues it (a release's
    # "Media contact:", a scam letter's sign-off, the second half of a newsletter footer, the odds under a betting
    # offer); a page element in between, such as a comments heading, ends the insertion, and a statement or a
    # paragraph on the lead's topic is the article coming back
    for pos, i in enumerate(candidates[1:], start=1):
        b, prev = blocks[i], blocks[candidates[pos - 1]]
        unrelated = lead_overlap[i] < ON_TOPIC_OVERLAP / 3
        reported = bool(REPORTED_SPEECH.search(b.text))  # a quote or a statement is news
        continues = not reported and (
            b.scores["promo_score"] >= 0.5 and (lead_overlap[i] < ON_TOPIC_OVERLAP or not is_paragraph(b.text))
            or unrelated and (b.scores["promo_score"] >= PROMO_SOME or len(b.text.split()) <= 8))
        # and so is the writer speaking for themself, when no address or price of anyone's is given
        if continues and WRITER_VOICE.search(b.text) and not (_has_address(b.text) or PRICE.search(b.text)):
            continues = False
            vouched.add(i)
        # nor does the page's own furniture under it: a list's heading (not an advertising one), the comments', the site's name
        if continues and (LIST_HEADING.match(b.text) and not ADVERTISING_HEADING.search(b.text) or COMMENTS_HEADING.match(b.text)
                          or site and content_words(b.text) and content_words(b.text) <= site):
            continues = False
        if (first_body is not None and i > first_body and candidates[pos - 1] == i - 1 and continues
                and prev.scores["spam_score"] > b.scores["spam_score"] and i not in listed):
            b.scores["spam_score"] = prev.scores["spam_score"]
            b.rule = "continues_previous_block"
        elif (candidates[pos - 1] == i - 1 and prev.scores["spam_score"] > spam_threshold() and is_paragraph(b.text)
              and lead_overlap[i] >= ON_TOPIC_OVERLAP and not reported):
            vouched.add(i)  # a paragraph on the lead's topic right after an advert: the article coming back
    # paragraphs between two spam blocks, none of them near the lead's topic, are the middle of the same
    # insertion (a pasted release between its own headline and its "About" paragraph); page chrome in
    # between (a comments heading) separates two insertions
    spam_at = [pos for pos, i in enumerate(candidates) if blocks[i].scores["spam_score"] > spam_threshold()]
    for before, after in zip(spam_at, spam_at[1:]):
        middle = candidates[before + 1:after]
        chrome_between = any(b.kind == "boilerplate" for b in blocks[candidates[before]:candidates[after]])
        if (middle and first_body is not None and middle[0] > first_body and not chrome_between
                and all(lead_overlap[i] < 2 / 3 * ON_TOPIC_OVERLAP for i in middle)):
            for i in middle:
                blocks[i].scores["spam_score"] = min(blocks[candidates[before]].scores["spam_score"],
                                                     blocks[candidates[after]].scores["spam_score"])
                blocks[i].rule = "between_spam_blocks"
    _promoted_lists(blocks, lists)
    # and once more over the final scores (a headline above a block the rules above made spam)
    _headlines_take_next_score(blocks, candidates, first_body, listed)
    # the label of an ad slot ("Advertisement", "Sponsored") goes with the advert right under it, a spam comment's
    # name and time ("QuickCashUK", "2 days ago") in the comments section go with the comment, and a date line inside
    # the article over a spam block is the pasted letter's or release's own ("Date: 1 January 2029"), not the article's
    for i in reversed(range(len(blocks) - 1)):
        b, nxt = blocks[i], blocks[i + 1]
        if not (nxt.kind is None and nxt.scores.get("spam_score", 0.0) > spam_threshold()):
            continue
        in_comments = comments_at is not None and i > comments_at
        if b.kind in (None, "boilerplate") and ADVERT_MARKER.match(b.text):
            b.kind, b.rule, b.scores = None, "advert_marker", {**nxt.scores}
        elif b.kind in (None, "boilerplate") and not any(c.isalnum() for c in b.text):  # "--", "* * *" setting it off
            b.kind, b.rule, b.scores = None, "separator", {**nxt.scores}
        elif ((b.rule in COMMENT_RULES or in_comments and b.rule in ("candidate", "short_line_outside_article"))
              and (len(b.text.split()) <= 6 or len(b.text.split()) <= 12 and POSTED_STAMP.search(b.text))
              and not b.text.endswith((".", "!", "?"))
              and (len(nxt.text.split()) > 6 or nxt.rule == "spam_comment_signature" or COMMENT_HEADER.match(nxt.text))):
            b.kind, b.rule, b.scores = None, "spam_comment_signature", {**nxt.scores}
        elif b.kind == "date" and first_body is not None and i > first_body:
            b.kind, b.rule, b.scores = None, "spam_date_line", {**nxt.scores}
    # and a release's closing mark ("###", "-ENDS-") right under a spam block closes that block
    for prev, b in zip(blocks, blocks[1:]):
        if (b.kind in (None, "boilerplate") and RELEASE_CLOSING.match(b.text) and prev.kind is None
                and prev.scores.get("spam_score", 0.0) > spam_threshold()):
            b.kind, b.rule, b.scores = None, "release_closing", {**prev.scores}
    _report_quotations(blocks, quoted)
    _agency_copyright(blocks)
    advertised = {i for heading, entries, declared in lists if declared for i in [heading, *entries]}
    _model_features(blocks, evidence, lead_overlap, plain, first_body, last_body, site, site_only, listed, advertised,
                    vouched | story_vouched)
    _score_with_model(blocks, vouched, advertised)
    _report_quotations(blocks, quoted)  # the model does not overrule the article's own quotations either
    threshold = spam_threshold()
    for i, rule in chrome_unless_spam.items():
        b = blocks[i]
        if b.kind is None and b.scores["spam_score"] <= threshold:
            b.kind, b.rule, b.scores = "boilerplate", rule, {}


def _model_features(blocks: list[Block], evidence: list[float], lead_overlap: dict[int, float], plain: list[int],
                    first_body: int | None, last_body: int | None, site: set[str], site_only: set[str], listed: set[int],
                    advertised: set[int], vouched: set[int]) -> None:
    """Give each body candidate its row of the spam model's features (`assets/spam_model.py`), from the rules' scores."""
    for i, b in enumerate(blocks):
        if b.kind is not None:
            continue
        text, words = b.text, content_words(b.text)
        prev, nxt = (blocks[j] if 0 <= j < len(blocks) else None for j in (i - 1, i + 1))
        row = {
            "rule_score": b.scores["spam_score"], "promo_score": b.scores["promo_score"],
            "offtopic_score": b.scores["offtopic_score"], "header_score": b.scores["header_score"],
            "position_score": b.scores["position_score"], "promo_evidence": min(evidence[i], 4.0),
            "lexical_mean": lexical_mean(text), "lead_overlap": lead_overlap.get(i, 1.0),
            "log_words": math.log1p(len(text.split())), "is_paragraph": float(is_paragraph(text)),
            "is_headline": float(is_headline_like(text)),
            "prev_rule_score": prev.scores["spam_score"] if prev is not None and prev.kind is None else -1.0,
            "next_rule_score": nxt.scores["spam_score"] if nxt is not None and nxt.kind is None else -1.0,
            "prev_lexical_mean": lexical_mean(prev.text) if prev is not None else 0.0,
            "next_lexical_mean": lexical_mean(nxt.text) if nxt is not None else 0.0,
            "prev_boilerplate": float(prev is not None and prev.kind == "boilerplate"),
            "next_boilerplate": float(nxt is not None and nxt.kind == "boilerplate"),
            "has_address": float(_has_address(text)), "links": len(URL.findall(text)), "emails": len(EMAIL.findall(text)),
            "phones": len(PHONE.findall(text)), "prices": len(PRICE.findall(text)),
            "calls_to_action": len(CALL_TO_ACTION.findall(text)), "reader_pitches": len(READER_PITCH.findall(text)),
            "reported_speech": float(bool(REPORTED_SPEECH.search(text))),
            "quotation": float(bool(ATTRIBUTED_QUOTE.match(text)) or any(q in text for q in OPENING_QUOTES)),
            "exclamations": text.count("!"), "questions": text.count("?"),
            "outside_article": float(bool(plain) and (i > plain[-1] or i < plain[0])),
            "before_article": float(bool(plain) and i < plain[0]),
            "article_span_position": (max(-1.0, min(2.0, (i - first_body) / max(1, last_body - first_body)))
                                      if first_body is not None else -1.0),
            "site_words": len(words & site), "site_only_words": len(words & site_only),
            "widget_list": float(i in listed), "advertised_list": float(i in advertised), "vouched": float(i in vouched),
            "foreign_addresses": _address_count(_without_own_addresses(text, site)),
        }
        b.features = [float(row[name]) for name in FEATURES]


def _score_with_model(blocks: list[Block], vouched: set[int], advertised: set[int]) -> None:
    """The spam model's probability becomes each body candidate's spam_score, the rules' score its rule_score. Where
    the two disagree on spam, the rule is `spam_model`.

    The model does not make spam of a block whose contact details the rules found to be reported, not sold (as
    `promo_signals` weighs them): in someone's reported or quoted words or a public service's; nor of one the rules
    vouched for (`classify`): links spelt from the story's words, the site's own words, a paragraph on the lead's
    topic right after an advert, the writer's own aside. Such text is rare in the tune split, and a wrong call
    there loses real news. A block that only names the article's subjects does not bind it: out of fold that kept
    more pasted adverts naming the story's town than it saved paragraphs.
    Nor does it clear what the page itself calls advertising: a list under "Sponsored" or "Around the web"."""
    candidates = [i for i, b in enumerate(blocks) if b.kind is None]
    rule_scores = [blocks[i].scores["spam_score"] for i in candidates]
    probabilities = spam_probabilities([blocks[i].features for i in candidates]) or rule_scores
    threshold = spam_threshold()
    for i, rule_score, probability in zip(candidates, rule_scores, probabilities):
        b = blocks[i]
        if rule_score <= threshold < probability:
            kept = i in vouched or contact_hits(b.text) and (is_reported(b.text) or ATTRIBUTED_QUOTE.match(b.text))
        else:
            kept = i in advertised and probability <= threshold < rule_score
        if kept:
            probability = rule_score
        b.scores["rule_score"], b.scores["spam_score"] = rule_score, round(probability, 4)
        if (rule_score > threshold) != (probability > threshold):
            b.rule = "spam_model"


def _press_releases(blocks: list[Block]) -> tuple[set[int], set[int]]:
    """(blocks of pasted press releases, release lines that label the page itself). A release runs from its
    "FOR IMMEDIATE RELEASE" or "PRESS RELEASE" line to its "###" or "-ENDS-", or else to the end of its group of
    lines. When that is most of the page's words, or next to none, the page is the release (a university's
    news release is its article), and the line is its label."""
    words = [len(b.text.split()) for b in blocks]
    released: set[int] = set()
    labels: set[int] = set()
    for i, b in enumerate(blocks):
        if not RELEASE_OPENING.match(b.text) or i in released:
            continue
        group = list(itertools.takewhile(lambda j: blocks[j].run == b.run, range(i, len(blocks))))
        end = next((j for j in group if RELEASE_CLOSING.match(blocks[j].text)), None)
        if end is None and b.run is None:  # with no blank lines and no closing mark, only the whole page can be the release
            if 2 * sum(words[i:]) >= sum(words):
                labels.add(i)
            continue
        end = group[-1] if end is None else end
        if 2 * sum(words[i:end + 1]) >= sum(words) or sum(words[i + 1:end + 1]) < RELEASE_MIN_WORDS:
            labels.add(i)
        else:
            released.update(range(i, end + 1))
    return released, labels


def _agency_copyright(blocks: list[Block]) -> None:
    """The copyright line of the agency that filed the story ("(c) 2024 Northwire" under "TARLOW, May 3 (Northwire) -")
    credits the story's source; the site's own copyright stays page chrome."""
    datelines = (DATELINE_LEAD.match(b.text) for b in blocks if b.kind in (None, "dateline"))
    agency = next((a.group(1) for m in datelines if m and (a := AGENCY_IN_DATELINE.search(m.group(1)))), None)
    if agency is None:
        return
    for b in blocks:
        if b.rule == "chrome" and (m := COPYRIGHT.search(b.text)) and content_words(m.group(2)) & content_words(agency):
            b.kind, b.rule = "credit", "agency_copyright"


def _quoted_by_article(blocks: list[Block]) -> set[int]:
    """Blocks of a quotation the article introduces ("One of the texts read:" and the text in quotes below, up to
    its closing quote; or 'A second version reads: "..."'): how a scam or a sales pitch was worded, reported."""
    quoted = set()
    for i, b in enumerate(blocks):
        if b.kind is None and INTRODUCED_QUOTE.search(b.text):
            quoted.add(i)
        if not (i and b.kind is None and b.text[:1] in OPENING_QUOTES and blocks[i - 1].kind is None
                and blocks[i - 1].text.rstrip().endswith(":")):
            continue
        span = list(itertools.takewhile(lambda j: blocks[j].kind is None, range(i, min(i + QUOTE_MOST_BLOCKS, len(blocks)))))
        end = next((j for j in span if blocks[j].text.rstrip()[-1:] in CLOSING_QUOTES), i)
        quoted.update(range(i, end + 1))
    return quoted


def _report_quotations(blocks: list[Block], quoted: set[int]) -> None:
    """Quoted blocks stay the article's, before the rules that spread scores to neighbours and again after them."""
    for i in quoted:
        if blocks[i].scores.get("spam_score", 0.0) > spam_threshold():
            blocks[i].scores["spam_score"] = round(spam_threshold() / 2, 4)
            blocks[i].rule = "quoted_by_article"


def _prose_words(blocks: list[Block]) -> list[int]:
    """Words of the body candidates' paragraphs before each block (and, last, in all): where the article's text lies."""
    words = (len(b.text.split()) if b.kind is None and is_paragraph(b.text) else 0 for b in blocks)
    return [0, *itertools.accumulate(words)]


def _introduced_lists(blocks: list[Block]) -> set[int]:
    """The lines of a list the article introduces: a run of lines with no blank line between them, opened by a line
    of the article's that ends in a colon ("Rainfall totals, 6pm Friday to 9am Sunday:", then a place a line)."""
    listed = set()
    for run, group in itertools.groupby(range(len(blocks)), key=lambda i: blocks[i].run):
        group = list(group)
        opening = blocks[group[0]]
        if (run is not None and len(group) >= 3 and opening.kind is None and opening.text.endswith(":")
                and not LIST_HEADING.match(opening.text)):
            listed.update(group)
    return listed


def _tabular(text: str) -> bool:
    """Two or more numbers, at least one in four of its words: a result, a table's row (not a headline that gives
    a count and a year)."""
    numbers = len(NUMBER.findall(text))
    return numbers >= 2 and 4 * numbers >= len(text.split())


def copyright_notice(text: str, holder_anywhere: bool = False) -> tuple[int, str | None] | None:
    """(year, holder) of a copyright line: "© 2025 Lanthorn Post", or "© Lanthorn Post 2025" opening the line (not a
    photographer's "Photo © Ana Brum 2019"), or anywhere in it with `holder_anywhere`."""
    if m := COPYRIGHT.search(text):
        return int(m.group(1)), m.group(2).strip(" .,") or None
    if m := (HOLDER_BEFORE_YEAR.search if holder_anywhere else HOLDER_BEFORE_YEAR.match)(text):
        return int(m.group(2)), m.group(1).strip(" .,")
    return None


def _site_words(blocks: list[Block]) -> set[str]:
    """Words of the page's own name: its copyright holder, the short line a scraped page opens with, the name in
    "X is a trading name of / is published by ...", and the host of the article's own source link."""
    holders = (notice[1] or "" for b in blocks
               if b.kind == "boilerplate" and (notice := copyright_notice(b.text, holder_anywhere=True)))
    words = set().union(*(content_words(h) for h in holders))
    opening = next((b for b in blocks if b.rule != "chrome"), None)  # under a skip link, say
    if opening is not None and opening.kind is None and len(opening.text.split()) <= 5:
        words |= content_words(opening.text)
    for b in blocks:  # "The Gazette is a trading name of ...", and the host of the article's own source link
        if m := PUBLISHER_LINE.match(b.text):
            words |= content_words(m.group(1))
        if b.kind == "source" and (link := URL.search(b.text)):
            words.add(_host_name(link.group(0)))
    return words - COMPANY_NAME_WORDS - DOMAIN_ENDING_WORDS


def _own_furniture(blocks: list[Block], site: set[str]) -> None:
    """The site's own subscription offers, newsroom and advertising contacts and publisher's footer are page chrome:
    a line that names the site (or gives its own address), speaks of a publication's business, and gives no address
    of anyone else's."""
    for b in blocks:
        if (b.kind is not None or len(b.text.split()) > 40 or not PUBLICATION_BUSINESS.search(b.text)
                or SCAM.search(b.text) or REPORTED_SPEECH.search(b.text) or WIRE_TAG.search(b.text)):
            continue
        rest = _without_own_addresses(b.text, site)
        own = rest != b.text or len(content_words(b.text) & site) >= 2 or PUBLICATION_OWN.search(b.text)
        if own and not (URL.search(rest) or EMAIL.search(rest)):
            b.kind, b.rule = "boilerplate", "own_furniture"


def _own_boxes(blocks: list[Block], site: set[str]) -> None:
    """A box that sends readers to the site's own address, in any form ("Join today at dalebridgejournal.example"), under
    its pitch and heading in the same group of lines, is the site's own, when it invites or sells as a publication
    does and gives no one else's address or phone, no scam wording and no one's words."""
    def plain(j: int) -> bool:
        text = blocks[j].text
        return (blocks[j].kind is None and len(text.split()) <= OWN_BOX_LINE_MAX_WORDS
                and not (SCAM.search(text) or REPORTED_SPEECH.search(text)))

    for i, b in enumerate(blocks):
        if b.run is None or not plain(i) or len(b.text.split()) > CARD_LINE_MAX_WORDS:
            continue
        rest = _without_addresses(b.text, lambda host: _own_host(host, site), (HOST_NAME,))
        if rest == b.text or _has_address(rest) or len(rest.split()) < 2:
            continue
        above = list(itertools.takewhile(lambda j: blocks[j].run == b.run and plain(j) and not _has_address(blocks[j].text),
                                         range(i - 1, max(i - 3, -1), -1)))
        box = [i, *above]
        if i and blocks[i - 1].rule in OWN_RULES and blocks[i - 1].run == b.run:  # the last line of a box found already
            blocks[i].kind, blocks[i].rule = "boilerplate", "own_box"
        elif above and any(CALL_TO_ACTION.search(blocks[j].text) or NEWSLETTER_INVITE.search(blocks[j].text)
                         or PUBLICATION_BUSINESS.search(blocks[j].text) for j in box):
            for j in box:
                blocks[j].kind, blocks[j].rule = "boilerplate", "own_box"


def _own_newsletter_boxes(blocks: list[Block], site: set[str]) -> None:
    """The site's own newsletter box is page chrome: its invitation (in the site's voice or name, with no
    address of another organisation), the box's heading above it and its form below it."""
    for b in blocks:
        words = len(b.text.split())
        # up to 30 words for a longer pitch that names the site twice over
        short = words <= 20 or words <= 30 and len(content_words(b.text) & site) >= 2
        if b.kind is None and short and _own_invitation(b.text, site) and not _has_address(b.text):
            b.kind, b.rule = "boilerplate", "own_newsletter"
    for b, nxt in zip(blocks, blocks[1:]):  # the box's heading ("Motoring newsletter")
        if b.kind is None and nxt.rule == "own_newsletter" and len(b.text.split()) <= 4 and NEWSLETTER_INVITE.search(b.text):
            b.kind, b.rule = "boilerplate", "own_newsletter"
    in_box = False  # and its form ("Enter your email", "Your email", "Sign me up") with the form's small print
    for b in blocks:
        form = _is_sign_up_form(b.text) or in_box and len(b.text.split()) <= 20 and bool(FORM_SMALL_PRINT.search(b.text))
        if in_box and form and b.kind is None:
            b.kind, b.rule = "boilerplate", "own_newsletter"
        in_box = b.rule == "own_newsletter" or in_box and form
    # a longer box, found from its form up: a few lines with no address of anyone's, the topmost the invitation
    # in the site's voice or name or the box's short heading right above it
    for f, form in enumerate(blocks):
        if form.kind is not None or not _is_sign_up_form(form.text):
            continue
        box = list(itertools.takewhile(
            lambda j: blocks[j].kind is None and len(blocks[j].text.split()) <= 60
            and not (REPORTED_SPEECH.search(blocks[j].text) or _has_address(blocks[j].text)),
            range(f - 1, max(f - 4, -1), -1)))[::-1]
        invites = [k for k, j in enumerate(box) if _own_invitation(blocks[j].text, site)]
        if invites:
            top = invites[0] - 1 if invites[0] and len(blocks[box[invites[0] - 1]].text.split()) <= 6 else invites[0]
            fields = itertools.takewhile(lambda j: blocks[j].kind is None and _is_sign_up_form(blocks[j].text),
                                         range(f, len(blocks)))
            for j in [*box[top:], *fields]:
                blocks[j].kind, blocks[j].rule = "boilerplate", "own_newsletter"


def _own_invitation(text: str, site: set[str]) -> bool:
    """An invitation to a newsletter or an app in the site's voice ("our"), naming the site or offering its news."""
    news = NEWS_OFFER.search(text) and not SALES_OFFER.search(text)
    return bool(NEWSLETTER_INVITE.search(text) and (SITE_VOICE.search(text) or news or content_words(text) & site))


def _is_sign_up_form(text: str) -> bool:
    """A form's fields and button: "Your email", "Enter your email address | Sign me up", "Name (required)"."""
    return _made_of(text, SIGN_UP_FORM_WORDS, 8)


def _has_address(text: str) -> bool:
    return bool(URL.search(text) or EMAIL.search(text) or PHONE.search(text))


def _host_name(address: str) -> str:
    """The letters of the host name of a link or an email before its first dot ("www.lanthorn-post.test" -> "lanthornpost")."""
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", address.rsplit("@", 1)[-1].lower())
    return re.sub(r"[^a-z]", "", host.split(".", 1)[0])


def _address_count(text: str) -> int:
    return len(URL.findall(text)) + len(EMAIL.findall(text))


def _without_own_addresses(text: str, site: set[str]) -> str:
    """The text without links and emails on the site's own domain (one made of the words of its name)."""
    if not site:
        return text
    return _without_addresses(text, lambda host: _own_host(host, site))


def _own_host(host: str, site: set[str]) -> bool:
    """Whether a host name is the site's: a word of its name, two of them, or a word after the initials of others
    ("kvgazette" for the Kestrel Valley Gazette)."""
    if host in site or sum(1 for w in site if len(w) >= 4 and w in host) >= 2:
        return True
    initials = {w[0] for w in site}
    return any(all(c in initials for c in host[:k]) and host[k:] in site for k in (1, 2, 3))


def _without_story_addresses(text: str, article_words: frozenset[str]) -> str:
    """The text without links and emails whose host is spelt from the article's words ("lanthornfolk.test" in a
    story on the Lanthorn folk festival): the address of what the story is about."""
    return _without_addresses(text, lambda host: _spelt_from(host, article_words))


def _without_addresses(text: str, dropped: Callable[[str], bool], patterns: tuple = (EMAIL, URL)) -> str:
    """The text without the addresses (found by each pattern in turn) whose host name is to be dropped."""
    for pattern in patterns:
        text = pattern.sub(lambda m: "" if dropped(_host_name(m.group(0))) else m.group(0), text)
    return text


def _spelt_from(host: str, words: frozenset[str]) -> bool:
    """Whether the host name is a run of the words, each of three letters or more ("lanthornfolk")."""
    spelt = [True] + [False] * len(host)
    for end in range(3, len(host) + 1):
        spelt[end] = any(spelt[start] and host[start:end] in words for start in range(end - 2))
    return bool(host) and spelt[-1]


def _cards(blocks: list[Block]) -> list[list[int]]:
    """Runs of two or more short body candidates that came together between blank lines: a contact block,
    a listing, a sign-off. (Text without blank lines has no runs, so no cards.)"""
    cards = []
    for run, group in itertools.groupby(range(len(blocks)), key=lambda i: blocks[i].run):
        group = list(group)
        # a list heading inside the run starts a card of its own ("Partner content" then "More local sport"), and
        # a list's headlines end at its first sentence or first promotional line (a footer or an advert pasted right
        # under "More from Crime")
        heads = [k for k, i in enumerate(group) if LIST_HEADING.match(blocks[i].text)]
        ends = [next((k for k in range(h + 1, len(group)) if blocks[group[k]].text.endswith(".")
                      or promo_signals(blocks[group[k]].text) >= PROMO_SOME), None) for h in heads]
        starts = sorted({0, len(group), *(h for h in heads if h), *(e for e in ends if e)})
        for a, b in zip(starts, starts[1:]):
            members = [i for i in group[a:b] if blocks[i].kind is None]
            if (run is not None and len(members) >= 2 and members[-1] - members[0] == len(members) - 1
                    and all(len(blocks[i].text.split()) <= CARD_LINE_MAX_WORDS for i in members)):
                cards.append(members)
    return cards


def _widget_lists(blocks: list[Block]) -> list[tuple[int, list[int], bool]]:
    """(heading, entries, whether the heading names itself advertising) of each widget list: the short
    candidates right under a heading such as "Recommended for you" or "Around the web" (a second heading right
    under the first, "Sponsored", heads the same list)."""
    def is_heading(b: Block) -> bool:
        return b.kind in (None, "boilerplate") and bool(LIST_HEADING.match(b.text))

    lists = []
    for h, heading in enumerate(blocks):
        if is_heading(heading):
            stacked = h + 1 < len(blocks) and blocks[h + 1].run == heading.run and is_heading(blocks[h + 1])
            first = h + 2 if stacked else h + 1
            entries = list(itertools.takewhile(
                lambda j: blocks[j].kind is None and len(blocks[j].text.split()) <= LIST_ENTRY_MAX_WORDS
                and blocks[j].run == heading.run and not LIST_HEADING.match(blocks[j].text)
                and not (REPORTED_SPEECH.search(blocks[j].text) and is_paragraph(blocks[j].text)),  # a teaser, not a report
                range(first, len(blocks))))
            if entries:
                advertised = any(ADVERTISING_HEADING.search(blocks[k].text) for k in range(h, first))
                lists.append((h, entries, advertised))
    return lists


def _promoted_lists(blocks: list[Block], lists: list[tuple[int, list[int], bool]]) -> None:
    """A widget list is judged as one: when its heading names itself advertising, or one entry is spam, every
    entry with promotional evidence is spam too (a clickbait entry that borrows the article's town reads as
    on-topic on its own)."""
    threshold = spam_threshold()
    for h, entries, advertised in lists:
        entries = [j for j in entries if blocks[j].kind is None]  # the span rules may have made some page chrome
        if not entries:
            continue
        top = max(blocks[j].scores["spam_score"] for j in entries)
        if not advertised and top <= threshold:
            continue
        score = 1.0 if advertised else top
        for j in entries + ([h] if blocks[h].kind is None else []):
            if advertised or blocks[j].scores["promo_score"] >= PROMO_SOME:
                blocks[j].scores["spam_score"] = max(blocks[j].scores["spam_score"], score)
                blocks[j].rule = "promoted_list"
        # a list that is all advertising takes its heading with it ("You may also like" over sponsored links)
        if blocks[h].kind == "boilerplate" and all(blocks[j].scores["spam_score"] > threshold for j in entries):
            blocks[h].kind, blocks[h].rule, blocks[h].scores = None, "promoted_list", {**blocks[entries[0]].scores}


def _headlines_take_next_score(blocks: list, candidates: list[int], first_body: int | None, listed: set[int]) -> None:
    """A headline's text is the next block's title; the last row of a table or listing (a group of short lines
    with the next block after a blank line) is not."""
    run_sizes = Counter(b.run for b in blocks if b.run is not None)
    for pos, i in enumerate(candidates[:-1]):
        b, nxt = blocks[i], blocks[candidates[pos + 1]]
        last_row = run_sizes[b.run] > 1 and nxt.run != b.run
        # a line that introduces what follows ("Here is how it began:") or a row of results is the article's
        data = b.text.endswith(":") and not COMMENT_HEADER.match(b.text) or _tabular(b.text) or RESULT_LINE.search(b.text)
        if first_body is not None and i > first_body and is_headline_like(b.text) and candidates[pos + 1] == i + 1 \
                and not (data or last_row) and i not in listed and nxt.scores["spam_score"] > b.scores["spam_score"]:
            b.scores["spam_score"] = nxt.scores["spam_score"]
            b.rule = "headline_of_next_block"


# ----------------------------------------------------------------------------- articles

@functools.lru_cache(maxsize=1)
def known_publishers() -> dict[str, str]:
    """domain → publisher name, from the user-editable warehouse/publishers.csv."""
    lines = [ln for ln in PUBLISHER_FILE.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    return {row["domain"].strip().lower(): row["publisher"].strip() for row in csv.DictReader(lines)}


def publisher_from_url(url: str | None) -> str | None:
    if not url:
        return None
    host = urlparse(url if "://" in url else f"https://{url}").hostname or ""
    host = re.sub(r"^(?:www\d?|m|amp|edition|mobile)\.", "", host.lower())
    return known_publishers().get(host, host or None)


def pick_source_url(texts: list[str]) -> str | None:
    """The most article-like URL in the non-body lines: the one with the longest path."""
    urls = [u.rstrip(".,;") for t in texts for u in re.findall(r"https?://\S+", t)]
    urls = [u for u in urls if urlparse(u).path.strip("/")]
    return max(urls, key=lambda u: len(urlparse(u).path), default=None)


def article_row(doc: Document, file_id: str, file_name: str, fmt: str) -> dict:
    kinds = [(b.kind, b.text) for b in doc.blocks]
    title = next((t for k, t in kinds if k == "title"), None)
    copyright_year, copyright_holder = None, None
    for k, t in kinds:
        if k in ("boilerplate", "credit") and (notice := copyright_notice(t)):
            copyright_year, copyright_holder = notice
    source_url = doc.meta.get("url") or pick_source_url([t for k, t in kinds if k not in ("body", "spam")])
    publisher = doc.meta.get("sitename") or copyright_holder or publisher_from_url(source_url)
    first_body = next((t for k, t in kinds if k == "body"), "")
    m = DATELINE_LEAD.match(first_body)
    dateline = next((t.strip(" -–—:") for k, t in kinds if k == "dateline"), None) or (
        m.group(1).strip() if m and len(m.group(1)) >= 4 else None)
    return {
        "article_id": doc.article_id, "file_id": file_id, "file_name": file_name, "format": fmt,
        "title": title, "publisher": publisher, "source_url": source_url, "dateline": dateline,
        "date_lines": [t for k, t in kinds if k == "date"], "meta_date": doc.meta.get("meta_date"),
        "copyright_year": copyright_year,
    }


# ----------------------------------------------------------------------------- stage entry points

def split_and_score(raw_files: pl.DataFrame) -> tuple[list[tuple[Document, dict]], list[dict]]:
    """Decode, split and classify every accepted file once (duplicate content is read once)."""
    out: list[tuple[Document, dict]] = []
    rejected: list[dict] = []
    accepted = raw_files.filter(pl.col("status") == "accepted").unique("file_id", keep="first", maintain_order=True)
    for row in accepted.iter_rows(named=True):
        text, _ = decode_bytes(row["content"])
        file_id = row["file_id"]
        if row["format"] == "jsonl":
            docs, bad = documents_from_jsonl(file_id, text)
            rejected.extend(bad)
        elif row["format"] == "html":
            docs = documents_from_html(file_id, text)
        else:
            docs = documents_from_text(file_id, text)
        for doc in docs:
            if not doc.blocks:
                rejected.append({"file_id": file_id, "article_id": doc.article_id, "reason": "no_text",
                                 "detail": f"{row['path']}: no text after decoding and extraction"})
                continue
            classify(doc)
            out.append((doc, {"file_id": file_id, "file_name": row["file_name"], "format": row["format"]}))
    return out, rejected


def sections_frame(docs: list[tuple[Document, dict]]) -> pl.DataFrame:
    rows = []
    for doc, info in docs:
        for ordinal, b in enumerate(doc.blocks):
            rows.append({"file_id": info["file_id"], "article_id": doc.article_id, "ordinal": ordinal,
                         "kind": b.kind or "body", "rule": b.rule or ("candidate" if b.kind is None else ""),
                         "text": b.text, **{k: b.scores.get(k) for k in
                                           ("promo_score", "offtopic_score", "position_score", "header_score", "rule_score", "spam_score")}})
    return pl.DataFrame(rows, schema=SECTION_SCHEMA)


def articles_frame(docs: list[tuple[Document, dict]], sections: pl.DataFrame) -> pl.DataFrame:
    """One row per document, with the body built from its body sections only."""
    by_article = {doc.article_id: doc for doc, _ in docs}
    kinds = {(a, o): k for a, o, k in sections.select("article_id", "ordinal", "kind").iter_rows()}
    rows = []
    for doc, info in docs:
        for ordinal, b in enumerate(doc.blocks):
            b.kind = kinds[(doc.article_id, ordinal)]
        rows.append(article_row(by_article[doc.article_id], info["file_id"], info["file_name"], info["format"]))
    articles = pl.DataFrame(rows, schema=ARTICLE_SCHEMA)
    bodies = (
        sections.filter(pl.col("kind") == "body").sort("article_id", "ordinal")
        .group_by("article_id", maintain_order=True)
        .agg(pl.col("text").str.join("\n\n").alias("body"))
    )
    return (
        articles.join(bodies, on="article_id", how="left")
        .with_columns(pl.col("body").fill_null(""))
        .with_columns(word_count=pl.col("body").str.count_matches(r"\S+").cast(pl.Int32))
    )


def clean_files(raw_files: pl.DataFrame, now) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The clean stage: (sections, articles, rejections).

    Body candidates that fail the clean suite's row expectations become `spam` sections, get a
    rejection each, and are left out of the article bodies.
    """
    from expectations.runner import row_rejections

    docs, rejected = split_and_score(raw_files)
    sections = sections_frame(docs)
    candidates = sections.filter(pl.col("spam_score").is_not_null())
    failing, _ = row_rejections(candidates, "clean", ["article_id", "ordinal"])
    if failing.height:
        spam = failing.unique(["article_id", "ordinal"]).select("article_id", "ordinal", _spam=pl.lit(True))
        sections = (
            sections.join(spam, on=["article_id", "ordinal"], how="left")
            .with_columns(kind=pl.when("_spam").then(pl.lit("spam")).otherwise("kind"))  # the rule that set the score stays
            .drop("_spam")
        )
        file_of = dict(sections.select("article_id", "file_id").unique().iter_rows())
        rejected += [{"file_id": file_of[r["article_id"]], "article_id": r["article_id"], "section_ordinal": r["ordinal"],
                      "reason": r["reason"], "detail": r["detail"]} for r in failing.iter_rows(named=True)]
    articles = articles_frame(docs, sections)
    return sections, articles, rejections_frame(rejected, "clean", now)


# ----------------------------------------------------------------------------- Dagster asset
import dagster as dg  # noqa: E402
from dagster import AssetExecutionContext  # noqa: E402

from pipelines.batches import ingest_batches  # noqa: E402
from pipelines.metadata import counts_by, frame_metadata, rejection_metadata  # noqa: E402
from pipelines.resources import NewsEtlSettings  # noqa: E402


@dg.multi_asset(
    outs={
        "sections": dg.AssetOut(group_name="clean", code_version=rules_version(), description="Every line/block of every readable file, with its kind and spam scores."),
        "cleaned_articles": dg.AssetOut(group_name="clean", code_version=rules_version(), description="One row per article: title, publisher, source URL and a body of body sections only."),
        "clean_rejections": dg.AssetOut(group_name="clean", code_version=rules_version(), description="Spam sections and unreadable records, with the evidence."),
    },
    partitions_def=ingest_batches,
    description="Split files into sections, classify each, and reject spam sections through the clean suite.",
)
def clean(context: AssetExecutionContext, news: NewsEtlSettings, raw_files: pl.DataFrame):
    sections, articles, rejections = clean_files(raw_files, news.run_now())
    sections = sections.with_columns(rules_version=pl.lit(rules_version()))
    yield dg.Output(sections, "sections", metadata={
        **frame_metadata(sections.filter(pl.col("kind") != "body"), ["kind", "rule", "text"]),
        "dagster/row_count": sections.height,
        "sections_by_kind": dg.MetadataValue.json(counts_by(sections, "kind")),
        "spam_sections": int((sections["kind"] == "spam").sum()),
        "spam_model_overruled": dg.MetadataValue.int(int((sections["rule"] == "spam_model").sum())),  # calls the rules made otherwise
    })
    yield dg.Output(articles, "cleaned_articles", metadata=frame_metadata(articles, ["file_name", "title", "publisher", "word_count"]))
    yield dg.Output(rejections, "clean_rejections", metadata=rejection_metadata(rejections))
