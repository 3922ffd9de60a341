"""MediaWiki XML exports and Wikipedia dumps (plain, .bz2 incl. multistream, .gz).

The file is streamed with ``lxml.etree.iterparse``; every ``<page>`` element is
cleared, with its already-read siblings, as soon as it has been turned into a
``Page``, so memory depends on the largest page, not on the dump.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from lxml import etree

from ..errors import EmptySourceError, SourceFormatError
from ..wikitext.site import DEFAULT_SITE, SiteInfo
from ._io import ReaderBase, normalize_title, stream_errors
from .base import Page

__all__ = ["MediaWikiSource"]

_FAMILIES = (
    "wiki", "wiktionary", "wikiquote", "wikibooks", "wikisource", "wikinews",
    "wikiversity", "wikivoyage",
)
_HOSTS = {"wikipedia", *_FAMILIES[1:]}
_LANG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]+)*$")
_REDIRECT_TEXT = re.compile(r"^\s*#[^\[\n]*\[\[([^\]|#\n]+)")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _lang_from(dbname: str | None, base: str | None, xml_lang: str | None) -> str | None:
    """The content language: ``xml:lang``, else the base URL's host, else the dbname."""
    if xml_lang and _LANG.match(xml_lang.lower()):
        return xml_lang.lower()
    if base:
        parts = (urlsplit(base).hostname or "").split(".")
        if len(parts) == 3 and parts[1] in _HOSTS and _LANG.match(parts[0]):
            return parts[0]
    if dbname:
        for family in _FAMILIES:
            if dbname.endswith(family) and len(dbname) > len(family):
                code = dbname[: -len(family)].replace("_", "-")
                if _LANG.match(code):
                    return code
    return None


