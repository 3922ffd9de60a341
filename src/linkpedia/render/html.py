"""A document as a standalone HTML page with Wikipedia-style link previews.

Each link carries a card with the entry's title and preview. The card shows on
hover and on keyboard focus with CSS alone (``:hover``/``:focus-within``); the
small script only keeps a card inside the window and lets Escape close it. The
page loads nothing from elsewhere, so it works offline and from a file.

A page opened from a file has no server behind it, so ``/wiki/...`` would be
dead there: without a ``link_base`` the links jump to an "Entries" section at
the end of the page, each entry's title and preview (``render.targets`` picks
the base a standalone page should use).

Every piece of text (article, titles, previews, attribute values) is escaped:
the text and the KB are user data and must never become markup.
"""

from __future__ import annotations

import re
from html import escape

from ..nif import quote_title
from ..types import Document, Link
from ._spans import fallback_title, ordered_links

__all__ = ["render_html", "CSS", "JS"]

CSS = """\
body { margin: 0; background: #f6f6f6; color: #202122; }
.lp-article { box-sizing: border-box; max-width: 42em; margin: 2.5em auto; padding: 2em 2.5em 1.5em;
  background: #fff; border: 1px solid #e4e6e9; border-radius: 3px;
  font: 1.0625rem/1.65 Georgia, "Linux Libertine", "Times New Roman", serif; }
.lp-article h1 { margin: 0 0 .8em; padding-bottom: .25em; border-bottom: 1px solid #a2a9b1;
  font-weight: normal; font-size: 1.85em; line-height: 1.3; }
.lp-article p { margin: 0 0 1em; }
.lp-ref { position: relative; }
.lp-link { color: #3366cc; text-decoration: none; }
.lp-link:hover, .lp-link:focus { text-decoration: underline; }
.lp-link:focus-visible { outline: 2px solid #3366cc; outline-offset: 1px; border-radius: 2px; }
.lp-card { display: none; position: absolute; left: 0; top: 100%; z-index: 10; box-sizing: border-box;
  width: 21em; margin-top: .45em; padding: .85em 1em; background: #fff; color: #202122;
  border: 1px solid #c8ccd1; border-radius: 4px; text-align: left; white-space: normal;
  box-shadow: 0 20px 48px -12px rgba(0, 0, 0, .35), 0 0 1px rgba(0, 0, 0, .25);
  font: .875rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.lp-card::before { content: ""; position: absolute; left: 0; right: 0; top: -.6em; height: .6em; }
.lp-card-title { display: block; margin-bottom: .3em; font-weight: 600; font-size: 1.05em; }
.lp-card-text { display: block; color: #3a3d42; }
.lp-ref:hover > .lp-card, .lp-ref:focus-within > .lp-card { display: block; }
.lp-ref.lp-closed > .lp-card { display: none; }
.lp-card.lp-flip { left: auto; right: 0; }
.lp-entries h2 { margin: 1.6em 0 .5em; padding-bottom: .2em; border-bottom: 1px solid #a2a9b1;
  font-weight: normal; font-size: 1.4em; }
.lp-entries dt { font-weight: 600; margin-top: .7em; scroll-margin-top: 1em; }
.lp-entries dd { margin: .1em 0 0; color: #3a3d42; font-size: .95em; }
.lp-entries dt:target { background: #fef6e7; outline: 2px solid #fc3; border-radius: 2px; }
@media (prefers-reduced-motion: no-preference) {
  .lp-card { animation: lp-in .12s ease-out; }
  @keyframes lp-in { from { opacity: 0; transform: translateY(-3px); } }
}
@media (max-width: 40em) {
  .lp-article { margin: 0; padding: 1.2em 1em; border: 0; }
  .lp-card { width: min(21em, 85vw); }
}
"""

JS = """\
(function () {
  "use strict";
  function refOf(node) { return node && node.closest ? node.closest(".lp-ref") : null; }
  function open(event) {
    var ref = refOf(event.target), card = ref && ref.querySelector(".lp-card");
    if (!card) return;
    ref.classList.remove("lp-closed");
    card.classList.remove("lp-flip");
    if (card.getBoundingClientRect().right > document.documentElement.clientWidth - 8) {
      card.classList.add("lp-flip");
    }
  }
  document.addEventListener("mouseover", open);
  document.addEventListener("focusin", open);
  document.addEventListener("keydown", function (event) {
    var ref = refOf(document.activeElement);
    if (event.key === "Escape" && ref) ref.classList.add("lp-closed");
  });
})();
"""

