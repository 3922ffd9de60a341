"""Pages that are not entries: redirects and disambiguation pages.

The KB turns redirects into aliases of their target and keeps disambiguation
pages out of the candidates, so both are recognized from the raw wikitext or
the converted page before anything else is built from them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .convert import Converted
from .site import DEFAULT_SITE, SiteInfo
from .titles import normalize_title

__all__ = ["parse_redirect", "is_disambiguation"]

# Category names (lower-case) that mark disambiguation pages, matched as suffixes:
# English "All disambiguation pages", "Place name disambiguation pages", ...;
# Bulgarian "Пояснителни страници".
_DISAMBIGUATION_CATEGORIES = ("disambiguation pages", "пояснителни страници")
_DISAMBIGUATION_MAGIC = "__disambig__"


@lru_cache(maxsize=32)
def _redirect_pattern(words: frozenset[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(
        r"[\s\ufeff]*+(?:%s)\s*+:?+\s*+\[\[([^\[\]|\n]*+)(?:\|[^\[\]\n]*+)?\]\]" % alternatives,
        re.IGNORECASE,
    )


def parse_redirect(wikitext: str, site: SiteInfo = DEFAULT_SITE) -> str | None:
    """The normalized target of a redirect page ("#REDIRECT [[Target#sec]]"), else None."""
    if not site.redirect_words:
        return None
    m = _redirect_pattern(site.redirect_words).match(wikitext)
    if m is None:
        return None
    return normalize_title(m.group(1)) or None


def is_disambiguation(converted: Converted, site: SiteInfo = DEFAULT_SITE) -> bool:
    """True for a page that uses a disambiguation template, category or ``__DISAMBIG__``."""
    names = site.disambiguation_templates
    for template in converted.templates:
        if template in names or template == _DISAMBIGUATION_MAGIC:
            return True
    for category in converted.categories:
        if category.lower().endswith(_DISAMBIGUATION_CATEGORIES):
            return True
    return False
