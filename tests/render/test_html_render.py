"""The HTML page: structure, links, preview cards, and escaping of every piece of text."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from linkpedia.render.html import CSS, render_html
from linkpedia.types import Document, Link

VOID = {"meta", "br", "img", "link", "hr", "input"}


class Page(HTMLParser):
    """The parts of a rendered page the tests look at, as a browser would parse them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.links: list[dict[str, str]] = []
        self.cards: list[str] = []
        self.card_titles: list[str] = []
        self.paragraphs: list[str] = []
        self.event_attributes: list[str] = []
        self._stack: list[tuple[str, str]] = []
        self._text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        self.event_attributes += [name for name, _ in attrs if name.startswith("on")]
        kind = attributes.get("class", "")
        if tag == "a" and kind == "lp-link":
            self.links.append(attributes)
        if tag == "p":
            self._text = []
        if tag not in VOID:
            self._stack.append((tag, kind))

    def handle_endtag(self, tag):
        tag_, kind = self._stack.pop()
        assert tag_ == tag, f"</{tag}> closes <{tag_}>"
        if tag == "p":
            self.paragraphs.append("".join(self._text))

    def handle_data(self, data):
        kinds = [kind for _, kind in self._stack]
        if "lp-card-title" in kinds:
            self.card_titles.append(data)
        elif "lp-card-text" in kinds:
            self.cards.append(data)
        elif any(tag == "p" for tag, _ in self._stack):
            self._text.append(data)


def seed_document(seed_dir: Path) -> Document:
    gold = json.loads((seed_dir / "seed_gold.json").read_text(encoding="utf-8"))
    links = tuple(Link(g["start"], g["end"], g["surface"], title=g["target"]) for g in gold["links"])
    previews = {p["title"]: p["preview"] for p in gold["previews"]}
    return Document(text=gold["text"], links=links, title=gold["title"], previews=previews)


def test_seed_document_page(seed_dir):
    doc = seed_document(seed_dir)
    html = render_html(doc, link_base="/wiki/")
    page = Page(html)
    assert html.startswith("<!DOCTYPE html>\n")
    assert page.tags.count("h1") == 1 and page.tags.count("p") == 3
    assert [a["data-title"] for a in page.links] == [link.title for link in doc.links]
    assert page.links[6]["href"] == "/wiki/Zeligowski%27s_Mutiny"
    assert page.links[-1]["href"] == "/wiki/1926_Lithuanian_coup_d%27%C3%A9tat"
    assert all(a["data-score"] == "1.000" for a in page.links)
    assert page.card_titles == [link.title for link in doc.links]
    assert page.cards == [doc.previews[link.title] for link in doc.links if link.title in doc.previews]
    # the paragraphs read as the text does, the links' surfaces included
    assert page.paragraphs == doc.text.split("\n\n")


def test_page_is_standalone_and_cards_show_on_keyboard_focus():
    html = render_html(Document(text="Kaunas", links=(Link(0, 6, "Kaunas", "Kaunas"),)))
    assert "<link" not in html and "src=" not in html and "url(" not in html and "@import" not in html
    assert html.count("<script") == 1 and html.count("<style") == 1
    assert ":focus-within > .lp-card" in CSS and ":hover > .lp-card" in CSS
    assert 'aria-describedby="lp-card-0"' in html and 'id="lp-card-0" role="tooltip"' in html


def test_fragment_for_embedding_has_no_page_around_it():
    fragment = render_html(
        Document(text="Hi Kaunas", links=(Link(3, 9, "Kaunas", "Kaunas"),)), link_base="/wiki/", standalone=False
    )
    assert fragment.startswith('<article class="lp-article">') and fragment.endswith("</article>\n")
    assert "<script" not in fragment and "<html" not in fragment and "<style" not in fragment
    assert Page(fragment).links[0]["href"] == "/wiki/Kaunas"


def test_link_base_points_links_at_the_servers_entry_pages():
    doc = Document(text="AC/DC and C++", links=(Link(0, 5, "AC/DC", "AC/DC"), Link(10, 13, "C++", "C++")))
    page = Page(render_html(doc, link_base="/entry/"))
    assert [a["href"] for a in page.links] == ["/entry/AC/DC", "/entry/C%2B%2B"]