# Any whitespace run holding a newline ends a paragraph, as in the seed layout.
_BREAK = re.compile(r"\s*\n\s*")


def render_html(doc: Document, *, link_base: str | None = None, standalone: bool = True) -> str:
    """The document as an HTML5 page, or (``standalone=False``) as an ``<article>`` to embed.

    With ``link_base`` a link goes to ``link_base + quote_title(title)``
    (Wikipedia's URL form: spaces as ``_``, percent-encoded); the server
    passes ``"/wiki/"``. Without it, the links jump to the page's own
    "Entries" section. An embedding page needs ``CSS`` (and optionally
    ``JS``) from this module for the previews to work.
    """
    title = fallback_title(doc)
    heading = f"<h1>{escape(title)}</h1>\n" if title else ""
    links = ordered_links(doc)
    anchors = None if link_base is not None else _anchors(links)
    body = "".join(f"<p>{paragraph}</p>\n" for paragraph in _paragraphs(doc, links, link_base, anchors))
    if anchors:
        body += _entries(anchors, doc.previews)
    article = f'<article class="lp-article">\n{heading}{body}</article>\n'
    if not standalone:
        return article
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="linkpedia">\n'
        f"<title>{escape(title)}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n"
        f"{article}<script>\n{JS}</script>\n</body>\n</html>\n"
    )


def _anchors(links: list[Link]) -> dict[str, str]:
    """Each linked title's id in the Entries section, in the order the text first links it."""
    anchors: dict[str, str] = {}
    for link in links:
        anchors.setdefault(link.title, f"lp-entry-{len(anchors) + 1}")
    return anchors


def _entries(anchors: dict[str, str], previews) -> str:
    items = []
    for title, anchor in anchors.items():
        preview = previews.get(title)
        items.append(f'<dt id="{anchor}">{escape(title)}</dt>\n'
                     + (f"<dd>{escape(preview)}</dd>\n" if preview else ""))
    return f'<section class="lp-entries">\n<h2>Entries</h2>\n<dl>\n{"".join(items)}</dl>\n</section>\n'


def _paragraphs(doc: Document, links: list[Link], link_base: str | None,
                anchors: dict[str, str] | None) -> list[str]:
    """The inner HTML of each paragraph, links included."""
    paragraphs: list[list[str | Link]] = [[]]
    position = 0
    for link in links:
        _add_text(paragraphs, doc.text[position : link.start])
        paragraphs[-1].append(link)
        position = link.end
    _add_text(paragraphs, doc.text[position:])

    rendered = []
    number = 0
    for parts in paragraphs:
        if parts and isinstance(parts[0], str):
            parts[0] = parts[0].lstrip()
        if parts and isinstance(parts[-1], str):
            parts[-1] = parts[-1].rstrip()
        if not any(isinstance(part, Link) or part for part in parts):
            continue
        html = []
        for part in parts:
            if isinstance(part, Link):
                href = "#" + anchors[part.title] if anchors is not None else link_base + quote_title(part.title)
                html.append(_link(part, doc.previews.get(part.title), href, number))
                number += 1
            else:
                html.append(escape(part))
        rendered.append("".join(html))
    return rendered


def _add_text(paragraphs: list[list[str | Link]], text: str) -> None:
    pieces = _BREAK.split(text)
    paragraphs[-1].append(pieces[0])
    for piece in pieces[1:]:
        paragraphs.append([piece])


def _link(link: Link, preview: str | None, href: str, number: int) -> str:
    card_id = f"lp-card-{number}"
    text = f'<span class="lp-card-text">{escape(preview)}</span>' if preview else ""
    return (
        '<span class="lp-ref">'
        f'<a class="lp-link" href="{escape(href)}" data-title="{escape(link.title)}" '
        f'data-score="{link.score:.3f}" aria-describedby="{card_id}">{escape(link.surface)}</a>'
        f'<span class="lp-card" id="{card_id}" role="tooltip">'
        f'<span class="lp-card-title">{escape(link.title)}</span>{text}</span>'
        "</span>"
    )
