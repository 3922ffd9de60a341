"""The web reader: paste or upload a text, read it as an encyclopedia page, browse entries.

Plain HTML forms and links, so reading works with JavaScript off: ``/read``
answers a form post, or an address holding the text and the options
(``serve.reading``), with the linked page (``render_html``'s article, its
cards and links unchanged), ``/wiki/{title}`` shows an entry's preview and the
entries that link there, ``/search`` goes to an entry by name or lists the
entries starting so, a page at a time. Hover and focus cards come from
``render.html``'s CSS and script, reused as they are; the reader adds its page
frame, title autocomplete, and on a read page puts the keyboard focus at the
text's start, so Tab walks the text's links in order.

Every value that reaches a page is escaped, and each page's
Content-Security-Policy lists the hashes of its one style and one script block.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from ..kb import KnowledgeBase
from ..nif import quote_title
from ..render._spans import fallback_title, shorten
from ..render.html import CSS, JS, render_html
from ..types import Document, Link
from ..wikitext import normalize_title
from .limits import Lane, check_text
from .lookups import CurrentKB, inlink_count
from .problems import Problem
from .reading import ReadOptions, options_form, parse_options, share_url
from .security import csp_for

__all__ = ["pages_router", "page", "error_page"]

SITE_CSS = """\
.lp-site { display: flex; flex-wrap: wrap; gap: .6em 1.2em; align-items: center; justify-content: space-between;
  padding: .6em 1.2em; background: #fff; border-bottom: 1px solid #c8ccd1;
  font: .95rem/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.lp-home { color: #202122; font: 1.35rem Georgia, "Linux Libertine", serif; text-decoration: none; }
.lp-home:focus-visible, .lp-site input:focus-visible, .lp-site button:focus-visible,
.lp-form :focus-visible { outline: 2px solid #3366cc; outline-offset: 1px; }
.lp-site form { display: flex; gap: .3em; }
.lp-site input { width: 16em; max-width: 55vw; padding: .35em .5em; border: 1px solid #a2a9b1;
  border-radius: 2px; font: inherit; }
.lp-site button, .lp-form button { padding: .35em .9em; border: 1px solid #a2a9b1; border-radius: 2px;
  background: #f8f9fa; color: #202122; font: inherit; cursor: pointer; }
.lp-form button { background: #3366cc; border-color: #3366cc; color: #fff; font-weight: 600; }
.lp-form { display: grid; gap: .45em; font: .95rem/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.lp-form label, .lp-form legend { font-weight: 600; }
.lp-form input[type=text], .lp-form textarea { box-sizing: border-box; width: 100%; padding: .45em .55em;
  border: 1px solid #a2a9b1; border-radius: 2px; font: 1rem/1.5 Georgia, "Linux Libertine", serif; }
.lp-form textarea { min-height: 16em; resize: vertical; }
.lp-form fieldset { margin: .4em 0; padding: 0; border: 0; }
.lp-form fieldset label { font-weight: normal; margin-right: 1.2em; }
.lp-form .lp-actions { margin-top: .6em; }
.lp-kicker { margin: -.6em 0 1em; color: #54595d; font: .9rem system-ui, sans-serif; }
.lp-meta, .lp-note { color: #54595d; font-size: .9em; }
.lp-article h2 { margin: 1.4em 0 .5em; padding-bottom: .2em; border-bottom: 1px solid #a2a9b1;
  font-weight: normal; font-size: 1.4em; }
.lp-article .lp-article { max-width: none; margin: 0; padding: 0; border: 0; background: none; font: inherit; }
.lp-list .lp-article p { margin: 0 0 .35em; }
.lp-back { font: .95rem system-ui, sans-serif; }
.lp-after { max-width: 42em; margin: -1.2em auto 2.5em; padding: 0 2.5em; }
.lp-back a, .lp-article p > a:not(.lp-link) { color: #3366cc; }
.lp-skip { position: absolute; left: -9999px; top: .5em; padding: .3em .6em; background: #fff;
  border: 2px solid #3366cc; font: .95rem system-ui, sans-serif; }
.lp-skip:focus { left: .5em; z-index: 20; }
#lp-read:focus { outline: none; }
.lp-form input[type=number] { box-sizing: border-box; width: 7em; padding: .35em .5em; border: 1px solid #a2a9b1;
  border-radius: 2px; font: inherit; }
.lp-again { max-width: 42em; margin: 0 auto 1.2em; padding: 1em 2.5em; box-sizing: border-box;
  background: #fff; border: 1px solid #e4e6e9; border-radius: 3px; }
.lp-again summary { cursor: pointer; font: 600 .95rem system-ui, sans-serif; }
.lp-results { padding-left: 1.6em; }
.lp-results li { margin: 0 0 .8em; }
.lp-results a { color: #3366cc; font-weight: 600; text-decoration: none; }
.lp-results a:hover, .lp-results a:focus { text-decoration: underline; }
.lp-result-text { display: block; color: #3a3d42; font-size: .95em; }
.lp-pages { display: flex; gap: 1.2em; align-items: center; font: .95rem system-ui, sans-serif; }
.lp-pages a { color: #3366cc; }
"""

SITE_JS = """\
(function () {
  "use strict";
  var input = document.getElementById("lp-q"), list = document.getElementById("lp-titles");
  if (!input || !list || !window.fetch) return;
  var timer = null, asked = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim();
      if (!q || q === asked) return;
      asked = q;
      fetch("/api/search?limit=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || input.value.trim() !== q) return;
          list.replaceChildren.apply(list, data.results.map(function (hit) {
            var option = document.createElement("option");
            option.value = hit.title;
            return option;
          }));
        })
        .catch(function () {});
    }, 150);
  });
})();
(function () {
  "use strict";
  // A read page: Tab starts at the text (not the header), and the address holds the reading.
  var start = document.getElementById("lp-read");
  if (!start) return;
  start.focus({ preventScroll: true });
  var share = start.getAttribute("data-share");
  if (share && window.history && history.replaceState && location.pathname + location.search !== share) {
    history.replaceState(null, "", share);
  }
})();
"""

HOME = """\
<article class="lp-article">
<h1>Read a text as an encyclopedia page</h1>
<p>Paste a text or choose a .txt file: every mention of one of the {entries:,} entries of this
encyclopedia becomes a link, with a preview of the entry when you point at it or move to it
with the keyboard.</p>
<form class="lp-form" action="/read" method="post" enctype="multipart/form-data">
<label for="lp-title">Title <span class="lp-note">(optional; never linked in its own text)</span></label>
<input id="lp-title" name="title" type="text" maxlength="300">
<label for="lp-text">Text</label>
<textarea id="lp-text" name="text" rows="14"></textarea>
<label for="lp-file">…or a .txt file <span class="lp-note">(UTF-8; used instead of the text)</span></label>
<input id="lp-file" name="file" type="file" accept=".txt,text/plain">
{options}<div class="lp-actions"><button type="submit">Read</button></div>
</form>
<p class="lp-note">At most {max_chars:,} characters per text.</p>
</article>
"""

PAGE_SIZE = 20
MAX_HITS = 1000  # search results counted and paged through

_STYLE = "\n" + CSS + SITE_CSS
_SCRIPT = "\n" + JS + SITE_JS
_CSP = csp_for([_STYLE], [_SCRIPT])


def page(title: str, content: str, *, status: int = 200, headers: dict[str, str] | None = None,
         skip: bool = False) -> HTMLResponse:
    """``content`` (already escaped HTML) in the site's frame; ``title`` is escaped here.

    ``skip``: the content has an ``#lp-read`` to skip the header to (read pages).
    """
    skip_link = '<a class="lp-skip" href="#lp-read">Skip to the text</a>\n' if skip else ""
    html = (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{escape(title)} — linkpedia</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"{skip_link}<header class=\"lp-site\"><a class=\"lp-home\" href=\"/\">linkpedia</a>\n"
        "<form action=\"/search\" method=\"get\" role=\"search\">"
        "<input id=\"lp-q\" name=\"q\" type=\"search\" list=\"lp-titles\" autocomplete=\"off\" "
        "placeholder=\"Search entries\" aria-label=\"Search entries\" maxlength=\"300\">"
        "<datalist id=\"lp-titles\"></datalist><button type=\"submit\">Go</button></form></header>\n"
        f"<main>\n{content}</main>\n<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )
    return HTMLResponse(html, status_code=status, headers={**(headers or {}), "Content-Security-Policy": _CSP})


def error_page(status: int, title: str, detail: str, *, headers: dict[str, str] | None = None) -> HTMLResponse:
    content = (f'<article class="lp-article">\n<h1>{escape(title)}</h1>\n<p>{escape(detail)}</p>\n'
               '<p class="lp-back"><a href="/">Read another text</a></p>\n</article>\n')
    return page(title, content, status=status, headers=headers)


def _titles(titles: list[str], previews: dict[str, str]) -> str:
    """Entry titles, one per line, each a link with its preview card: ``render_html`` does the markup."""
    text = "\n".join(titles)
    links, position = [], 0
    for title in titles:
        links.append(Link(position, position + len(title), title, title))
        position += len(title) + 1
    doc = Document(text=text, links=tuple(links), title="", previews=previews)
    return f'<div class="lp-list">\n{render_html(doc, link_base="/wiki/", standalone=False)}</div>\n'


def pages_router(current: CurrentKB, lane: Lane) -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    limits = lane.limits

    @pages.get("/", response_class=HTMLResponse)
    async def home() -> Response:
        kb = current()
        options = options_form("lp-", ReadOptions(), threshold=kb.config.threshold, mode=lane.limits.mode)
        return page("Read a text", HOME.format(entries=kb.index.n_entries, max_chars=limits.max_text_chars,
                                               options=options))

    @pages.get("/favicon.ico")
    async def favicon() -> Response:
        return Response(status_code=204)  # no icon; an answer keeps browsers from logging a 404

    @pages.post("/read", response_class=HTMLResponse)
    async def read(request: Request) -> Response:
        form = await request.form(max_files=1, max_fields=8, max_part_size=limits.max_body_bytes)
        title = _field(form, "title").strip() or None
        options = parse_options(lambda name: _field(form, name))
        text = _field(form, "text")
        upload = form.get("file")
        if isinstance(upload, UploadFile) and upload.filename:
            text = _decode(await upload.read(), upload.filename)
            title = title or _stem(upload.filename)
        return await _read(text, title, options)

    @pages.get("/read", response_class=HTMLResponse)
    async def read_address(request: Request) -> Response:
        query = request.query_params
        if not query.get("text", "").strip():
            return RedirectResponse("/", status_code=303)
        options = parse_options(lambda name: query.get(name, ""))
        return await _read(query.get("text", ""), query.get("title", "").strip()[:300] or None, options)

    async def _read(text: str, title: str | None, options: ReadOptions) -> Response:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not text.strip():
            raise Problem(400, "there is no text to read; paste a text or choose a .txt file")
        check_text(text, limits)
        kb = current()
        doc = await lane.run(kb.link, text, policy=options.policy, threshold=options.threshold, title=title,
                             chars=len(text), mode=options.mode or lane.limits.mode)
        return _read_page(kb, doc, title, options, lane.limits.mode)

    @pages.get("/wiki/{title:path}", response_class=HTMLResponse)
    async def wiki(title: str) -> Response:
        kb = current()
        resolved = await lane.lookup(kb.lookup, title[:1000])
        if resolved is None:
            return await lane.lookup(_missing, kb, title)
        if title != resolved.replace(" ", "_"):
            return RedirectResponse("/wiki/" + quote_title(resolved), status_code=301)
        return await lane.lookup(_entry_page, kb, resolved)

    @pages.get("/search", response_class=HTMLResponse)
    async def search(q: str = "", page: str = "1") -> Response:
        q = q.strip()[:1000]
        if not page.isdigit() or int(page) < 1:
            raise Problem(400, f"page {page[:20]!r} is not a whole number from 1")
        number = int(page)
        if not q:
            return RedirectResponse("/", status_code=303)
        kb = current()
        if number == 1:
            resolved = await lane.lookup(kb.lookup, q)
            if resolved is not None:
                return RedirectResponse("/wiki/" + quote_title(resolved), status_code=303)
        return await lane.lookup(_results, kb, q, number)

    return pages


def _read_page(kb: KnowledgeBase, doc: Document, title: str | None, options: ReadOptions,
               default_mode: str) -> Response:
    """The linked text, then a form to read it again with other options; its address when it has one."""
    share = share_url(doc.text, title, options)
    shared = f' data-share="{escape(share)}"' if share else ""
    article = render_html(doc, link_base="/wiki/", standalone=False)
    controls = options_form("lp-again-", options, threshold=kb.config.threshold, mode=default_mode)
    hidden = (f'<input type="hidden" name="text" value="{escape(doc.text)}">'
              + (f'<input type="hidden" name="title" value="{escape(title)}">' if title else ""))
    where = (f'<p class="lp-meta"><a href="{escape(share)}">Link to this page</a> (the text and the options '
             "are in its address)</p>\n" if share else
             '<p class="lp-meta">This text is too long to share by its address.</p>\n')
    again = (
        '<details class="lp-again"><summary>Read again with other options</summary>\n'
        f'<form class="lp-form" action="/read" method="{"get" if share else "post"}">{hidden}\n{controls}'
        '<div class="lp-actions"><button type="submit">Read again</button></div>\n</form>\n</details>\n'
    )
    content = (f'<div id="lp-read" tabindex="-1"{shared}>\n{article}</div>\n{again}'
               f'<div class="lp-back lp-after">{where}<p><a href="/">Read another text</a></p></div>\n')
    return page(fallback_title(doc) or "Linked text", content, skip=True)


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _decode(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Problem(400, f"{filename} (byte {error.start}): not valid UTF-8 — save the file as UTF-8 text") from None


def _stem(filename: str) -> str:
    """A title from an uploaded file's name; the name is only text, never opened."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if name.lower().endswith(".txt"):
        name = name[:-4]
    return name.replace("_", " ").strip()[:300]


def _entry_page(kb: KnowledgeBase, title: str) -> Response:
    entry = kb.entry(title)
    linking = kb.inlinks(title, limit=200)
    count = inlink_count(kb, title)
    names = [s for s, _ in entry.surfaces if s != entry.title][:12]
    parts = [f'<article class="lp-article">\n<h1>{escape(entry.title)}</h1>\n<p class="lp-kicker">Encyclopedia</p>\n']
    if entry.is_disambiguation:
        parts.append('<p class="lp-note">This is a disambiguation entry: its name may refer to several entries.</p>\n')
    parts.append(f"<p>{escape(entry.preview)}</p>\n" if entry.preview else
                 '<p class="lp-note">This entry has no preview.</p>\n')
    if names:
        parts.append(f'<p class="lp-meta">Also written: {escape(", ".join(names))}</p>\n')
    parts.append('<h2 id="links-here">Entries that link here</h2>\n')
    if linking:
        shown = "" if count <= len(linking) else f" (the {len(linking)} most linked-to are listed)"
        parts.append(f'<p class="lp-meta">{count:,} entr{"y links" if count == 1 else "ies link"} here{shown}.</p>\n')
        parts.append(_titles(linking, kb.previews(linking)))
    else:
        parts.append('<p class="lp-note">No entry links here.</p>\n')
    parts.append("</article>\n")
    return page(entry.title, "".join(parts))


def _missing(kb: KnowledgeBase, title: str) -> Response:
    asked = normalize_title(title) or title
    near = kb.search(asked, 20)
    body = [f'<article class="lp-article">\n<h1>{escape(asked)}</h1>\n'
            "<p>This encyclopedia has no entry with this title.</p>\n"]
    if near:
        body += ['<h2>Entries whose title starts like it</h2>\n', _titles(near, kb.previews(near))]
    body.append('<p class="lp-back"><a href="/">Read a text</a></p>\n</article>\n')
    return page(asked, "".join(body), status=404)


def _results(kb: KnowledgeBase, q: str, number: int) -> Response:
    """One page of the entries whose title starts with ``q``, each with the opening of its preview."""
    hits = kb.search(q, MAX_HITS)
    pages = max(1, -(-len(hits) // PAGE_SIZE))
    first = (number - 1) * PAGE_SIZE
    shown = hits[first : first + PAGE_SIZE]
    body = [f'<article class="lp-article">\n<h1>Search: {escape(q)}</h1>\n']
    if shown:
        total = f"{len(hits):,}" if len(hits) < MAX_HITS else f"{MAX_HITS:,} or more"
        body.append(f'<p class="lp-meta">Entries {first + 1:,}–{first + len(shown):,} of {total} whose title '
                    f"starts with “{escape(q)}”.</p>\n")
        previews = kb.previews(shown)
        items = "".join(
            f'<li><a href="/wiki/{escape(quote_title(t))}">{escape(t)}</a>'
            + (f'<span class="lp-result-text">{escape(shorten(previews[t], 240))}</span>' if previews.get(t) else "")
            + "</li>\n" for t in shown)
        body.append(f'<ol class="lp-results" start="{first + 1}">\n{items}</ol>\n')
        if pages > 1:
            def to(n: int) -> str:
                return escape("/search?" + urlencode({"q": q, "page": n}))
            nav = [f'<a rel="prev" href="{to(number - 1)}">← Previous</a>' if number > 1 else "",
                   f"<span>Page {number} of {pages}</span>",
                   f'<a rel="next" href="{to(number + 1)}">Next →</a>' if number < pages else ""]
            body.append(f'<nav class="lp-pages" aria-label="Result pages">{"".join(nav)}</nav>\n')
    elif hits:
        body.append(f'<p>There are only {pages} pages of entries starting with “{escape(q)}”.</p>\n')
    else:
        body.append(f"<p>No entry title starts with “{escape(q)}”.</p>\n")
    body.append("</article>\n")
    return page(f"Search: {q}", "".join(body))
