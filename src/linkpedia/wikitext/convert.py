"""Wikitext to plain text, keeping where each internal link's anchor ends up.

The converter runs a fixed list of passes over one string; each pass is a
compiled regex or a ``str.find`` loop, so the work happens in C and the time
stays linear in the input, whatever its nesting or breakage (no pass recurses).

Links survive the later passes as private-use marker characters wrapped around
their anchor text (``\\ue000<id>\\ue001anchor\\ue002``). Whitespace is moved
out of the markers, the text is normalized, and only then are the markers
removed and the anchors' offsets read off, so offsets always index the final
text. Input characters in the private range the markers use are dropped.

Passes, in order: comments; tag blocks (``<ref>``, ``<math>``, ... dropped,
``<nowiki>`` kept literally); magic words; templates (dropped, a few inline
ones like ``{{lang|..|text}}`` keep their text); tables; internal links;
external links; bold/italic quotes; HTML tags; headings and list items;
entities; whitespace and paragraphs.

``convert`` is a pure function and safe to call from several threads.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
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
# \ue000-\ue002 raw link markers, \ue003-\ue005 checked link markers,
# \ue006 paragraph break, \ue010-\ue019 / \ue030-\ue039 link id digits,
# \ue040-\ue05f literal (nowiki) characters.
_RESERVED = re.compile("[\ue000-\ue0ff]")
_S, _M, _E = "\ue000", "\ue001", "\ue002"
_VS, _VM, _VE = "\ue003", "\ue004", "\ue005"
_PARA = "\ue006"
_ID_DIGITS = str.maketrans("0123456789", "".join(chr(0xE010 + i) for i in range(10)))
_VID_BACK = str.maketrans({chr(0xE030 + i): str(i) for i in range(10)})
_LITERAL_CHARS = "[]{}|<>'=*#:;&~_-!"
_NOWIKI_IN = str.maketrans({c: chr(0xE040 + i) for i, c in enumerate(_LITERAL_CHARS)})
_NOWIKI_OUT = str.maketrans({chr(0xE040 + i): c for i, c in enumerate(_LITERAL_CHARS)})
_HAS_NOWIKI = re.compile("[\ue040-\ue05f]")

# --- comments and tag blocks -------------------------------------------------
_DROP_TAGS = (
    "ref references math gallery timeline score syntaxhighlight source pre chem ce hiero "
    "imagemap mapframe maplink graph templatedata inputbox categorytree includeonly "
    "indicator charinsert"
).split()
_BLOCK_OPEN = re.compile(
    r"<(nowiki|%s)(?=[\s/>])([^<>]*)>" % "|".join(_DROP_TAGS), re.IGNORECASE
)
_MAGIC = re.compile(r"__[A-Z\u0400-\u042f]{2,40}__")

# --- templates ---------------------------------------------------------------
_BRACES = re.compile(r"\{\{|\}\}")
_NAMED_ARG = re.compile(r"[^=\[\]{}\n]*=")
_TEMPLATE_PREFIXES = ("template:", "шаблон:", "subst:", "safesubst:", "msgnw:", "raw:")
_MAX_KEEP_DEPTH = 40


def _last(args: list[str]) -> str:
    return args[-1] if args else ""


def _first(args: list[str]) -> str:
    return args[0] if args else ""


def _first_two(args: list[str]) -> str:
    return " ".join(args[:2])


def _literal(value: str) -> Callable[[list[str]], str]:
    return lambda args: value


# Templates whose output is ordinary prose; every other template is dropped.
_INLINE: dict[str, Callable[[list[str]], str]] = {
    **dict.fromkeys(
        (
            "lang", "nowrap", "nobr", "small", "smaller", "big", "larger", "sic", "transl",
            "transliteration", "not a typo", "proper name", "math", "mvar", "var", "em",
            "strong", "smallcaps", "sc", "small caps", "nowrap begin", "script", "resize",
            "linktext", "serif", "sans-serif", "noitalic", "keypress",
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
_TABLE = re.compile(r"^[ \t:]*(\{\||\|\})", re.MULTILINE)
_LINK_TOKEN = re.compile(r"\[\[(?!\[)|\]\]")
_TRAIL = re.compile(r"[^\W\d_]+")
_LANG_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8}){0,3}|simple")
_PIPE_TRICK = re.compile(r"\s*\([^()]*\)\s*$|\s*,.*$", re.DOTALL)
_MAX_TARGET = 512
_BAD_TARGET = re.compile("[\\[\\]{}<>\n\ue000-\ue0ff]")

# --- inline markup -----------------------------------------------------------
_EXT_LINK = re.compile(
    r"\[(?:https?://|ftps?://|sftp://|//|mailto:|news:|irc://|ircs://|gopher://|git://|svn://"
    r"|telnet://|nntp://|ssh://|mms://|urn:|tel:|sip:|sips:|xmpp:|geo:|magnet:|worldwind://)"
    r"[^\s\[\]<>\"]*(?:[ \t]+([^\]\n]{0,1000}))?\]",
    re.IGNORECASE,
)
_QUOTES = re.compile(r"'''''|'''|''")
_HTML_TAGS = (
    "b i u s small big span div sup sub p center font code tt em strong abbr cite blockquote "
    "ins del strike var kbd samp q ruby rt rp rb bdi bdo table tr td th caption thead tbody "
    "tfoot ol ul li dl dt dd h1 h2 h3 h4 h5 h6 mark time data dfn wbr poem onlyinclude "
    "noinclude section templatestyles a nowiki"
).split()
_BR = re.compile(r"<\s*/?\s*(?:br|hr)\b[^<>]*>", re.IGNORECASE)
_TAG = re.compile(
    r"<\s*/?\s*(?:%s)(?=[\s/>])[^<>]*>" % "|".join(_HTML_TAGS + _DROP_TAGS), re.IGNORECASE
)

# --- lines, entities, whitespace ---------------------------------------------
_HEADING = re.compile(r"^=[^\n]*", re.MULTILINE)
_LIST_ITEM = re.compile(r"^[*#:;]+[ \t]*([^\n]*)", re.MULTILINE)
_RULE = re.compile(r"^-{4,}", re.MULTILINE)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_RAW_LINK = re.compile("\ue000([\ue010-\ue019]+)\ue001([^\ue000-\ue002]*)\ue002")
_STRAY = re.compile("[\ue000-\ue002\ue010-\ue019]")
_PARA_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_SPACE_RUN = re.compile(r"\s+")
_PARA_RUN = re.compile(" ?(?:\ue006 ?)+")
_LINK = re.compile("\ue003([\ue030-\ue039]+)\ue004([^\ue005]*)\ue005")


def convert(wikitext: str, site: SiteInfo = DEFAULT_SITE) -> Converted:
    """Plain text, internal links, categories and template names of one page."""
    text = wikitext
    if _RESERVED.search(text):
        text = _RESERVED.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    templates: list[str] = []
    categories: list[str] = []
    targets: list[str] = []

    if "<!--" in text:
        text = _drop_comments(text)
    if "<" in text:
        text = _drop_tag_blocks(text)
    if "__" in text:
        if "__DISAMBIG__" in text:
            templates.append("__disambig__")
        text = _MAGIC.sub("", text)
    if "{{" in text:
        text = _templates(text, templates)
    if "{|" in text:
        text = _drop_tables(text)
    if "[[" in text:
        text = _links(text, site, targets, categories)
    if "[" in text:
        text = _EXT_LINK.sub(_ext_label, text)
    if "''" in text:
        text = _QUOTES.sub("", text)
    if "<" in text:
        text = _BR.sub(" ", text)
        text = _TAG.sub("", text)
    if "=" in text:
        text = _HEADING.sub(_heading, text)
    text = _LIST_ITEM.sub("\n\n\\1\n\n", text)
    if "----" in text:
        text = _RULE.sub("\n\n", text)
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    text, links = _finish(text, targets)
    return Converted(text=text, links=links, categories=categories, templates=templates)


# --- passes ------------------------------------------------------------------


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


_CLOSERS: dict[str, re.Pattern[str]] = {}


def _closer(name: str) -> re.Pattern[str]:
    pattern = _CLOSERS.get(name)
    if pattern is None:
        pattern = _CLOSERS[name] = re.compile(r"<\s*/\s*%s\s*>" % re.escape(name), re.IGNORECASE)
    return pattern


def _drop_tag_blocks(text: str) -> str:
    """Drop ``<ref>...</ref>`` and the like; make ``<nowiki>`` content literal.

    An opening tag with no closing tag is dropped alone. Once a closing tag is
    known to be absent after some position it is not searched for again, which
    keeps many unclosed tags linear.
    """
    out = []
    pos = 0
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
        pos = close.end()
    out.append(text[pos:])
    return "".join(out)


def _template_key(name: str) -> str:
    key = " ".join(name.replace("_", " ").split()).lower()
    for prefix in _TEMPLATE_PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix) :].lstrip()
    if not key or key.startswith("#") or ":" in key or len(key) > 255 or _BAD_TARGET.search(key):
        return ""
    return key


def _split_args(content: str) -> list[str]:
    """Positional arguments of a template body, ignoring pipes inside [[links]]."""
    if "[[" not in content:
        parts = content.split("|")
    else:
        parts, depth, start = [], 0, 0
        for m in re.finditer(r"\[\[|\]\]|\|", content):
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


def _templates(text: str, names: list[str]) -> str:
    """Replace balanced ``{{...}}`` innermost first; unbalanced braces stay as text."""
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
        rule = _INLINE.get(key) if key else None
        if key:
            names.append(key)
        if rule is None and key.startswith("lang-"):
            rule = _last
        if rule is None or len(stack) >= _MAX_KEEP_DEPTH:
            del out[idx:]
        else:
            content = "".join(out[idx:])
            del out[idx:]
            out.append(rule(_split_args(content)))
    out.append(text[pos:])
    for idx in reversed(stack):
        if idx < len(out):
            out[idx] = "{{" + out[idx]
        else:
            out.append("{{")
    return "".join(out)


def _drop_tables(text: str) -> str:
    # Tables nest; an unclosed one runs to the end of the page, as in MediaWiki.
    out = []
    depth = 0
    pos = 0
    for m in _TABLE.finditer(text):
        if m.group(1) == "{|":
            if depth == 0:
                out.append(text[pos : m.start()])
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                pos = m.end()
    if depth == 0:
        out.append(text[pos:])
    return "".join(out)


_ARTICLE, _FILE, _CATEGORY, _TEXT_ONLY, _DROP = range(5)


def _classify(target: str, colon: bool, site: SiteInfo) -> int:
    c = target.find(":")
    if c <= 0:
        return _TEXT_ONLY if target.startswith("#") else _ARTICLE
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


def _pipe_trick(target: str, kind: int) -> str:
    if kind != _ARTICLE:
        target = target.split(":", 1)[-1]
    return _PIPE_TRICK.sub("", target)


def _links(text: str, site: SiteInfo, targets: list[str], categories: list[str]) -> str:
    """Turn ``[[...]]`` into marked anchors, innermost first.

    A link whose text holds another link is not a link (MediaWiki prints it
    literally), except files, whose captions may hold links and which vanish
    whole. Unclosed ``[[`` and stray ``]]`` stay as text.
    """
    out: list[str] = []
    stack: list[list] = []  # [index in out where the link's text starts, has a child link]
    pos = 0
    search = _LINK_TOKEN.search
    while True:
        m = search(text, pos)
        if m is None:
            break
        start = m.start()
        if start > pos:
            out.append(text[pos:start])
        pos = m.end()
        if text[start] == "[":
            stack.append([len(out), False])
            continue
        if not stack:
            out.append("]]")
            continue
        idx, has_child = stack.pop()
        if stack:
            stack[-1][1] = True
        if has_child:
            first = out[idx] if idx < len(out) else ""
            bar = first.find("|", 0, _MAX_TARGET)
            content = None
            raw = first[:bar] if bar >= 0 else "[["  # a child inside the target: invalid
        else:
            content = "".join(out[idx:])
            bar = content.find("|", 0, _MAX_TARGET)
            raw = content[:bar] if bar >= 0 else content
        target = raw.strip()
        colon = target.startswith(":")
        if colon:
            target = target[1:].lstrip()
        if len(raw) >= _MAX_TARGET or _BAD_TARGET.search(target):
            kind = _TEXT_ONLY if bar >= 0 and not has_child else -1
        else:
            kind = _classify(target, colon, site)
        if kind in (_FILE, _DROP):
            del out[idx:]
            continue
        if kind == _CATEGORY:
            del out[idx:]
            name = normalize_title(target.split(":", 1)[1])
            if name:
                categories.append(name)
            continue
        if has_child or kind == -1:
            # literal text, as MediaWiki prints it
            if idx < len(out):
                out[idx] = "[[" + out[idx]
            else:
                out.append("[[")
            out.append("]]")
            continue
        assert content is not None
        del out[idx:]
        if bar >= 0:
            anchor = content[bar + 1 :]
            if not anchor:
                anchor = _pipe_trick(target, kind)
        else:
            anchor = target
        if not anchor or anchor.isspace():
            continue
        link_target = normalize_title(target) if kind == _ARTICLE else ""
        trail = _TRAIL.match(text, pos)
        if trail is not None:
            anchor += trail.group()
            pos = trail.end()
        anchor = " ".join(anchor.split())
        if link_target:
            marker = str(len(targets)).translate(_ID_DIGITS)
            targets.append(link_target)
            out.append(_S + marker + _M + anchor + _E)
        else:
            out.append(anchor)
    out.append(text[pos:])
    for idx, _ in reversed(stack):
        if idx < len(out):
            out[idx] = "[[" + out[idx]
        else:
            out.append("[[")
    return "".join(out)


def _heading(m: re.Match[str]) -> str:
    line = m.group().rstrip()
    if len(line) < 2 or not line.endswith("="):
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
    if _RESERVED.search(value):
        return _RESERVED.sub("", value)
    return value


def _check_link(m: re.Match[str]) -> str:
    anchor = m.group(2)
    core = anchor.strip()
    if not core:
        return anchor
    lead = anchor[: len(anchor) - len(anchor.lstrip())]
    tail = anchor[len(anchor.rstrip()) :]
    ident = m.group(1).translate(_ID_TO_VID)
    return lead + _VS + ident + _VM + _SPACE_RUN.sub(" ", core) + _VE + tail


_ID_TO_VID = str.maketrans({chr(0xE010 + i): chr(0xE030 + i) for i in range(10)})


def _finish(text: str, targets: list[str]) -> tuple[str, list[WikiLink]]:
    """Normalize whitespace into paragraphs, then read the link offsets."""
    if targets:
        text = _RAW_LINK.sub(_check_link, text)
        text = _STRAY.sub("", text)
    text = _PARA_BREAK.sub(_PARA, text)
    text = _SPACE_RUN.sub(" ", text)
    text = _PARA_RUN.sub("\n\n", text).strip()
    links: list[WikiLink] = []
    if targets and _VS in text:
        pieces = []
        pos = 0
        removed = 0
        for m in _LINK.finditer(text):
            anchor = m.group(2)
            pieces.append(text[pos : m.start()])
            pieces.append(anchor)
            start = m.start() - removed
            removed += len(m.group()) - len(anchor)
            pos = m.end()
            links.append(
                WikiLink(start, start + len(anchor), targets[int(m.group(1).translate(_VID_BACK))])
            )
        pieces.append(text[pos:])
        text = "".join(pieces)
    if _HAS_NOWIKI.search(text):
        text = text.translate(_NOWIKI_OUT)
    return text, links
