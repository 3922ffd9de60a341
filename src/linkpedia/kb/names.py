"""The names an article gives its own subject, mined from its text.

Anchors say how other pages write an entry; a KB built from articles without
links has none, so its candidates must come from what each article says about
itself:

* ``lead``: the names of the first sentence's subject — "The United States of
  America (USA), also known as the United States (U.S.) or America, is ..."
  names four — and, in wikitext, the bold phrases of the lead;
* ``short``: the title without a trailing abbreviation of a company's or a
  family's standing ("Apple" of Apple Inc., "Carter Harrison" of Carter
  Harrison, Jr.), how texts call it, and often another entry's title;
* ``acronym``: the initials of a multi-word title ("FBI", "U.S.") when the
  article itself writes them;
* ``symbol``: the symbol the lead gives its subject ("a chemical element with
  the symbol Sc", "the joule (symbol: J)"), how tables and formulas write it;
* ``demonym``: an adjectival form of a one-word title that the article writes
  capitalized ("Chinese" in "China", "Iraqi" in "Iraq");
* ``person``: the first and the last name of a biography's subject, for the
  texts that call "Jobs" or "Steve" by that name alone.

Every name is checked against the article's own words, never a list, so the
rules hold for any corpus written in English. The first kind counts as a full
name of the entry; the others are weak (``WEAK_KINDS``): they make an entry a
candidate, ranked below the entries that really carry the name.
"""

from __future__ import annotations

import re
from collections import Counter

from ..text import is_word_char

__all__ = ["mine_names", "short_title", "symbols", "recase", "body_of", "lead_names", "acronyms", "demonyms", "demonym_of", "shared_prefix", "DEMONYM_SUFFIXES", "person_names", "WEAK_KINDS", "KINDS"]

KINDS = ("lead", "short", "acronym", "symbol", "demonym", "person")
WEAK_KINDS = frozenset({"short", "acronym", "symbol", "demonym", "person"})
LEAD_CHARS = 400  # the first sentence's subject lies in its first few hundred characters
MAX_NAME_WORDS = 6

_VERB = re.compile(r"\s(?:is|was|are|were|refers to|has been|became)\s")
_PAREN = re.compile(r"\(([^()]{1,120})\)")
_ALSO = re.compile(r"\b(?:also|commonly|often|sometimes|formerly|officially|better|simply)\s+"
                   r"(?:known|called|referred to|named|spelled|written)\s+(?:as\s+)?|\bnicknamed\s+|\bor\s+"
                   r"|\bofficially\s+(?=(?:the\s+)?[A-Z])")  # "France, officially the French Republic, is"
_NAME = re.compile(r"(?:(?:simply|just)\s+)?(?:the\s+)?[\"“']?([A-Z0-9][\w.'’&\-–]*(?:\s+(?:[A-Z0-9][\w.'’&\-–]*|of|the|and|de|du|la|von|van|der|for|in|on|&))*)")
# A sentence of the lead whose subject is a pronoun, so the first sentence's subject.
_PRONOUN_ALSO = re.compile(r"(?<=[.!?] )(?:It|He|She|They)\s+(?:is|was|are|were)\s+(?:also\s+|commonly\s+|often\s+|"
                           r"sometimes\s+|widely\s+|usually\s+)?(?:known|called|referred to|nicknamed)\s+(?:as\s+)?")
_GOES_ON = re.compile(r"\s+(?!(?:or|and|is|was|are|were|has|had)\b)[a-z]")  # a lower-case word that is no list's or verb's
_LIST = re.compile(r"[\"”']?\s*,\s*(?:or\s+|and\s+)?|\s+or\s+")
_BOLD = re.compile(r"'''(.+?)'''")
_WIKILINK = re.compile(r"\[\[(?:[^|\]]*\|)?([^\]]*)\]\]")
_SKIP_INITIALS = frozenset("of the and for in on at to a an de du la le von van der des del y et".split())
DEMONYM_SUFFIXES = ("n", "an", "ian", "ean", "ese", "ish", "i", "ic", "")  # a stem's adjectival endings
_CAP_WORD = re.compile(r"(?<![\w.])([A-Z][a-z]{2,})\b")
_PRONOUNS = re.compile(r"\b(he|his|him|she|her|it|its)\b", re.IGNORECASE)
# A biography's lead dates its subject: "(born 1955)", "(February 24, 1955 – October 5, 2011)".
_LIFE = re.compile(r"\((?:[^()]*\b(?:born|b\.|died|d\.)\s|[^()]*\b\d{3,4}\b[^()]*[–—-][^()]*\b\d{3,4}\b|born\b)")
_ROMAN = re.compile(r"^[IVXLC]+$")
_PERSON_TITLE = re.compile(r"^[A-Z][\w'’\-]+(?: (?:[A-Z]\.|[A-Z][\w'’\-]+|de|da|van|von|der|bin|al))* "
                           r"[A-Z][\w'’\-]+$")


