"""The reader's options (policy, threshold, mention mode): parsed, shown on a form, kept in the URL.

A read page's address carries the text and the options (``/read?text=...&
threshold=0.3``), so it can be shared or reloaded; a text too long for an
address is read from a form post and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Callable
from urllib.parse import urlencode

from .problems import Problem

__all__ = ["ReadOptions", "MODES", "parse_options", "share_url", "options_form"]

POLICIES = ("first", "all")
MODES = ("entities", "wikipedia")
# Addresses longer than this are refused by some servers and proxies (uvicorn's h11 takes 16 KiB
# of request head), so a longer text is read from the post alone.
MAX_URL = 8000


@dataclass(frozen=True)
class ReadOptions:
    policy: str = "first"
    threshold: float | None = None  # None: the KB's calibrated default
    mode: str | None = None  # None: the linker's default


def parse_options(get: Callable[[str], str]) -> ReadOptions:
    """The options from a form or a query string (``get(name)`` is ``""`` when absent); 400 when invalid."""
    policy = get("policy").strip() or "first"
    if policy not in POLICIES:
        raise Problem(400, f"policy {policy!r} is not one of: {', '.join(POLICIES)}")
    raw = get("threshold").strip()
    threshold = None
    if raw:
        try:
            threshold = float(raw)
        except ValueError:
            threshold = -1.0
        if not 0.0 <= threshold <= 1.0:
            raise Problem(400, f"threshold {raw[:40]!r} is not a number from 0 to 1")
    mode = get("mode").strip() or None
    if mode is not None and mode not in MODES:
        raise Problem(400, f"mode {mode[:40]!r} is not one of: {', '.join(MODES)}")
    return ReadOptions(policy, threshold, mode)


def share_url(text: str, title: str | None, options: ReadOptions) -> str | None:
    """The GET address of this reading, or ``None`` when the text is too long for an address."""
    params = {"title": title or "", "text": text, "policy": options.policy}
    if options.threshold is not None:
        params["threshold"] = f"{options.threshold:g}"
    if options.mode is not None:
        params["mode"] = options.mode
    url = "/read?" + urlencode({k: v for k, v in params.items() if v})
    return url if len(url) <= MAX_URL else None


_MODE_LABELS = {
    "wikipedia": "what an encyclopedia links (concepts and names)",
    "entities": "named entities only (people, places, organisations…)",
}


def options_form(prefix: str, options: ReadOptions, *, threshold: float, mode: str) -> str:
    """The policy, mode and threshold controls, showing the values in use; ids start with ``prefix``."""
    policy_labels = {"first": "the first mention of each entry in a paragraph", "all": "every mention"}
    policies = "".join(
        f'<label><input type="radio" name="policy" value="{p}"{" checked" if options.policy == p else ""}> '
        f"{label}</label>\n" for p, label in policy_labels.items())
    current_mode = options.mode or mode
    modes = "".join(
        f'<label><input type="radio" name="mode" value="{m}"{" checked" if current_mode == m else ""}> '
        f"{escape(_MODE_LABELS[m])}</label>\n" for m in ("wikipedia", "entities"))
    value = options.threshold if options.threshold is not None else threshold
    return (
        f"<fieldset><legend>Link</legend>\n{policies}</fieldset>\n"
        f"<fieldset><legend>Mentions</legend>\n{modes}</fieldset>\n"
        f'<label for="{prefix}threshold">Confidence threshold <span class="lp-note">(0 to 1: a higher '
        f"one links fewer mentions, more surely; the KB's default is {threshold:g})</span></label>\n"
        f'<input id="{prefix}threshold" name="threshold" type="number" min="0" max="1" step="0.05" '
        f'value="{value:g}" inputmode="decimal">\n'
    )
