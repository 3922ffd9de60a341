"""The preview shown with each link: the opening of the linked entry's article.

The rule is the seed page's: first paragraph, parenthetical asides removed
(which leaves the seed's stray space before a comma, "The Soviet Union ,
officially ..."), whitespace collapsed, cut at a word boundary at or before
``limit`` characters, and "..." appended whether or not it was cut.
"""

from __future__ import annotations

import re

__all__ = ["first_paragraph", "make_preview"]

_PARENS = re.compile(r"[()]")
_SENTENCE_END = (".", "!", "?", ":", ";")
_MIN_WORDS = 4


def first_paragraph(text: str) -> str:
    """The first paragraph that reads as prose, or "" for an empty text.

    Paragraphs are lines (converted text separates them by blank lines). A
    paragraph counts as prose when it has at least four words or ends like a
    sentence, which skips leftover headings and captions such as "History";
    when none does, the first non-empty paragraph is returned.
    """
    fallback = ""
    for line in text.split("\n"):
        paragraph = line.strip()
        if not paragraph:
            continue
        if len(paragraph.split(None, _MIN_WORDS)) >= _MIN_WORDS or paragraph.endswith(
            _SENTENCE_END
        ):
            return paragraph
        fallback = fallback or paragraph
    return fallback


def _drop_parentheticals(text: str) -> str:
    # Nested asides go with their outer one; an unclosed "(" is kept as text.
    if "(" not in text:
        return text
    out = []
    depth = 0
    pos = 0
    opened = 0
    for m in _PARENS.finditer(text):
        if m.group() == "(":
            if depth == 0:
                opened = m.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                out.append(text[pos:opened])
                pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def make_preview(text: str, limit: int = 300) -> str:
    """Preview of an article's plain text by the seed's rule; "" when it has no text."""
    preview = " ".join(_drop_parentheticals(first_paragraph(text)).split())
    if not preview:
        return ""
    if len(preview) > limit:
        cut = preview.rfind(" ", 0, limit + 1)
        preview = preview[: cut if cut > 0 else limit].rstrip()
    return preview + "..."
