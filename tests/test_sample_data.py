"""The bundled sample encyclopedia is a valid export whose links all resolve.

``make demo``, the docs and the acceptance tests build KBs from it and score
linkers against ``expected-links.json``, so a careless edit (a stale ``bytes``
attribute, a dangling link, shifted offsets) must fail here and name the page.
The files are read as they are shipped: real XML through lxml, no fixtures.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from lxml import etree

SAMPLE = Path(__file__).resolve().parent.parent / "src" / "linkpedia" / "data" / "sample"
EXPORT_NS = "http://www.mediawiki.org/xml/export-0.11/"
Q = {"mw": EXPORT_NS}
XML_NS = "{http://www.w3.org/XML/1998/namespace}"

LINK = re.compile(r"\[\[([^\[\]|]+)(?:\|([^\[\]]*))?\]\]([a-z]*)")
REDIRECT = re.compile(r"#REDIRECT\s*\[\[([^\[\]|#]+)", re.IGNORECASE)
NOT_ARTICLE = re.compile(r"\s*:?\s*(file|image|category)\s*:", re.IGNORECASE)
HEADING = re.compile(r"^(=+)\s*(.*?)\s*\1\s*$", re.MULTILINE)
DISAMBIGUATION = re.compile(r"\{\{\s*disambiguation\s*\}\}", re.IGNORECASE)


@dataclass(frozen=True)
class WikiPage:
    title: str
    ns: str
    page_id: str
    text: str
    bytes_attr: str | None
    redirect_attr: str | None

    @property
    def is_redirect(self) -> bool:
        return self.redirect_attr is not None

    @property
    def is_disambiguation(self) -> bool:
        return bool(DISAMBIGUATION.search(self.text))


@dataclass(frozen=True)
class WikiLink:
    target: str  # normalized title, section removed
    section: str
    anchor: str  # the text a reader sees, link trail included


def norm(title: str) -> str:
    """MediaWiki's title normalization for a first-letter wiki."""
    title = re.sub(r"[_ ]+", " ", title).strip()
    return title[:1].upper() + title[1:]


def wiki_links(text: str) -> Iterator[WikiLink]:
    """Article links of a wikitext (File/Category links skipped, caption links kept)."""
    for m in LINK.finditer(text):
        if NOT_ARTICLE.match(m.group(1)):
            continue
        target, _, section = m.group(1).partition("#")
        anchor = (m.group(2) if m.group(2) is not None else m.group(1)) + m.group(3)
        yield WikiLink(norm(target), section.strip(), anchor)


def plain(wikitext: str) -> str:
    """A rough plain text: enough to measure a lead, not a converter."""
    text = re.sub(r"<ref[^>]*/>", "", wikitext)
    text = re.sub(r"<ref[^>]*>.*?</ref>", "", text, flags=re.DOTALL)
    while (stripped := re.sub(r"\{\{[^{}]*\}\}", "", text)) != text:
        text = stripped
    text = re.sub(r"\[\[[^\[\]|]*\|([^\[\]]*)\]\]", r"\1", text)
    text = re.sub(r"\[\[([^\[\]]*)\]\]", r"\1", text)
    return text.replace("'''", "").replace("''", "")


def lead(wikitext: str) -> str:
    return next(p.strip() for p in re.split(r"\n\s*\n", plain(wikitext)) if p.strip())


@pytest.fixture(scope="module")
def tree() -> etree._ElementTree:
    return etree.parse(str(SAMPLE / "sample-wiki.xml"))


@pytest.fixture(scope="module")
def pages(tree: etree._ElementTree) -> dict[str, WikiPage]:
    found: dict[str, WikiPage] = {}
    for page in tree.getroot().iterfind("mw:page", Q):
        text = page.find("mw:revision/mw:text", Q)
        redirect = page.find("mw:redirect", Q)
        title = page.findtext("mw:title", namespaces=Q)
        assert title not in found, f"duplicate page {title!r}"
        found[title] = WikiPage(
            title=title,
            ns=page.findtext("mw:ns", namespaces=Q),
            page_id=page.findtext("mw:id", namespaces=Q),
            text=text.text or "",
            bytes_attr=text.get("bytes"),
            redirect_attr=None if redirect is None else redirect.get("title"),
        )
    return found


