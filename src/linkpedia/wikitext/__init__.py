"""Wikitext to plain text with link offsets, titles, redirects and previews.

``convert`` is the one entry point for page bodies; the other helpers work on
its output (``is_disambiguation``, ``first_paragraph``, ``make_preview``) or on
raw titles and redirect pages (``normalize_title``, ``parse_redirect``).
"""

from .convert import Converted, WikiLink, convert
from .preview import first_paragraph, make_preview
from .site import DEFAULT_SITE, SiteInfo
from .special import is_disambiguation, parse_redirect
from .titles import normalize_title

__all__ = [
    "Converted",
    "DEFAULT_SITE",
    "SiteInfo",
    "WikiLink",
    "convert",
    "first_paragraph",
    "is_disambiguation",
    "make_preview",
    "normalize_title",
    "parse_redirect",
]
