"""One error hierarchy for the library, the CLI and the server.

    LinkpediaError                 every error linkpedia raises on purpose
    ├── InputError                 the user's input is wrong (CLI exit code 2, HTTP 400)
    │   ├── SourceNotFoundError    a source file does not exist
    │   ├── SourceFormatError      a file is not in a format we read, or breaks mid-stream
    │   └── EmptySourceError       a source holds no usable page
    ├── KBError                    a knowledge base cannot be used
    │   ├── KBNotFoundError        no KB at that path
    │   ├── KBVersionError         the KB was written by an incompatible schema version
    │   ├── KBDamagedError         a KB file is truncated or corrupt (rebuild or update it)
    │   └── KBBusyError            another process is building or updating the same KB
    ├── EntryNotFoundError         a title is not in the KB (HTTP 404)
    └── SparkUnavailableError      PySpark or Java is missing, or the master is unreachable

Library code raises these with a message that says which file, where, and what
to do; the CLI prints ``Error: <message>`` on one line and exits with code 2, so
a user's mistake never shows a traceback.
"""

from __future__ import annotations

__all__ = [
    "LinkpediaError",
    "InputError",
    "SourceNotFoundError",
    "SourceFormatError",
    "EmptySourceError",
    "KBError",
    "KBNotFoundError",
    "KBVersionError",
    "KBDamagedError",
    "KBBusyError",
    "EntryNotFoundError",
    "SparkUnavailableError",
]


class LinkpediaError(Exception):
    """Base class of every error linkpedia raises on purpose."""

    exit_code = 2
    http_status = 500


class InputError(LinkpediaError):
    """The input given by the user cannot be used."""

    http_status = 400


class SourceNotFoundError(InputError):
    """A source file does not exist."""


class SourceFormatError(InputError):
    """A source is not in a readable format or is broken at some position."""

    def __init__(self, message: str, *, path: str | None = None, position: str | None = None):
        where = ""
        if path is not None:
            where = f"{path}"
            if position:
                where += f" ({position})"
            where += ": "
        super().__init__(where + message)
        self.path = path
        self.position = position


class EmptySourceError(InputError):
    """A source holds no page that could go into a KB."""


class KBError(LinkpediaError):
    """A knowledge base cannot be opened or used."""

    http_status = 500


class KBNotFoundError(KBError):
    """No knowledge base at the given path."""

    http_status = 404


class KBVersionError(KBError):
    """The KB was written with a schema this version cannot read."""


class KBDamagedError(KBError):
    """A file of the KB is truncated, corrupt or does not match the others."""


class KBBusyError(KBError):
    """Another process holds the KB's write lock (a build or an update is running)."""

    http_status = 503


class EntryNotFoundError(LinkpediaError):
    """A title names no entry of the KB."""

    http_status = 404


class SparkUnavailableError(LinkpediaError):
    """PySpark or Java is missing, or the Spark master cannot be reached."""

    http_status = 503