def mine_names(title: str, text: str, wikitext: str | None = None) -> list[tuple[str, str]]:
    """(kind, name) pairs for an article, each name once, the title itself left out."""
    out: list[tuple[str, str]] = []
    seen = {title}
    person = person_names(title, text)
    for kind, names in (("lead", lead_names(title, text, wikitext)), ("short", short_title(title)),
                        ("acronym", [] if person else acronyms(title, text)),
                        ("symbol", symbols(title, text)), ("demonym", demonyms(title, text)),
                        ("person", person)):
        for name in names:
            if name not in seen:
                seen.add(name)
                out.append((kind, name))
    return out


_STANDING = re.compile(r"^(.*?[^\s,]),? [A-Z][a-z]{1,4}\.$")


def short_title(title: str) -> list[str]:
    """The title without its trailing abbreviation ("Inc.", "Jr."): a word of two
    to five letters ending in a period; a single initial ("Boney M.") is a name's part."""
    m = _STANDING.match(title)
    return [m.group(1)] if m and len(m.group(1)) > 1 else []


def _clean(name: str) -> str | None:
    name = " ".join(name.replace('"', " ").strip(" ,;:“”'‘’").split())
    if any(ch in name for ch in "()[]{}=|<>"):  # markup left over, not a name
        return None
    if name.lower().startswith("the ") and len(name) > 4:
        name = name[4:]
    words = name.split()
    if not words or len(words) > MAX_NAME_WORDS or len(name) < 2 or len(name) > 80:
        return None
    if not (name[0].isupper() or name[0].isdigit()) or name.isdigit():
        return None
    if any(w[0].islower() and w not in _SKIP_INITIALS for w in words):  # a clause, not a name
        return None
    return name


def body_of(title: str, text: str) -> str:
    """The text from its first sentence on: WikiExtractor repeats the title as the first line."""
    head = text.lstrip()
    return head[len(title) + 1:].lstrip() if head.startswith(title + "\n") else head


def recase(alias: str, title: str) -> str:
    """A lower-cased alias written as its title writes the same words ("saddam" of
    Saddam Hussein -> "Saddam"); words the title lacks stay as given."""
    cased = {w.lower(): w for w in title.replace(",", " ").split()}
    return " ".join(cased.get(w.lower(), w) if w.islower() else w for w in alias.split())


def lead_names(title: str, text: str, wikitext: str | None = None) -> list[str]:
    """The names of the first sentence's subject, those a later lead sentence
    gives it by pronoun, and the lead's bold phrases."""
    found: list[str] = []
    body = body_of(title, text)
    head = body[:LEAD_CHARS]
    verb = _VERB.search(head)
    if verb:
        subject = head[:verb.start()]
        for m in _PAREN.finditer(subject):  # "(USA)", "(Lithuanian: Lietuva)"; never dates or "born"
            inner = m.group(1)
            if any(ch.isdigit() for ch in inner) or "born" in inner or ";" in inner:
                continue
            inner = inner.split(":")[-1]
            for part in re.split(r",| or ", inner):
                name = _clean(part)
                if name and _abbreviates(name, subject[:m.start()], title):
                    found.append(name)
        plain = _PAREN.sub(" ", subject)
        first = _clean(re.split(r",|\balso\b|\bor\b", plain)[0])
        if first and _names_subject(first, title):
            found.append(first)
        for m in _ALSO.finditer(plain):
            found.extend(_listed(plain, m.end()))
    # A later sentence of the lead that names the same subject: "It is also known as the "Red Planet"".
    later = body[:2 * LEAD_CHARS]
    for m in _PRONOUN_ALSO.finditer(later, verb.end() if verb else 0):
        found.extend(_listed(later, m.end()))
    if wikitext:
        lead = next((p for p in wikitext.split("\n\n") if "'''" in p), "")[:2000]
        for m in _BOLD.finditer(lead):
            name = _clean(re.sub(r"''+", "", _WIKILINK.sub(r"\1", m.group(1))))
            if name:
                found.append(name)
    return found


_SENTENCE_END = re.compile(r"(?<=[^\W\d_]{2})\.$")  # "or simply the Ring." (not "U.S.")