def test_without_a_link_base_links_jump_to_the_entries_section():
    text = "Kaunas and Vilnius, then Kaunas again."
    doc = Document(text=text, links=(Link(0, 6, "Kaunas", "Kaunas"), Link(11, 18, "Vilnius", "Vilnius"),
                                     Link(25, 31, "Kaunas", "Kaunas")),
                   previews={"Kaunas": "A city on the Nemunas."})
    html = render_html(doc)
    assert [a["href"] for a in Page(html).links] == ["#lp-entry-1", "#lp-entry-2", "#lp-entry-1"]
    assert '<dt id="lp-entry-1">Kaunas</dt>\n<dd>A city on the Nemunas.</dd>' in html
    assert '<dt id="lp-entry-2">Vilnius</dt>\n</dl>' in html  # no preview, no empty <dd>
    assert html.index("<h2>Entries</h2>") > html.index("then Kaunas again")
    assert "<section" not in render_html(doc, link_base="/wiki/")
    assert "<section" not in render_html(Document(text="No links."))


def test_a_link_without_preview_gets_a_title_only_card():
    page = Page(render_html(Document(text="Kaunas", links=(Link(0, 6, "Kaunas", "Kaunas"),))))
    assert page.card_titles == ["Kaunas"] and page.cards == []


def test_missing_title_uses_the_first_line():
    page = render_html(Document(text="Opening line\n\nMore."))
    assert "<title>Opening line</title>" in page and "<h1>Opening line</h1>" in page


def test_a_long_first_line_is_cut_between_words():
    line = "The summit gathered leaders from across Europe, and Emmanuel Macron in Paris spoke first."
    page = render_html(Document(text=line + "\n\nMore."))
    heading = "The summit gathered leaders from across Europe, and Emmanuel Macron in Paris…"
    assert f"<h1>{heading}</h1>" in page and f"<title>{heading}</title>" in page
    from linkpedia.render._spans import shorten
    for limit in range(10, 95):
        cut = shorten(line, limit)
        assert len(cut) <= limit and (cut == line or (cut.endswith("…") and line.startswith(cut[:-1])))
        assert cut == line or line[len(cut) - 1] in " ," or len(cut) == limit  # ends at a word's end


PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "</p></article><script>alert(2)</script>",
    "&lt;b&gt; & <!-- x -->",
]


def test_every_piece_of_text_is_escaped():
    for payload in PAYLOADS:
        text = f"Before {payload} after. Linked {payload}"
        start = text.rindex(payload)
        doc = Document(
            text=text,
            title=payload,
            links=(Link(start, len(text), payload, payload, score=0.5),),
            previews={payload: payload},
        )
        for html in (render_html(doc), render_html(doc, standalone=False)):
            for raw in (
                "<script>alert",
                "<img",
                '"><img',
                "onerror=alert(1)>",
                "' onmouseover='",
                "<!-- x -->",
            ):
                assert raw not in html, (payload, raw)
            page = Page(html)
            assert page.event_attributes == []
            assert page.tags.count("script") == (1 if html.startswith("<!DOCTYPE") else 0)
            # escaped, not dropped: a browser shows the payload as text
            assert page.links[0]["data-title"] == payload
            assert page.card_titles == [payload] and page.cards == [payload]
            assert page.paragraphs == [text]


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(alphabet="ab<>&\"' =/\n", max_size=40),
    cuts=st.lists(st.integers(0, 40), max_size=6),
    title=st.text(alphabet="ab<>&\"' =/", max_size=10),
)
def test_no_text_ever_becomes_markup(text, cuts, title):
    cuts = sorted(min(cut, len(text)) for cut in cuts)
    links = tuple(Link(a, b, text[a:b], title + text[a:b]) for a, b in zip(cuts[::2], cuts[1::2]) if a < b)
    doc = Document(text=text, links=links, title=title, previews={link.title: text for link in links})
    page = Page(render_html(doc))
    allowed = {"html", "head", "meta", "title", "style", "body", "article", "h1", "p", "span", "a", "script",
               "section", "h2", "dl", "dt", "dd"}
    assert set(page.tags) <= allowed
    assert page.tags.count("script") == 1 and page.event_attributes == []
    assert [a["data-title"] for a in page.links] == [link.title for link in links]