@pytest.fixture(scope="module")
def redirects(pages: dict[str, WikiPage]) -> dict[str, str]:
    return {t: p.redirect_attr for t, p in pages.items() if p.redirect_attr is not None}


def resolve(title: str, redirects: dict[str, str]) -> str:
    seen = [title]
    while title in redirects:
        title = redirects[title]
        assert title not in seen, f"redirect loop: {' -> '.join(seen + [title])}"
        seen.append(title)
    return title


@pytest.fixture(scope="module")
def anchor_counts(
    pages: dict[str, WikiPage], redirects: dict[str, str]
) -> Counter[tuple[str, str]]:
    """(anchor, final title) -> how many links of the sample use it."""
    return Counter(
        (link.anchor, resolve(link.target, redirects))
        for page in pages.values()
        for link in wiki_links(page.text)
    )


@pytest.fixture(scope="module")
def text() -> str:
    return (SAMPLE / "sample-text.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def expected() -> list[dict]:
    return json.loads((SAMPLE / "expected-links.json").read_text(encoding="utf-8"))


def seed_titles(seed_dir: Path) -> set[str]:
    gold = json.loads((seed_dir / "seed_gold.json").read_text(encoding="utf-8"))
    return {link["target"] for link in gold["links"]}


# --- the export ---------------------------------------------------------------


def test_export_header(tree: etree._ElementTree) -> None:
    root = tree.getroot()
    assert root.tag == f"{{{EXPORT_NS}}}mediawiki"
    assert root.get("version") == "0.11"
    assert root.get(f"{XML_NS}lang") == "en"
    site = root.find("mw:siteinfo", Q)
    assert site.findtext("mw:sitename", namespaces=Q) == "Linkpedia Sample Encyclopedia"
    assert site.findtext("mw:dbname", namespaces=Q) == "samplewiki"
    assert site.findtext("mw:case", namespaces=Q) == "first-letter"
    assert site.findtext("mw:base", namespaces=Q).startswith("https://")
    assert site.findtext("mw:generator", namespaces=Q).startswith("MediaWiki ")
    names = {n.get("key"): (n.text or "") for n in site.iterfind("mw:namespaces/mw:namespace", Q)}
    assert names["0"] == ""
    assert (names["6"], names["10"], names["14"]) == ("File", "Template", "Category")


def test_pages_are_articles_with_one_complete_revision(pages: dict[str, WikiPage], tree) -> None:
    assert 40 <= len(pages) <= 60
    assert {p.ns for p in pages.values()} == {"0"}
    assert len({p.page_id for p in pages.values()}) == len(pages)
    for page in tree.getroot().iterfind("mw:page", Q):
        title = page.findtext("mw:title", namespaces=Q)
        revisions = page.findall("mw:revision", Q)
        assert len(revisions) == 1, title
        rev = revisions[0]
        assert rev.findtext("mw:id", namespaces=Q).isdigit(), title
        timestamp = rev.findtext("mw:timestamp", namespaces=Q)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", timestamp), title
        assert rev.findtext("mw:contributor/mw:username", namespaces=Q) == "linkpedia"
        assert rev.findtext("mw:contributor/mw:id", namespaces=Q) == "1"
        assert rev.findtext("mw:model", namespaces=Q) == "wikitext"
        assert rev.findtext("mw:format", namespaces=Q) == "text/x-wiki"
        assert rev.find("mw:text", Q).get(f"{XML_NS}space") == "preserve", title


def test_sha1_is_mediawikis_base36_digest(tree: etree._ElementTree) -> None:
    stale = []
    for rev in tree.getroot().iterfind("mw:page/mw:revision", Q):
        data = (rev.findtext("mw:text", namespaces=Q) or "").encode("utf-8")
        n = int(hashlib.sha1(data).hexdigest(), 16)
        digits = ""
        while n:
            n, r = divmod(n, 36)
            digits = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + digits
        if rev.findtext("mw:sha1", namespaces=Q) != digits.zfill(31):
            stale.append(rev.getparent().findtext("mw:title", namespaces=Q))
    assert not stale, f"recompute <sha1> (see the sample's README): {stale}"


def test_bytes_attributes_are_utf8_lengths(pages: dict[str, WikiPage]) -> None:
    stale = {
        t: (p.bytes_attr, len(p.text.encode("utf-8")))
        for t, p in pages.items()
        if p.bytes_attr != str(len(p.text.encode("utf-8")))
    }
    assert not stale, f"set <text bytes> to the UTF-8 length (attribute, actual): {stale}"


# --- links and redirects --------------------------------------------------------


def test_every_link_resolves_to_a_page_and_section(pages: dict[str, WikiPage]) -> None:
    dangling = []
    for page in pages.values():
        for link in wiki_links(page.text):
            target = pages.get(link.target)
            if target is None:
                dangling.append((page.title, link.target))
            elif link.section and link.section not in {h for _, h in HEADING.findall(target.text)}:
                dangling.append((page.title, f"{link.target}#{link.section}"))
    assert not dangling


def test_articles_never_link_to_themselves(pages: dict[str, WikiPage], redirects) -> None:
    selfish = [
        (p.title, link.anchor)
        for p in pages.values()
        for link in wiki_links(p.text)
        if resolve(link.target, redirects) == p.title and not link.section
    ]
    assert not selfish


def test_redirects_agree_and_resolve_without_loops(pages: dict[str, WikiPage], redirects) -> None:
    assert 4 <= len(redirects) <= 6
    chains = 0
    for title, target in redirects.items():
        m = REDIRECT.match(pages[title].text)
        assert m, f"{title}: a redirect page's text starts with #REDIRECT [[...]]"
        assert norm(m.group(1)) == target, title
        final = resolve(title, redirects)
        assert final in pages and not pages[final].is_redirect
        chains += target in redirects
    assert chains >= 1, "keep one redirect chain (A -> B -> C)"


def test_two_disambiguation_pages_list_their_senses(pages: dict[str, WikiPage]) -> None:
    dabs = [p for p in pages.values() if p.is_disambiguation]
    assert sorted(p.title for p in dabs) == ["Kaunas (disambiguation)", "Vilnius (disambiguation)"]
    for page in dabs:
        listed = [line for line in page.text.splitlines() if line.startswith("* [[")]
        assert len(listed) >= 3, page.title


# --- articles -------------------------------------------------------------------


def test_articles_open_with_a_bold_lead_long_enough_to_cut(pages: dict[str, WikiPage]) -> None:
    for page in pages.values():
        if page.is_redirect or page.is_disambiguation:
            continue
        first = lead(page.text)
        assert 250 <= len(first) <= 500, (page.title, len(first))
        body = re.sub(r"\{\{[^{}]*(?:\{\{[^{}]*\}\}[^{}]*)*\}\}", "", page.text).strip()
        assert "'''" in body.split("\n\n")[0], f"{page.title}: bold title in the lead"
        assert "[[Category:" in page.text, page.title
        assert len([p for p in re.split(r"\n\s*\n", plain(page.text)) if p.strip()]) >= 2


def test_wikitext_uses_every_construct_a_dump_has(pages: dict[str, WikiPage]) -> None:
    wiki = "\n".join(p.text for p in pages.values())
    assert "{{Infobox" in wiki and "{{lang-lt|" in wiki and "<ref" in wiki
    assert re.search(r"\| \w+ += \{\{", wiki), "nested templates in an infobox"
    assert "{|" in wiki and "|}" in wiki, "a table"
    assert re.search(r"\[\[File:[^\[\]]*\|thumb\|[^\[\]]*\[\[[^\[\]]+\]\][^\[\]]*\]\]", wiki)
    assert re.search(r"\[\[[^\[\]|#]+#[^\[\]|]+\|", wiki), "[[T#Section|anchor]]"
    assert re.search(r"\[\[[^\[\]|]+\]\][a-z]+", wiki), "[[T]]s"
    assert re.search(r"\[\[[a-z][^\[\]|:]*\]\]", wiki), "lower-case first letter"
    assert re.search(r"\[\[[^\[\]|]*_[^\[\]|]*\]\]", wiki), "underscores"
    asides = [p for p in pages.values() if re.search(r"'''[^'\n]+'''\s\(", p.text)]
    assert len(asides) >= 20, "many leads have a parenthetical aside after the bold title"


def test_main_sense_is_the_most_frequent_target(pages, anchor_counts) -> None:
    by_surface: dict[str, Counter[str]] = defaultdict(Counter)
    for (anchor, title), count in anchor_counts.items():
        by_surface[anchor][title] += count
    ambiguous = {s: c for s, c in by_surface.items() if len(c) > 1}
    assert len(ambiguous) >= 8
    for surface, counts in ambiguous.items():
        main = norm(surface)
        if main in pages and not pages[main].is_redirect:
            (top, n), (_, runner_up) = counts.most_common(2)
            assert top == main and n > runner_up, (surface, dict(counts))


def test_at_least_30_articles_are_not_seed_entries(pages, seed_dir: Path) -> None:
    seed = seed_titles(seed_dir)
    assert len(seed) == 16
    assert seed <= {t for t, p in pages.items() if not p.is_redirect}, "all seed entries are here"
    others = [t for t, p in pages.items() if not p.is_redirect and t not in seed]
    assert len(others) >= 30


def test_prose_is_not_copied_from_the_seed(pages, text: str, seed_dir: Path) -> None:
    gold = json.loads((seed_dir / "seed_gold.json").read_text(encoding="utf-8"))
    seed = gold["text"] + "\n" + "\n".join(p["preview"] for p in gold["previews"])

    def runs(s: str, n: int = 8) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", plain(s).lower())
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    ours = runs(text) | set().union(*(runs(p.text) for p in pages.values()))
    copied = sorted(" ".join(run) for run in runs(seed) & ours)
    assert not copied, f"rephrase, these runs are the seed's: {copied}"


# --- the sample text and its expected links ------------------------------------


def test_sample_text_shape(text: str) -> None:
    title = (SAMPLE / "sample-text.title").read_text(encoding="utf-8")
    assert title.count("\n") <= 1 and title.strip() == "Lithuanian–Soviet relations, 1920–1940"
    assert not text.endswith("\n"), "offsets index the text as read; keep no trailing newline"
    assert 1500 <= len(text) <= 2500
    assert 3 <= len(text.split("\n\n")) <= 4
    assert text.splitlines()[0].strip() != title.strip()


def test_expected_link_offsets_match_the_text(text: str, expected: list[dict]) -> None:
    assert expected
    for link in expected:
        assert set(link) == {"start", "end", "surface", "title"}
        assert text[link["start"] : link["end"]] == link["surface"], link
    starts = [link["start"] for link in expected]
    assert starts == sorted(starts)
    assert all(a["end"] <= b["start"] for a, b in zip(expected, expected[1:])), "no overlaps"


def test_expected_links_follow_policy_first(text: str, expected: list[dict]) -> None:
    bounds, pos = [], 0
    for para in text.split("\n\n"):
        bounds.append((pos, pos + len(para)))
        pos += len(para) + 2
    seen: set[tuple[int, str]] = set()
    for link in expected:
        index = next(
            i for i, (a, b) in enumerate(bounds) if a <= link["start"] and link["end"] <= b
        )
        assert (index, link["title"]) not in seen, f"{link['title']} twice in paragraph {index + 1}"
        seen.add((index, link["title"]))
        earlier = text[bounds[index][0] : link["start"]]
        assert not re.search(rf"(?<!\w){re.escape(link['surface'])}(?!\w)", earlier), link


def test_expected_surfaces_are_names_the_wiki_uses(
    pages, redirects, anchor_counts, expected
) -> None:
    names = {(anchor, title) for anchor, title in anchor_counts}
    for link in expected:
        title = link["title"]
        assert title in pages and not pages[title].is_redirect, title
        name = norm(link["surface"])
        as_title = name in pages and resolve(name, redirects) == title
        assert as_title or (link["surface"], title) in names, link
    # the text exercises both senses of an ambiguous surface
    senses = defaultdict(set)
    for link in expected:
        senses[link["surface"]].add(link["title"])
    assert {"Kaunas", "Kaunas Fortress"} <= senses["Kaunas"]
    assert {"Soviet Union", "Soviet Union national football team"} <= senses["Soviet Union"]
