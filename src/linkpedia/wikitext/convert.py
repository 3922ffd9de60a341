"""Wikitext to plain text, keeping where each internal link's anchor ends up.

The converter runs a fixed list of passes over one string. Each pass is a
compiled regex that starts with a literal (so the regex engine skips ahead in
C) or a ``str.find`` loop; none recurses and none backtracks more than a
bounded amount, so time stays linear whatever the nesting or breakage.

Links survive the later passes as private-use marker characters around their
anchor text (``\\ue000<id>\\ue001anchor\\ue002``). Whitespace is normalized
with the markers in place, and only then are they removed and the anchors'
offsets read off, so offsets always index the final text.

Passes, in order: comments; tag blocks (``<ref>``, ``<math>``, ... dropped,
``<nowiki>`` kept literally); magic words; templates (dropped, a few inline
ones like ``{{lang|fr|text}}`` keep their text); tables (dropped); internal
links; external links; bold/italic quotes; HTML tags; headings, list items and
rules; entities; whitespace and paragraphs.

Nested templates and links are matched innermost first by repeating a
non-nesting regex a few times; templates nested deeper than that fall back
to a linear bracket-stack pass, while links nested deeper than a file caption
allows stay as literal text (MediaWiki prints those literally too).

``convert`` is a pure function, safe to call from several threads.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
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
# A link is "\ue000<id digits>\ue001anchor\ue002" and "\ue003" marks a paragraph
# break while the text is worked on; \ue040-\ue051 stand for markup characters
# that must stay literal (<nowiki> content, links MediaWiki prints as text).
_S, _M, _E, _PARA = "\ue000", "\ue001", "\ue002", "\ue003"
_RESERVED = re.compile("[\ue000-\ue003]")
_LITERAL_CHARS = "[]{}|<>'=*#:;&~_-!"
_NOWIKI_IN = str.maketrans({c: chr(0xE040 + i) for i, c in enumerate(_LITERAL_CHARS)})
_NOWIKI_OUT = str.maketrans({chr(0xE040 + i): c for i, c in enumerate(_LITERAL_CHARS)})
_LIT_OPEN = "[[".translate(_NOWIKI_IN)
_LIT_CLOSE = "]]".translate(_NOWIKI_IN)

# --- comments and tag blocks -------------------------------------------------
_DROP_TAGS = (
    "ref references math gallery timeline score syntaxhighlight source pre chem ce hiero "
    "imagemap mapframe maplink graph templatedata inputbox categorytree includeonly "
    "indicator charinsert"
).split()
_BLOCK_OPEN = re.compile(r"<(nowiki|%s)(?=[\s/>])([^<>]*)>" % "|".join(_DROP_TAGS), re.I)
_MAGIC = re.compile(r"__[A-Z\u0400-\u042f]{2,40}__")

# --- templates ---------------------------------------------------------------
_TEMPLATE = re.compile(r"\{\{([^{}]*)\}\}")
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
_TABLE = re.compile(r"\n[ \t:]*(\{\||\|\})")
_LINK = re.compile(r"\[\[(?!\[)([^\[\]|\n]*)(?:\|([^\[\]]*))?\]\]([^\W\d_]*)")
_LANG_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8}){0,3}|simple")
_PIPE_TRICK = re.compile(r"\s*\([^()]*\)\s*$|\s*,.*$", re.DOTALL)
_MAX_TARGET = 512
_BAD_TARGET = re.compile("[\\[\\]{}<>\n\ue000-\ue0ff]")
_ARTICLE, _FILE, _CATEGORY, _TEXT_ONLY, _DROP = range(5)

# --- inline markup -----------------------------------------------------------
_EXT_LINK = re.compile(
    r"\[(?:https?://|ftps?://|sftp://|//|mailto:|news:|irc://|ircs://|gopher://|git://|svn://"
    r"|telnet://|nntp://|ssh://|mms://|urn:|tel:|sip:|sips:|xmpp:|geo:|magnet:|worldwind://)"
    r"[^\s\[\]<>\"]*(?:[ \t]+([^\]\n]{0,1000}))?\]",
    re.I,
)
_QUOTES = re.compile("'''''|'''|''")
_HTML_TAGS = (
    "b i u s small big span div sup sub p center font code tt em strong abbr cite blockquote "
    "ins del strike var kbd samp q ruby rt rp rb bdi bdo table tr td th caption thead tbody "
    "tfoot ol ul li dl dt dd h1 h2 h3 h4 h5 h6 mark time data dfn wbr poem onlyinclude "
    "noinclude section templatestyles a nowiki"
).split()
_BR = re.compile(r"<\s*/?\s*(?:br|hr)\b[^<>]*>", re.I)
_TAG = re.compile(r"<\s*/?\s*(?:%s)(?=[\s/>])[^<>]*>" % "|".join(_HTML_TAGS + _DROP_TAGS), re.I)

# --- lines, entities, whitespace ---------------------------------------------
_HEADING = re.compile(r"\n=[^\n]*")
_LIST_ITEM = re.compile(r"\n[*#:;]+[ \t]*([^\n]*)")
_RULE = re.compile(r"\n-{4,}")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_LEAD_SPACE = re.compile("\ue000([0-9]+)\ue001 +")
_TAIL_SPACE = re.compile(" +\ue002")
_EMPTY_LINK = re.compile("\ue000[0-9]+\ue001\ue002")
_STRAY_START = re.compile("\ue000[0-9]*\ue001?")
_PARA_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_ODD_SPACE = re.compile(
    "[\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)


def convert(wikitext: str, site: SiteInfo = DEFAULT_SITE) -> Converted:
    """Plain text, internal links, categories and template names of one page."""
    text = wikitext
    if not text.isascii() and _RESERVED.search(text):
        text = _RESERVED.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n" + text  # so that every line, the first too, starts after a "\n"
    templates: list[str] = []
    categories: list[str] = []
    targets: list[str] = []
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
        text, literal_links = _links(text, site, targets, categories)
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
    text = _LIST_ITEM.sub("\n\n\\1\n\n", text)
    if "\n----" in text:
        text = _RULE.sub("\n\n", text)
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    text = _paragraphs(text, bool(targets))
    links: list[WikiLink] = []
    if targets:
        text = _read_links(text, targets, links)
    if literal:
        text = text.translate(_NOWIKI_OUT)
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


@lru_cache(maxsize=64)
def _closer(name: str) -> re.Pattern[str]:
    return re.compile(r"<\s*/\s*%s\s*>" % re.escape(name), re.I)


def _drop_tag_blocks(text: str) -> tuple[str, bool]:
    """Drop ``<ref>...</ref>`` and the like; make ``<nowiki>`` content literal.

    An opening tag without a closing tag is dropped alone. Once a closing tag
    is known to be absent after some position it is not searched for again,
    which keeps many unclosed tags linear. Returns whether nowiki was seen.
    """
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


def _expand(content: str, names: list[str], depth: int = 0) -> str:
    """What one template body becomes; records its name."""
    bar = content.find("|", 0, 300)
    key = _template_key(content[:bar] if bar >= 0 else content[:300])
    if not key:
        return ""
    names.append(key)
    rule = _INLINE.get(key)
    if rule is None:
        if not key.startswith("lang-"):
            return ""
        rule = _last
    if depth >= _MAX_KEEP_DEPTH:
        return ""
    return rule(_split_args(content))


def _templates(text: str, names: list[str]) -> str:
    """Replace ``{{...}}`` innermost first; unbalanced braces stay as text."""

    def replace(m: re.Match[str]) -> str:
        return _expand(m.group(1), names)

    for _ in range(_PASSES):
        text, count = _TEMPLATE.subn(replace, text)
        if not count or "{{" not in text:
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
        head = first[:bar] if bar >= 0 else first[:300]
        key = _template_key(head)
        keeps = key in _INLINE or key.startswith("lang-")
        # Only a template that keeps text needs its whole body joined.
        body = "".join(out[idx:]) if keeps and len(stack) < _MAX_KEEP_DEPTH else head
        del out[idx:]
        out.append(_expand(body, names, len(stack)))
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


def _links(
    text: str, site: SiteInfo, targets: list[str], categories: list[str]
) -> tuple[str, bool]:
    """Turn ``[[...]]`` into marked anchors, innermost first.

    A link whose text holds another link is not a link (MediaWiki prints it
    literally), except files, whose captions may hold links and which vanish
    whole. Unclosed ``[[`` and stray ``]]`` stay as text. Returns whether
    literal placeholders were written.
    """
    literal = False

    def replace(m: re.Match[str]) -> str:
        nonlocal literal
        raw, label, trail = m.group(1, 2, 3)
        target = raw.strip()
        colon = target[:1] == ":"
        if colon:
            target = target[1:].lstrip()
        if len(raw) >= _MAX_TARGET or _BAD_TARGET.search(target):
            if label is None or _S in label:
                literal = True
                whole = m.group()
                return _LIT_OPEN + whole[2 : len(whole) - len(trail) - 2] + _LIT_CLOSE + trail
            kind = _TEXT_ONLY
        elif ":" in target:
            kind = _classify(target, colon, site)
            if kind == _FILE or kind == _DROP:
                return trail
            if kind == _CATEGORY:
                name = _title(target[target.index(":") + 1 :])
                if name:
                    categories.append(name)
                return trail
        else:
            kind = _TEXT_ONLY if target[:1] == "#" else _ARTICLE
        if label is None:
            anchor = target
        elif _S in label or "\n\n" in label:
            literal = True
            whole = m.group()
            return _LIT_OPEN + whole[2 : len(whole) - len(trail) - 2] + _LIT_CLOSE + trail
        elif label:
            anchor = label
        else:  # the pipe trick: [[Foo (bar)|]] shows "Foo"
            anchor = _PIPE_TRICK.sub("", target.split(":", 1)[-1] if kind != _ARTICLE else target)
        anchor = " ".join((anchor + trail).split())
        if not anchor:
            return ""
        link_target = _title(target) if kind == _ARTICLE else ""
        if not link_target:
            return anchor
        targets.append(link_target)
        return f"{_S}{len(targets) - 1}{_M}{anchor}{_E}"

    for _ in range(_PASSES):
        text, count = _LINK.subn(replace, text)
        if not count or "[[" not in text:
            break
    return text, literal


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
    if value.isspace():
        return " "
    if not value.isascii() and _RESERVED.search(value):
        return _RESERVED.sub("", value)
    return value


# --- whitespace, offsets -----------------------------------------------------


def _paragraphs(text: str, has_links: bool) -> str:
    """Single spaces inside paragraphs, exactly one blank line between them."""
    if has_links:
        # Keep whitespace outside anchors, and drop links left with no text.
        if _M + " " in text:
            text = _LEAD_SPACE.sub(" " + _S + "\\1" + _M, text)
        if " " + _E in text:
            text = _TAIL_SPACE.sub(_E + " ", text)
        if _M + _E in text:
            text = _EMPTY_LINK.sub("", text)
    text = _PARA_BREAK.sub(_PARA, text)
    text = text.replace("\n", " ")
    if not text.isascii() or "\t" in text:
        text = _ODD_SPACE.sub(" ", text)
    while "  " in text:
        text = text.replace("  ", " ")
    if _PARA in text:
        text = text.replace(" " + _PARA, _PARA).replace(_PARA + " ", _PARA)
        while _PARA + _PARA in text:
            text = text.replace(_PARA + _PARA, _PARA)
        text = text.strip(" " + _PARA).replace(_PARA, "\n\n")
    return text.strip(" ")


def _read_links(text: str, targets: list[str], links: list[WikiLink]) -> str:
    """Remove the link markers from ``text``, appending each anchor's offsets to ``links``."""
    chunks = text.split(_E)
    pieces = []
    length = 0
    for chunk in chunks[:-1]:
        start = chunk.rfind(_S)
        middle = chunk.find(_M, start) if start >= 0 else -1
        ident = chunk[start + 1 : middle] if middle >= 0 else ""
        if not (ident.isascii() and ident.isdigit() and int(ident) < len(targets)):
            chunk = _STRAY_START.sub("", chunk) if _S in chunk else chunk
            pieces.append(chunk)
            length += len(chunk)
            continue
        before = chunk[:start]
        if _S in before:
            before = _STRAY_START.sub("", before)
        anchor = chunk[middle + 1 :]
        pieces.append(before)
        pieces.append(anchor)
        length += len(before)
        if anchor:
            links.append(WikiLink(length, length + len(anchor), targets[int(ident)]))
        length += len(anchor)
    last = chunks[-1]
    pieces.append(_STRAY_START.sub("", last) if _S in last else last)
    return "".join(pieces)