class MediaWikiSource(ReaderBase):
    """A MediaWiki XML export; yields namespace-0 pages with ``markup="wikitext"``.

    ``site`` is read from ``<siteinfo>`` when the source is opened (localized
    File/Category names, other namespaces, the language). ``dump_date`` is the
    ``YYYYMMDD`` in the file name (as ``"YYYY-MM-DD"``) when there is one;
    otherwise it is the newest revision timestamp seen, so it is only final
    once ``pages()`` has been read to the end. Pages outside the main namespace
    are counted in ``skipped["outside the main namespace"]``.
    """

    format = "mediawiki"
    has_links = True  # the wikitext carries [[links]]; the converter extracts them

    def __init__(self, path: str | Path, *, max_page_bytes: int = 10_000_000):
        super().__init__(path, max_page_bytes=max_page_bytes)
        self._date_from_name = self.dump_date is not None
        self._namespace_names: frozenset[str] = frozenset()
        self.site = self._read_siteinfo()

    # -- siteinfo --------------------------------------------------------------

    def _read_siteinfo(self) -> SiteInfo:
        """Parse only the head of the file, up to the first ``<page>``."""
        opened = self._open()
        root_lang: str | None = None
        try:
            with stream_errors(self._path, opened, self.size):
                context = etree.iterparse(
                    opened.stream, events=("start", "end"), huge_tree=True,
                    resolve_entities=False, no_network=True, load_dtd=False,
                )
                for event, elem in context:
                    name = _local(elem.tag)
                    if event == "start" and root_lang is None:
                        root_lang = elem.get("{http://www.w3.org/XML/1998/namespace}lang", "")
                        if name != "mediawiki":
                            raise SourceFormatError(
                                f"the XML root is <{name}>, not <mediawiki> — give a MediaWiki "
                                "export (Special:Export or a dumps.wikimedia.org pages-articles file)",
                                path=self.path, position=f"line {elem.sourceline}",
                            )
                    elif event == "start" and name == "page":
                        break
                    elif event == "end" and name == "siteinfo":
                        return self._site_from(elem, root_lang or None)
        except etree.XMLSyntaxError as exc:
            raise self._syntax_error(exc) from None
        finally:
            self._close()
            self._done_bytes = 0
        return DEFAULT_SITE.merged(lang=root_lang or None)

    def _site_from(self, info: etree._Element, xml_lang: str | None) -> SiteInfo:
        dbname = base = None
        names: dict[int, list[str]] = {}
        for child in info.iter():
            name = _local(child.tag)
            if name == "dbname":
                dbname = (child.text or "").strip() or None
            elif name == "base":
                base = (child.text or "").strip() or None
            elif name in {"namespace", "alias", "namespacealias"}:
                key = child.get("key", child.get("id"))
                if key is not None and key.lstrip("-").isdigit() and (child.text or "").strip():
                    names.setdefault(int(key), []).append(child.text.strip())
        other = tuple(n for key, ns in names.items() if key not in (0, 6, 14) for n in ns)
        self._namespace_names = frozenset(n.lower() for key, ns in names.items() if key != 0 for n in ns)
        return DEFAULT_SITE.merged(
            lang=_lang_from(dbname, base, xml_lang),
            dbname=dbname,
            base=base,
            file_prefixes=tuple(names.get(6, ())),
            category_prefixes=tuple(names.get(14, ())),
            other_prefixes=other,
        )

    # -- pages -----------------------------------------------------------------

    def pages(self) -> Iterator[Page]:
        opened = self._open()
        articles = 0
        newest: str | None = None
        number = 0
        try:
            with stream_errors(self._path, opened, self.size):
                context = etree.iterparse(
                    opened.stream, events=("end",), tag="{*}page", huge_tree=True,
                    resolve_entities=False, no_network=True, load_dtd=False,
                )
                for _, elem in context:
                    number += 1
                    page, stamp, is_article = self._page(elem, number)
                    elem.clear(keep_tail=True)
                    parent = elem.getparent()
                    if parent is not None:
                        while elem.getprevious() is not None:
                            del parent[0]
                    if stamp and (newest is None or stamp > newest):
                        newest = stamp
                        if not self._date_from_name:
                            self.dump_date = newest
                    articles += is_article
                    if page is not None:
                        yield page
        except etree.XMLSyntaxError as exc:
            raise self._syntax_error(exc) from None
        finally:
            self._close()
        if articles == 0:
            raise EmptySourceError(
                f"{self.path}: no article (namespace 0) page in {number} page(s) — "
                "export the main namespace (e.g. a pages-articles dump)"
            )

    def _page(self, elem: etree._Element, number: int) -> tuple[Page | None, str | None, bool]:
        """The ``Page`` (None when skipped), its timestamp, and whether it is an article."""
        uri = elem.tag[: elem.tag.index("}") + 1] if elem.tag.startswith("{") else ""
        title = (elem.findtext(uri + "title") or "").strip()
        ns = elem.findtext(uri + "ns")
        position = f"page {number}, line {elem.sourceline}"
        if ns is not None and ns.strip() not in ("", "0"):
            self.skipped["outside the main namespace"] += 1
            return None, None, False
        if ns is None and ":" in title and title.split(":", 1)[0].strip().lower() in self._prefixes():
            self.skipped["outside the main namespace"] += 1
            return None, None, False
        revisions = elem.findall(uri + "revision")
        revision = revisions[-1] if revisions else None  # full-history exports: newest last
        text_elem = revision.find(uri + "text") if revision is not None else None
        text = (text_elem.text or "") if text_elem is not None else ""
        stamp = revision.findtext(uri + "timestamp") if revision is not None else None
        if not normalize_title(title):
            self.skipped["invalid or missing title"] += 1
            return None, stamp, True
        if self._larger_than_limit(text, text_elem):
            self.skipped[self.too_big] += 1
            return None, stamp, True
        redirect = None
        redirect_elem = elem.find(uri + "redirect")
        if redirect_elem is not None:
            target = redirect_elem.get("title")
            if not target:  # old exports: <redirect/> without a title
                match = _REDIRECT_TEXT.match(text)
                target = match.group(1) if match else None
            redirect = normalize_title(target) or None if target else None
        page = Page(
            title=normalize_title(title),
            text=text,
            markup="wikitext",
            redirect=redirect,
            page_id=elem.findtext(uri + "id"),
            revision_id=revision.findtext(uri + "id") if revision is not None else None,
            timestamp=stamp,
            position=position,
        )
        return page, stamp, True

    def _prefixes(self) -> frozenset[str]:
        if self._namespace_names:
            return self._namespace_names
        return self.site.file_prefixes | self.site.category_prefixes | self.site.other_prefixes

    def _larger_than_limit(self, text: str, text_elem: etree._Element | None) -> bool:
        limit = self.max_page_bytes
        declared = text_elem.get("bytes") if text_elem is not None else None
        if declared is not None and declared.isdigit():
            return int(declared) > limit
        if len(text) > limit:
            return True
        if len(text) * 4 <= limit:
            return False
        return len(text.encode("utf-8")) > limit

    def _syntax_error(self, exc: etree.XMLSyntaxError) -> SourceFormatError:
        line, column = exc.position if exc.position else (exc.lineno, 0)
        message = (exc.msg or str(exc)).split(", line ")[0].strip()
        lowered = message.lower()
        # Only the parser's own words say the input stopped early: a small file is
        # read whole before parsing, so "everything was read" proves nothing.
        cut = "premature end" in lowered or "end of data" in lowered or "unexpected eof" in lowered
        if "encoding" in lowered or "utf-8" in lowered or "char 0x" in lowered:
            what = (
                f"invalid text encoding ({message}) — "
                "fix or remove those bytes, or re-export the file as UTF-8"
            )
        elif cut:
            what = f"the XML ends in the middle ({message}) — the file is cut: export or download it again"
        else:
            what = f"broken XML ({message}) — export or download the file again"
        return SourceFormatError(what, path=self.path, position=f"line {line}, column {column}")