def _listed(text: str, at: int) -> list[str]:
    """The names listed from ``at`` on: "the Industrial Average, the Dow Jones, ... or simply the Dow"."""
    out = []
    while (after := _NAME.match(text, at)) is not None:
        if _GOES_ON.match(text, after.end()):
            break  # "or Muslim calendar": the name is the whole phrase, not "Muslim"
        name = _clean(_SENTENCE_END.sub("", after.group(1)))
        if name:
            out.append(name)
        more = _LIST.match(text, after.end())
        if more is None:
            break
        at = more.end()
    return out


_SEGMENT = re.compile(r",|;|\b(?:or|also known as|officially|formerly|short for)\b")
_LEADING = frozenset({"the", "a", "an", "also", "known", "as", "called", "simply"})


def _abbreviates(name: str, before: str, title: str) -> bool:
    """Whether a name in parentheses can be the subject's: an all-capitals one
    ("USA", "WUSTL") spells letters of one of the subject's names, in order,
    from its first word ("The Soviet Union, officially the Union of Soviet
    Socialist Republics (USSR)"). "Skepticism (US)" and "industrialization
    (US)" mark a spelling, "Year 104 (CIV)" a numeral, and "... academy for
    the United States (US)" abbreviates another name than the subject's."""
    letters = re.sub(r"[^A-Z]", "", name)
    if not letters or letters != re.sub(r"[^A-Za-z]", "", name):
        return True  # not an abbreviation: a native or former name ("Lietuva")
    if _ROMAN.match(letters) and any(ch.isdigit() for ch in title):
        return False
    for segment in _SEGMENT.split(before):
        words = [w for w in re.findall(r"[^\W\d_]+", segment)]
        while words and words[0].lower() in _LEADING:
            words.pop(0)
        if words and words[0][0].upper() == letters[0]:
            rest = iter("".join(words).upper()[1:])
            if all(c in rest for c in letters[1:]):
                return True
    return False


def _names_subject(name: str, title: str) -> bool:
    """Whether the sentence's first words name the title's subject ("Steven Paul
    Jobs" for Steve Jobs), not open the sentence ("An actor", "In music")."""
    if name.split()[0].lower() in _SKIP_INITIALS or name.split()[0].lower() in ("a", "an", "in"):
        return False
    if len(name) < len(title) and f" {name} " in f" {title} " and not title.startswith(name + " "):
        return False  # "Iraq" of "History of Iraq"; but "New York" of New York City names it
    mine = {w.lower()[:5] for w in re.findall(r"\w{3,}", name)}
    theirs = {w.lower()[:5] for w in re.findall(r"\w{3,}", title)}
    if mine & theirs:
        return True
    initials = "".join(w[0] for w in name.split() if w.lower() not in _SKIP_INITIALS)
    return initials.upper() == re.sub(r"\W", "", title.split(" (")[0]).upper()


def acronyms(title: str, text: str) -> list[str]:
    """The title's initials, plain and dotted, where the article writes them in
    either form: "US" and "U.S." are one abbreviation, its periods optional."""
    words = [w for w in re.split(r"[\s\-]+", title.split(" (")[0]) if w]
    initials = [w[0] for w in words if w.lower() not in _SKIP_INITIALS and w[0].isalpha()]
    if len(initials) < 2 or len(words) < 2 or not all(c.isupper() for c in initials):
        return []
    forms = ["".join(initials), ".".join(initials) + "."]
    need = 2 if len(initials) == 2 else 1  # two letters say little once
    written = 0
    for form in forms:
        written += _standalone(text, form, need - written)
        if written >= need:
            return forms
    return []


def _standalone(text: str, form: str, enough: int) -> int:
    """How often ``text`` writes ``form`` on its own (no word character or period
    before it, no word character after), counted up to ``enough``: a string
    search per occurrence, where a pattern compiled for each title cost a sixth
    of a page's extraction."""
    n, i, k = 0, text.find(form), len(form)
    while i >= 0 and n < enough:
        if (i == 0 or not (is_word_char(text[i - 1]) or text[i - 1] == ".")) and \
                (i + k == len(text) or not is_word_char(text[i + k])):
            n += 1
            i = text.find(form, i + k)
        else:
            i = text.find(form, i + 1)
    return n


_SYMBOL = re.compile(r"\bsymbol:?[^\S\n]+[\"“']?([A-Z][A-Za-z]{0,2})[\"”']?(?=[\s,.;)])")


def symbols(title: str, text: str) -> list[str]:
    """The symbol of the lead's first sentences ("with the symbol Sc"): one to
    three letters from a capital, as elements and units are written."""
    m = _SYMBOL.search(body_of(title, text)[:LEAD_CHARS])
    return [m.group(1)] if m and m.group(1) != title else []


