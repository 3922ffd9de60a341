"""Wikitext to plain text, keeping where each internal link's anchor ends up.

The converter runs a fixed list of passes over one string. Most are compiled
regexes that start with a literal, so the regex engine skips ahead in C, and
the common cases (plain links, dropped templates and refs) are rewritten with
``split``/``str.find`` and list slicing, without a Python call per match. No
pass recurses, and quantifiers that could backtrack are possessive, so time
stays linear in the input whatever its nesting or breakage. It runs about
three times as fast as wikiextractor's plain-text cleaning on the same pages
(``bench/wikitext_speed.py``).

Links survive the later passes as private-use marker characters around their
raw target and anchor text (``\\ue0f1target\\ue0f2anchor\\ue0f3``). Whitespace
and paragraphs are normalized with the markers in place; only then are they
removed and the anchors' offsets read off, so offsets index the final text.

Passes, in order: comments; tag blocks (``<ref>``, ``<math>``, ... dropped,
``<nowiki>`` kept literally); magic words; templates (dropped, a few inline
ones like ``{{lang|fr|text}}`` keep their text); tables (dropped); internal
links; external links; bold/italic quotes; HTML tags; headings, list items and
rules; entities; whitespace and paragraphs.

Nested templates and links are matched innermost first by repeating a
non-nesting regex a few times; templates nested deeper than that fall back to
a linear bracket-stack pass, while links nested deeper than a file caption
allows stay literal text (MediaWiki prints those literally too).

``convert`` is a pure function, safe to call from several threads.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, repeat
from typing import Callable

from .site import DEFAULT_SITE, SiteInfo
from .titles import normalize_title

__all__ = ["WikiLink", "Converted", "convert"]


@dataclass(frozen=True, slots=True)
class WikiLink:
    """An internal link: ``text[start:end]`` of the converted text is its anchor."""

    start: int
    end: int
    target: str


@dataclass(slots=True)
class Converted:
    """Plain text of one page and what its markup said about it."""

    text: str
    links: list[WikiLink] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)


# --- private-use characters -------------------------------------------------
# Markers are U+E0F1..U+E0F3: their low byte is rare in text, which keeps
# ``marker in text`` fast. They are removed from the input. \ue0c0-\ue0d1 stand
# for markup characters that must stay literal (<nowiki> content, links that
# MediaWiki prints as text) and are turned back at the very end.
_S, _M, _E = "\ue0f1", "\ue0f2", "\ue0f3"
_NOT_MARK = "[^\ue0f1-\ue0f3]"
_LITERAL_CHARS = "[]{}|<>'=*#:;&~_-!"
_NOWIKI_IN = str.maketrans({c: chr(0xE0C0 + i) for i, c in enumerate(_LITERAL_CHARS)})
_LITERAL_BACK = [(chr(0xE0C0 + i), c) for i, c in enumerate(_LITERAL_CHARS)]
_LIT_OPEN = "[[".translate(_NOWIKI_IN)
_LIT_CLOSE = "]]".translate(_NOWIKI_IN)
_OURS = "\ue0c0-\ue0ff"  # for character classes

# --- comments and tag blocks -------------------------------------------------
_DROP_TAGS = (
    "ref references math gallery timeline score syntaxhighlight source pre chem ce hiero "
    "imagemap mapframe maplink graph templatedata inputbox categorytree includeonly "
    "indicator charinsert"
).split()
_BLOCK_OPEN = re.compile(r"<(nowiki|%s)(?=[\s/>])([^<>]*+)>" % "|".join(_DROP_TAGS), re.I)
_MAGIC = re.compile(r"__[A-Z\u0400-\u042f]{2,40}__")

# --- templates ---------------------------------------------------------------
_TEMPLATE_PARTS = re.compile(r"\{\{([^{}|]*)(\|[^{}]*)?\}\}")
_BRACES = re.compile(r"\{\{|\}\}")
_NAMED_ARG = re.compile(r"[^=\[\]{}\n]*=")
_ARG_TOKEN = re.compile(r"\[\[|\]\]|\|")
_TEMPLATE_PREFIXES = ("template:", "шаблон:", "subst:", "safesubst:", "msgnw:", "raw:")
_PASSES = 8  # regex passes over nested templates / links
_MAX_KEEP_DEPTH = 40


def _last(args: list[str]) -> str:
    return args[-1] if args else ""


def _first(args: list[str]) -> str:
    return args[0] if args else ""


def _first_two(args: list[str]) -> str:
    return " ".join(args[:2])


def _literal(value: str) -> Callable[[list[str]], str]:
    return lambda args: value


# Templates whose output is ordinary prose, with how to get it from their
# positional arguments; every other template is dropped.
_INLINE: dict[str, Callable[[list[str]], str]] = {
    **dict.fromkeys(
        (
            "lang", "nowrap", "nobr", "small", "smaller", "big", "larger", "sic", "transl",
            "transliteration", "not a typo", "proper name", "math", "mvar", "var", "em",
            "strong", "smallcaps", "sc", "small caps", "script", "resize", "linktext",
            "serif", "sans-serif", "noitalic", "keypress",
        ),
        _last,
    ),
    **dict.fromkeys(
        ("abbr", "ill", "interlanguage link", "interlanguage link multi", "illm", "vanchor",
         "visible anchor", "nihongo", "korean", "zh"),
        _first,
    ),
    **dict.fromkeys(("convert", "cvt", "frac"), _first_two),
    "'": _literal("'"),
    "!": _literal("|"),
    "=": _literal("="),
    "ndash": _literal("–"),
    "mdash": _literal("—"),
    "snd": _literal(" – "),
    "spaced ndash": _literal(" – "),
    "nbsp": _literal(" "),
    "okina": _literal("ʻ"),
    "·": _literal(" · "),
    "dot": _literal(" · "),
    "middot": _literal("·"),
    "bull": _literal(" • "),
    "•": _literal(" • "),
    "'s": _literal("'s"),
    "circa": lambda args: ("c. " + args[0]) if args else "c.",
    "c.": lambda args: ("c. " + args[0]) if args else "c.",
    "as of": lambda args: "As of " + " ".join(args[:3]),
}

# --- tables, links -----------------------------------------------------------
_TABLE = re.compile(r"\n[ \t:]*+(\{\||\|\})")
_TARGET = r"[^\[\]|\n{}<>:%s]+" % _OURS
_SIMPLE_LINK = re.compile(r"\[\[(%s)(?:\|([^\[\]\n%s]+))?\]\]([^\W\d_]*)" % (_TARGET, _OURS))
# The label may hold single brackets ("Bicyclo[1.1.0]butane") but no "[[" or "]]".
_ANY_LINK = re.compile(
    r"\[\[(?!\[)([^\[\]|\n]*)(?:\|((?:[^\[\]]++|\[(?!\[)|\](?!\]))*+))?\]\]([^\W\d_]*)"
)
_LANG_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8}){0,3}|simple")
_PIPE_TRICK = re.compile(r"\s*\([^()]*\)\s*$|\s*,.*$", re.DOTALL)
_MAX_TARGET = 512
_BAD_TARGET = re.compile(r"[\[\]{}<>\n%s]" % _OURS)
_ARTICLE, _FILE, _CATEGORY, _TEXT_ONLY, _DROP = range(5)

# --- inline markup -----------------------------------------------------------
_EXT_LINK = re.compile(
    r"\[(?:https?://|ftps?://|sftp://|//|mailto:|news:|irc://|ircs://|gopher://|git://|svn://"
    r"|telnet://|nntp://|ssh://|mms://|urn:|tel:|sip:|sips:|xmpp:|geo:|magnet:|worldwind://)"
    r"[^\s\[\]<>\"]*+(?:[ \t]++([^\[\]\n]*+))?\]",
    re.I,
)
_QUOTES = re.compile("'''''|'''|''")
_HTML_TAGS = (
    "b i u s small big span div sup sub p center font code tt em strong abbr cite blockquote "
    "ins del strike var kbd samp q ruby rt rp rb bdi bdo table tr td th caption thead tbody "
    "tfoot ol ul li dl dt dd h1 h2 h3 h4 h5 h6 mark time data dfn wbr poem onlyinclude "
    "noinclude section templatestyles a nowiki"
).split()
_BR = re.compile(r"<\s*+/?+\s*+(?:br|hr)\b[^<>]*+>", re.I)
# Possessive quantifiers: "<" and a long run of spaces must not backtrack quadratically.
_TAG = re.compile(
    r"<\s*+/?+\s*+(?:%s)(?=[\s/>])[^<>]*+>" % "|".join(_HTML_TAGS + _DROP_TAGS), re.I
)

# --- lines, entities, whitespace ---------------------------------------------
_HEADING = re.compile(r"\n=[^\n]*")
_LIST_ITEM = re.compile(r"\n[*#:;]++[ \t]*+([^\n]*+)")
_RULE = re.compile(r"\n-{4,}")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Whitespace other than " " and "\n"; looking for each with ``in`` is faster than a
# character-class regex, and most pages have none.
_ODD_SPACE_CHARS = (
    "\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_ODD_ASCII_SPACE_CHARS = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f"
_ODD_SPACE = re.compile("[%s]" % _ODD_SPACE_CHARS)
_PARA_BREAK = re.compile(r"\n[^\S\n]*+\n\s*+")  # "\t" stands for a break once tabs are gone
_SPACES = re.compile("  +")
_LEAD_SPACE = re.compile("(\ue0f1%s*\ue0f2) " % _NOT_MARK)
_EMPTY_LINK = re.compile("\ue0f1%s*\ue0f2\ue0f3" % _NOT_MARK)
_MARKED = re.compile("\ue0f1(%s*)\ue0f2(%s+)\ue0f3" % (_NOT_MARK, _NOT_MARK))
_MARKED_OR_STRAY = re.compile("(\ue0f1%s*\ue0f2%s+\ue0f3)|[\ue0f1-\ue0f3]" % (_NOT_MARK, _NOT_MARK))


def convert(wikitext: str, site: SiteInfo = DEFAULT_SITE) -> Converted:
    """Plain text, internal links, categories and template names of one page.

    ``site`` says which link prefixes are files, categories or other
    namespaces (see ``SiteInfo.merged`` for a dump's localized names). Links
    to articles keep their anchor text and become ``WikiLink``s; links to
    other namespaces keep their text only; files, categories and
    interlanguage links vanish. A ``__DISAMBIG__`` magic word is recorded in
    ``templates`` as ``"__disambig__"``. Never raises on malformed markup.
    """
    text = wikitext
    for mark in (_S, _M, _E):
        if mark in text:
            text = text.replace(mark, "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n" + text  # so that every line, the first too, starts after a "\n"
    templates: list[str] = []
    categories: list[str] = []
    literal = False

    if "<!--" in text:
        text = _drop_comments(text)
    if "<" in text:
        text, literal = _drop_tag_blocks(text)
    if "__" in text:
        if "__DISAMBIG__" in text:
            templates.append("__disambig__")
        text = _MAGIC.sub("", text)
    if "{{" in text:
        text = _templates(text, templates)
    if "{|" in text:
        text = _drop_tables(text)
    if "[[" in text:
        text, literal_links = _links(text, site, categories)
        literal = literal or literal_links
    if "[" in text:
        text = _EXT_LINK.sub(_ext_label, text)
    if "''" in text:
        text = _QUOTES.sub("", text)
    if "<" in text:
        text = _BR.sub(" ", text)
        text = _TAG.sub("", text)
    if "\n=" in text:
        text = _HEADING.sub(_heading, text)
    if "\n*" in text or "\n#" in text or "\n:" in text or "\n;" in text:
        text = "\n\n".join(_LIST_ITEM.split(text))  # each item its own paragraph
    if "\n----" in text:
        text = _RULE.sub("\n\n", text)
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    text, links = _finish(text, odd_spaces=not wikitext.isascii())
    if literal:
        for stand_in, char in _LITERAL_BACK:  # str.translate is slow on long texts
            if stand_in in text:
                text = text.replace(stand_in, char)
    return Converted(text=text, links=links, categories=categories, templates=templates)


# --- comments, tag blocks ----------------------------------------------------


def _drop_comments(text: str) -> str:
    # An unclosed comment hides the rest of the page, as in MediaWiki.
    out = []
    pos = 0
    find = text.find
    while True:
        i = find("<!--", pos)
        if i < 0:
            out.append(text[pos:])
            break
        out.append(text[pos:i])
        j = find("-->", i + 4)
        if j < 0:
            break
        pos = j + 3
    return "".join(out)


def _drop_refs(text: str) -> str:
    """Drop lower-case ``<ref ...>...</ref>`` and ``<ref .../>`` with ``str.find``.

    Like MediaWiki, an opening tag pairs with the next closing tag. Other
    spellings are left to ``_drop_tag_blocks``'s general loop.
    """
    out = []
    pos = 0
    find = text.find
    no_close_after = len(text) + 1
    while True:
        i = find("<ref", pos)
        if i < 0:
            break
        if text[i + 4 : i + 5] not in _AFTER_TAG_NAME:  # <references/>, <refx>
            out.append(text[pos : i + 4])
            pos = i + 4
            continue
        j = find(">", i + 4)
        if j < 0:
            break
        out.append(text[pos:i])
        pos = j + 1
        if text[j - 1] == "/" or j >= no_close_after:
            continue
        k = find("</ref>", pos)
        if k < 0:
            no_close_after = j  # an unclosed ref drops only its tag
        else:
            pos = k + 6
    out.append(text[pos:])
    return "".join(out)


_AFTER_TAG_NAME = frozenset((">", " ", "/", "\t", "\n"))


@lru_cache(maxsize=64)
def _closer(name: str) -> re.Pattern[str]:
    return re.compile(r"<\s*+/\s*+%s\s*+>" % re.escape(name), re.I)


def _drop_tag_blocks(text: str) -> tuple[str, bool]:
    """Drop ``<ref>...</ref>`` and the like; make ``<nowiki>`` content literal.

    An opening tag without a closing tag is dropped alone. Once a closing tag
    is known to be absent after some position it is not searched for again,
    which keeps many unclosed tags linear. Returns whether nowiki was seen.
    """
    if "<ref" in text and "<nowiki" not in text:  # nowiki would have to go first
        text = _drop_refs(text)
    out = []
    pos = 0
    nowiki = False
    absent_after: dict[str, int] = {}
    for m in _BLOCK_OPEN.finditer(text):
        if m.start() < pos:
            continue
        out.append(text[pos : m.start()])
        pos = m.end()
        name = m.group(1).lower()
        if m.group(2).rstrip().endswith("/"):
            continue
        if absent_after.get(name, len(text) + 1) <= pos:
            continue
        close = _closer(name).search(text, pos)
        if close is None:
            absent_after[name] = pos
            continue
        if name == "nowiki":
            out.append(text[pos : close.start()].translate(_NOWIKI_IN))
            nowiki = True
        pos = close.end()
    if not out:
        return text, False
    out.append(text[pos:])
    return "".join(out), nowiki


# --- templates ---------------------------------------------------------------


@lru_cache(maxsize=4096)
def _template_key(name: str) -> str:
    """The lower-cased name a template is recorded under; "" for parser functions."""
    key = " ".join(name.replace("_", " ").split()).lower()
    for prefix in _TEMPLATE_PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix) :].lstrip()
    if not key or key[0] == "#" or ":" in key or len(key) > 255 or _BAD_TARGET.search(key):
        return ""
    return key


def _keeps_text(key: str) -> bool:
    return key in _INLINE or key.startswith("lang-")


def _split_args(content: str) -> list[str]:
    """Positional arguments of a template body, ignoring pipes inside [[links]]."""
    if "[[" not in content:
        parts = content.split("|")
    else:
        parts, depth, start = [], 0, 0
        for m in _ARG_TOKEN.finditer(content):
            token = m.group()
            if token == "[[":
                depth += 1
            elif token == "]]":
                depth = max(0, depth - 1)
            elif depth == 0:
                parts.append(content[start : m.start()])
                start = m.end()
        parts.append(content[start:])
    return [p.strip() for p in parts[1:] if not _NAMED_ARG.match(p)]


def _inline_text(content: str) -> str:
    """The prose a template body stands for ("" for most templates)."""
    bar = content.find("|", 0, 300)
    key = _template_key(content[:bar] if bar >= 0 else content[:300])
    rule = _INLINE.get(key) or (_last if key.startswith("lang-") else None)
    return rule(_split_args(content)) if rule is not None else ""


def _templates(text: str, names: list[str]) -> str:
    """Replace ``{{...}}`` innermost first; unbalanced braces stay as text.

    Each pass splits the text around the innermost templates (one regex pass
    in C), records their names and joins the text back without them.
    """
    for _ in range(_PASSES):
        parts = _TEMPLATE_PARTS.split(text)  # text, name, rest, text, name, rest, ..., text
        if len(parts) == 1:
            break
        kept = []
        for k in range(1, len(parts), 3):
            key = _template_key(parts[k])
            if key:
                names.append(key)
                if _keeps_text(key):
                    kept.append((k, _inline_text(parts[k] + (parts[k + 1] or ""))))
        parts[1::3] = parts[2::3] = [""] * (len(parts) // 3)
        for k, value in kept:
            parts[k] = value
        text = "".join(parts)
        if "{{" not in text:
            return text
    if "}}" in text:
        text = _templates_by_stack(text, names)
    return text


def _templates_by_stack(text: str, names: list[str]) -> str:
    # The linear fallback for templates nested deeper than _PASSES.
    out: list[str] = []
    stack: list[int] = []
    pos = 0
    for m in _BRACES.finditer(text):
        start = m.start()
        if start > pos:
            out.append(text[pos:start])
        pos = m.end()
        if text[start] == "{":
            stack.append(len(out))
            continue
        if not stack:
            out.append("}}")
            continue
        idx = stack.pop()
        first = out[idx] if idx < len(out) else ""
        bar = first.find("|", 0, 300)
        key = _template_key(first[:bar] if bar >= 0 else first[:300])
        # Only a template that keeps text needs its whole body joined.
        body = "".join(out[idx:]) if _keeps_text(key) and len(stack) < _MAX_KEEP_DEPTH else ""
        del out[idx:]
        if key:
            names.append(key)
        if body:
            out.append(_inline_text(body))
    out.append(text[pos:])
    for idx in reversed(stack):
        if idx < len(out):
            out[idx] = "{{" + out[idx]
        else:
            out.append("{{")
    return "".join(out)


# --- tables ------------------------------------------------------------------


def _drop_tables(text: str) -> str:
    # Tables nest; an unclosed one runs to the end of the page, as in MediaWiki.
    out = []
    depth = 0
    pos = 0
    for m in _TABLE.finditer(text):
        if m.group(1) == "{|":
            if depth == 0:
                out.append(text[pos : m.start()])
                out.append("\n\n")
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                pos = m.end()
    if depth == 0:
        out.append(text[pos:])
    return "".join(out)


# --- internal links ----------------------------------------------------------


def _classify(target: str, colon: bool, site: SiteInfo) -> int:
    c = target.find(":")
    if c <= 0:
        return _TEXT_ONLY if target[:1] == "#" else _ARTICLE
    prefix = " ".join(target[:c].replace("_", " ").split()).lower()
    if prefix in site.file_prefixes:
        return _TEXT_ONLY if colon else _FILE
    if prefix in site.category_prefixes:
        return _TEXT_ONLY if colon else _CATEGORY
    if prefix in site.other_prefixes:
        return _TEXT_ONLY
    if _LANG_CODE.fullmatch(target[:c]):
        return _TEXT_ONLY if colon else _DROP
    return _ARTICLE


_title = lru_cache(maxsize=65536)(normalize_title)


def _links(text: str, site: SiteInfo, categories: list[str]) -> tuple[str, bool]:
    """Turn ``[[...]]`` into marked anchors, innermost first.

    Plain article links are marked by ``_mark_simple_links`` without a Python
    call per link; what is left (namespaces, pipe tricks, odd targets, links
    around links) goes through ``replace``. A link whose text holds another link is not a link
    (MediaWiki prints it literally), except a file, whose caption may hold
    links and which vanishes whole. Unclosed ``[[`` and stray ``]]`` stay as
    text. Returns whether literal placeholders were written.
    """
    literal = False

    def as_literal(m: re.Match[str], trail: str) -> str:
        nonlocal literal
        literal = True
        whole = m.group()
        return _LIT_OPEN + whole[2 : len(whole) - len(trail) - 2] + _LIT_CLOSE + trail

    def replace(m: re.Match[str]) -> str:
        raw, label, trail = m.group(1, 2, 3)
        target = raw.strip()
        colon = target[:1] == ":"
        if colon:
            target = target[1:].lstrip()
        if not target or len(raw) >= _MAX_TARGET or _BAD_TARGET.search(target):
            if label is None or _S in label:
                return as_literal(m, trail)
            kind = _TEXT_ONLY
        else:
            kind = _classify(target, colon, site)
            if kind == _FILE or kind == _DROP:
                return trail
            if kind == _CATEGORY:
                name = _title(target[target.index(":") + 1 :])
                if name:
                    categories.append(name)
                return trail
        if label is None:
            anchor = target
        elif _S in label or "\n\n" in label:
            return as_literal(m, trail)
        elif label:
            anchor = label
        else:  # the pipe trick: [[Foo (bar)|]] shows "Foo"
            anchor = target.split(":", 1)[-1] if kind != _ARTICLE else target
            anchor = _PIPE_TRICK.sub("", anchor)
        anchor = " ".join((anchor + trail).split())
        if not anchor:
            return ""
        if kind != _ARTICLE:
            return anchor
        return _S + target + _M + anchor + _E

    for _ in range(_PASSES):
        text = _mark_simple_links(text)
        if "[[" not in text:
            break
        text, count = _ANY_LINK.subn(replace, text)
        if not count or "[[" not in text:
            break
    return text, literal


def _mark_simple_links(text: str) -> str:
    """``[[T]]x`` -> marked ``T``/``Tx``, ``[[T|a]]x`` -> ``T``/``ax``.

    Done with ``split`` and slice assignment rather than ``sub`` with a
    template, which Python 3.11 expands in Python for every match.
    """
    parts = _SIMPLE_LINK.split(text)  # text, target, label or None, trail, text, ...
    if len(parts) == 1:
        return text
    targets = parts[1::4]
    labels = parts[2::4]
    if None in labels:
        parts[2::4] = [t if a is None else a for t, a in zip(targets, labels)]
    parts[1::4] = map("".join, zip(repeat(_S), targets, repeat(_M)))
    parts[3::4] = map(str.__add__, parts[3::4], repeat(_E))
    return "".join(parts)


# --- small replacements ------------------------------------------------------


def _heading(m: re.Match[str]) -> str:
    line = m.group()[1:].rstrip()
    if len(line) < 2 or line[-1] != "=":
        return m.group()
    return "\n\n" + line.strip("=") + "\n\n"


def _ext_label(m: re.Match[str]) -> str:
    return m.group(1) or ""


def _entity(m: re.Match[str]) -> str:
    raw = m.group()
    value = html.unescape(raw)
    if value == raw:
        return raw
    if not value:  # "&#x1;": html.unescape drops the control characters it names
        return ""
    if value.isspace():
        return " "
    if "\ue0c0" <= max(value) <= "\ue0ff":
        return ""  # would pose as one of our markers
    return value


# --- whitespace, offsets -----------------------------------------------------


def _finish(text: str, odd_spaces: bool) -> tuple[str, list[WikiLink]]:
    """Normalize whitespace into paragraphs, then read link offsets off the markers."""
    if _S not in text:
        if _M in text or _E in text:  # halves of links a later pass cut apart
            text = text.replace(_M, "").replace(_E, "")
        return _paragraphs(text, odd_spaces, False), []
    plain, links = _read_links(_paragraphs(text, odd_spaces, True))
    if _S in plain or _M in plain or _E in plain:
        # A later pass cut some link's markers apart (a tag or URL around half
        # of it): drop the broken ones and read again.
        text = _MARKED_OR_STRAY.sub(lambda m: m.group(1) or "", text)
        plain, links = _read_links(_paragraphs(text, odd_spaces, True))
    return plain, links


def _read_links(body: str) -> tuple[str, list[WikiLink]]:
    """Remove the markers from ``body``; the anchors' running offsets become the links."""
    parts = _MARKED.split(body)  # text, target, anchor, text, target, anchor, ..., text
    titles = list(map(_title, parts[1::3]))
    del parts[1::3]  # text, anchor, text, anchor, ..., text
    # Running lengths give each anchor's start (even places) and end (odd places).
    bounds = list(accumulate(map(len, parts)))
    links = list(map(WikiLink, bounds[0::2], bounds[1::2], titles))
    if "" in titles:  # a target that is no valid title: its anchor stays plain text
        links = [link for link in links if link.target]
    return "".join(parts), links


def _paragraphs(text: str, odd_spaces: bool, has_links: bool) -> str:
    """Single spaces inside paragraphs, exactly one blank line between them."""
    if any(c in text for c in (_ODD_SPACE_CHARS if odd_spaces else _ODD_ASCII_SPACE_CHARS)):
        text = _ODD_SPACE.sub(" ", text)
    text = _PARA_BREAK.sub("\t", text)
    text = text.replace("\n", " ")
    if "  " in text:
        text = _SPACES.sub(" ", text)
    if has_links:
        # Keep whitespace outside anchors, and drop links left with no text.
        if _LEAD_SPACE.search(text):  # faster than `_M + " " in text`, spaces being common
            text = _LEAD_SPACE.sub(" \\1", text)
        if " " + _E in text:
            text = text.replace(" " + _E, _E + " ")
        if _M + _E in text:
            text = _EMPTY_LINK.sub("", text)
        if "  " in text:
            text = _SPACES.sub(" ", text)
    if "\t" not in text:
        return text.strip(" ")
    return "\n\n".join(filter(None, [p.strip(" ") for p in text.split("\t")]))
