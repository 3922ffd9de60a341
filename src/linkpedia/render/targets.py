"""Where a standalone page's links should go: a URL a reader can follow.

A page written to a file has no server, so ``/wiki/...`` is dead there. The
KB remembers the wiki each MediaWiki dump came from (``<siteinfo><base>``,
the main page's URL, stored in the ``sources`` meta at build time); its
article URLs are that URL without the main page's title. A base on a
reserved domain (RFC 2606/6761: ``.example``, ``.test``, ``.invalid``,
``.localhost``, ``example.com``...) names no real site, as the bundled
sample's does, so it is not used.
"""

from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import urlsplit

__all__ = ["article_base", "kb_link_base"]

_RESERVED_TLDS = ("example", "test", "invalid", "localhost")
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org")


def article_base(base: str | None) -> str | None:
    """The article URL prefix of a wiki whose main page is at ``base``, or ``None``.

    ``https://en.wikipedia.org/wiki/Main_Page`` -> ``https://en.wikipedia.org/wiki/``;
    ``https://w.org/index.php?title=Main_Page`` -> ``https://w.org/index.php?title=``.
    """
    if not base:
        return None
    parts = urlsplit(base)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("http", "https") or not host:
        return None
    if host.rsplit(".", 1)[-1] in _RESERVED_TLDS or any(
            host == d or host.endswith("." + d) for d in _RESERVED_DOMAINS):
        return None
    if "title=" in parts.query:
        return base[: base.index("title=") + len("title=")]
    return base.split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[0] + "/"


def kb_link_base(meta: Mapping[str, Any]) -> str | None:
    """The article URL prefix of the first source wiki the KB knows a real URL of."""
    for source in meta.get("sources") or ():
        found = article_base(source.get("base")) if isinstance(source, Mapping) else None
        if found:
            return found
    return None