def demonyms(title: str, text: str) -> list[str]:
    """Capitalized words the article writes at least three times that are the
    one-word title's stem plus an adjectival suffix: China → Chinese, and
    Norway → Norwegian (``_irregular_demonym``)."""
    if " " in title or not title.isalpha() or not title[:1].isupper() or len(title) < 4:
        return []
    counts = Counter(_CAP_WORD.findall(text))
    return [word for word, n in counts.items() if n >= 3 and demonym_of(title, word)]


def demonym_of(title: str, word: str) -> bool:
    """Whether ``word`` has the form of the one-word ``title``'s demonym: its
    stem plus an adjectival suffix (China → Chinese, Germany → German), or
    ``_irregular_demonym``. The linker asks it of the candidates a demonym reached."""
    if word == title or not title.isalpha() or len(title) < 4:
        return False
    for cut in range(0, 4):
        stem = title[:len(title) - cut]
        if len(stem) >= 3 and word.startswith(stem) and word[len(stem):] in DEMONYM_SUFFIXES \
                and (cut or word[len(stem):]):
            return True
    return _irregular_demonym(title, word)


_IRREGULAR = re.compile(r"[a-z]{0,3}(?:ian|ish|ese)")


def shared_prefix(a: str, b: str) -> int:
    """How many first letters two words have in common (Norway, "Norwegian": 4)."""
    k = 0
    while k < min(len(a), len(b)) and a[k] == b[k]:
        k += 1
    return k


def _irregular_demonym(title: str, word: str) -> bool:
    """Norway → Norwegian, Scotland → Scottish, Portugal → Portuguese, Spain →
    Spanish: the title's first four letters or more, most of it (or all but two
    letters of a title of five or more), then up to three letters and a
    distinctive suffix."""
    k = shared_prefix(title, word)
    most = k >= max(4, len(title) - 4) or (len(title) >= 5 and k >= len(title) - 2)  # not Iraq -> "Iranian"
    return most and _IRREGULAR.fullmatch(word[k:]) is not None


def _full_name(words: list[str], leads: list[str]) -> bool:
    """Whether the lead names the subject in full, given names and surname: "Donald John
    Trump" for Donald Trump, "Angela Dorothea Merkel" for Angela Merkel, "George Walker
    Bush" for George W. Bush (an initial spelled out)."""
    title = " ".join(words)
    for n in leads:
        parts = n.split()
        if parts[-1] == words[-1] and (len(parts) > len(words) or (
                len(parts) == len(words) and parts[0] == words[0] and len(n) > len(title))):
            return True
    return False


_NAME_AFTER = re.compile(r"\s+[A-Z]")


def _alone(text: str, before: str, word: str) -> bool:
    """Whether ``text`` writes ``word`` as a word of its own, not after ``before``
    and a space, nor before another capitalized word: the surname alone ("Jobs
    co-founded", not "Steve Jobs" or "Jobs Inc"). A string search per
    occurrence, not a pattern compiled for each title."""
    after = before + " "
    i, k = text.find(word), len(word)
    while i >= 0:
        j = i + k
        if not (i >= len(after) and text[i - len(after):i] == after) \
                and (i > 0 and is_word_char(text[i - 1])) != is_word_char(text[i]) \
                and is_word_char(text[j - 1]) != (j < len(text) and is_word_char(text[j])) \
                and not _NAME_AFTER.match(text, j):
            return True
        i = text.find(word, i + 1)
    return False


def person_names(title: str, text: str) -> list[str]:
    """First and last name of a biography's subject: a title shaped like a
    personal name whose article speaks of "he" or "she" far more than of "it"."""
    name = title.split(" (")[0]
    if not _PERSON_TITLE.match(name):
        return []
    words = name.split()
    pronouns = Counter(w.lower() for w in _PRONOUNS.findall(text[:3000]))
    personal = sum(pronouns[w] for w in ("he", "his", "him", "she", "her"))
    if personal < max(1, pronouns["it"] + pronouns["its"]):
        return []
    if not _LIFE.search(text[:LEAD_CHARS]) and not _full_name(words, lead_names(title, text)):
        # Without life dates or a fuller name in the lead, the article must call its
        # subject by the surname alone ("Jobs co-founded").
        body = text[text.find(".") + 1:3000] if "." in text else ""  # after the first sentence
        if not _alone(body, words[-2], words[-1]):
            return []
    out = []
    for w in (words[0], words[-1]):
        if len(w) >= 3 and not w.endswith(".") and w[0].isupper() and not _ROMAN.match(w):
            out.append(w)
    return out
