"""linkpedia: plain text in, hyperlinked encyclopedia page with previews out.

    >>> import linkpedia
    >>> kb = linkpedia.open_kb("sample-kb")          # doctest: +SKIP
    >>> doc = kb.link("Kaunas lies on the Neris.")   # doctest: +SKIP
    >>> doc.links[0].title, kb.preview("Kaunas")      # doctest: +SKIP
"""

from .errors import (
    EntryNotFoundError,
    InputError,
    KBBusyError,
    KBDamagedError,
    KBError,
    KBNotFoundError,
    KBVersionError,
    LinkpediaError,
    SourceFormatError,
    SourceNotFoundError,
)
from .kb import BuildOptions, KnowledgeBase, build_kb, open_kb
from .link import LinkerConfig
from .types import Candidate, Document, Entry, Link

__version__ = "0.1.0"

__all__ = [
    "open_kb",
    "build_kb",
    "BuildOptions",
    "KnowledgeBase",
    "LinkerConfig",
    "Document",
    "Link",
    "Candidate",
    "Entry",
    "LinkpediaError",
    "InputError",
    "SourceNotFoundError",
    "SourceFormatError",
    "KBError",
    "KBNotFoundError",
    "KBVersionError",
    "KBDamagedError",
    "KBBusyError",
    "EntryNotFoundError",
    "__version__",
]
