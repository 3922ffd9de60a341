"""A deterministic MediaWiki XML dump with English Wikipedia's shape, of any size.

    .venv/bin/python bench/synthetic_dump.py PAGES --out FILE.xml.bz2 [--seed N]
    .venv/bin/python bench/synthetic_dump.py --stats     # the real samples' figures the shape comes from

The build's cost at scale depends on shape, not on meaning: how long pages
are, how many links they carry, how in-links concentrate on a few entries,
how fast the anchor vocabulary grows, how many redirects and disambiguation
pages there are. Those come from the real samples in ../shared/data (the
English dump and the two small real page sets), measured when this runs if
they are present, else from the constants below (measured with ``--stats``
on 2026-12-07). The words are synthetic (pronounceable syllables, Zipfian in
frequency), so the dump holds no Wikipedia text and is free to share.

Per article: a length (characters of wikitext) and a link density (links per
1,000 characters) drawn by inverse CDF from the samples' quantiles; targets
by a Zipf law over a fixed random ranking of the articles (the most linked
entries get a large share of all in-links, as on Wikipedia); anchors from the
target's own names (title, its head word, lower-case form, redirect names),
new ones coming as Heaps' law V = K·n^β fitted on the samples' anchors says.
Articles are ~40% of pages: ~1.5 redirects per article, 4% of articles are
disambiguation pages; pages have infoboxes, references with citation
templates, tables, sections and categories, which the wikitext reader strips.
PAGES counts every page (articles, redirects, disambiguation pages).

The fits, as ``--stats`` prints them (2026-12-07, 209 articles of the three
samples, 42,880 links): article length deciles 292 ... 327,805 characters
(median 16,366), links per 1,000 characters 1.1 ... 34.7 (median 5.7),
anchors V = 1.07·n^0.96 (least squares on log–log, a point every 50
links). The samples are long, link-dense articles, so both distributions
are scaled to English Wikipedia's means (MEAN_CHARS, MEAN_LINKS) keeping
their shapes. Heaps' law fitted on 43 k links grows faster than the real
vocabulary: extrapolated to 180 M links it gives ~90 M distinct anchors,
where English Wikipedia has ~30 M, so the synthetic KBs have more surfaces
per entry than the real one (pessimistic for the surface-bound phases).
"""

from __future__ import annotations

import argparse
import bisect
import bz2
import math
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
SAMPLES = [SHARED / "dumps" / "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2",
           SHARED / "small-real" / "wikibrain-enwiki-44-pages.xml",
           SHARED / "small-real" / "wtf-wikipedia-pages"]

REDIRECTS_PER_ARTICLE = 1.5  # English Wikipedia: ~10 M redirects, 6.8 M articles
DAB_SHARE = 0.04  # disambiguation pages among articles (~300 k of 6.8 M)
RED_LINK_SHARE = 0.1  # links to titles no page has
ZIPF_S = 1.0  # in-links of the k-th most linked article ~ 1/k^s
# The samples are long, link-dense articles (the English dump's are the first, alphabetical and
# old: Anarchism, Autism, ...): their distributions' shapes are kept, their means scaled to
# English Wikipedia's: ~90 GB of article XML over 6.8 M articles, 180 M links (issue 17).
MEAN_CHARS = 12_500
MEAN_LINKS = 26

# Measured with `.venv/bin/python bench/synthetic_dump.py --stats` (2026-12-07) on the three
# samples above (209 articles, 42,880 links): deciles 0..100 of wikitext characters and of links per 1,000
# characters, and Heaps' law of distinct anchor texts over links. Used when the samples are absent.
FALLBACK = {
    "length_q": [292, 2441, 4007, 6363, 9913, 16366, 26632, 42970, 68911, 109290, 327805],
    "density_q": [1.1, 3.2, 3.7, 4.4, 5.0, 5.7, 6.2, 7.2, 8.5, 11.6, 34.7],
    "heaps_k": 1.07,
    "heaps_beta": 0.96,
}

_LINK = re.compile(r"\[\[([^\[\]|#\n]*)(?:#[^\[\]|\n]*)?(?:\|([^\[\]\n]*))?\]\]")
_NAMESPACED = re.compile(r"^\s*:?\s*[A-Za-z ]+:")


# -- the real samples' shape -------------------------------------------------------------------


@dataclass
class Shape:
    length_q: list[float]  # quantiles 0, 10, ..., 100 % of article length (characters of wikitext)
    density_q: list[float]  # the same of links per 1,000 characters
    heaps_k: float
    heaps_beta: float
    source: str  # "measured on N articles" or "constants"

    def scaled(self, mean_chars: float, mean_links: float) -> "Shape":
        """The same shapes with the given mean length and mean links per article."""
        us = [(i + 0.5) / 200 for i in range(200)]
        mean_len = sum(_draw(self.length_q, u, True) for u in us) / len(us)
        f = mean_chars / mean_len
        mean_density = sum(_draw(self.density_q, u, False) for u in us) / len(us)
        g = 1000 * mean_links / mean_chars / mean_density
        return Shape([x * f for x in self.length_q], [x * g for x in self.density_q],
                     self.heaps_k, self.heaps_beta, self.source)


def _sample_pages() -> Iterator[tuple[str, str]]:
    """(title, wikitext) of the samples' main-namespace articles (redirects left out)."""
    sys.path.insert(0, str(REPO / "src"))
    from linkpedia.sources import open_source

    for path in SAMPLES:
        if path.is_dir():
            for f in sorted(path.glob("*.txt")):
                text = f.read_text(encoding="utf-8")
                if not text.lstrip().upper().startswith("#REDIRECT"):
                    yield f.stem.replace("-", " "), text
        elif path.is_file():
            for page in open_source(path, format="mediawiki").pages():
                if page.redirect is None and page.markup == "wikitext":
                    yield page.title, page.text


def _quantiles(values: list[float], n: int = 10) -> list[float]:
    v = sorted(values)
    return [round(v[min(len(v) - 1, round(i * (len(v) - 1) / n))], 1) for i in range(n + 1)]


def fit_heaps(anchors: list[str]) -> tuple[float, float]:
    """K and β of V(n) = K·n^β, distinct anchors after n links, least squares on log–log."""
    seen: set[str] = set()
    xs, ys = [], []
    for n, a in enumerate(anchors, 1):
        seen.add(a)
        if n % 50 == 0:
            xs.append(math.log(n))
            ys.append(math.log(len(seen)))
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    beta = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return round(math.exp(my - beta * mx), 2), round(beta, 2)


def measure_shape() -> Shape:
    """The shape of the real samples, or the constants when they are absent."""
    lengths, densities, anchors = [], [], []
    for _, text in _sample_pages():
        links = [(m.group(1).strip(), (m.group(2) or m.group(1)).strip()) for m in _LINK.finditer(text)
                 if not _NAMESPACED.match(m.group(1))]
        lengths.append(len(text))
        densities.append(1000 * len(links) / max(len(text), 1))
        anchors += [a for _, a in links if a]
    if len(lengths) < 20 or len(anchors) < 500:
        return Shape(**FALLBACK, source="constants (samples absent)")
    k, beta = fit_heaps(anchors)
    return Shape(_quantiles(lengths), _quantiles(densities), k, beta,
                 source=f"measured on {len(lengths)} real articles, {len(anchors):,} links")


def _draw(q: list[float], u: float, log: bool) -> float:
    """Inverse CDF through the quantiles, linear (or log-linear) between them."""
    pos = u * (len(q) - 1)
    i = min(int(pos), len(q) - 2)
    a, b = q[i], q[i + 1]
    f = pos - i
    if log and a > 0 and b > 0:
        return math.exp(math.log(a) + f * (math.log(b) - math.log(a)))
    return a + f * (b - a)


# -- words ------------------------------------------------------------------------------------

_ONSETS = ["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
           "br", "ch", "st", "tr", "th", "sh", "gr", "pl", "kr", "dr", "fl"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io", "y"]


def word(i: int) -> str:
    """The i-th synthetic word: distinct for distinct i, short for small i."""
    out = []
    i += 1
    while i:
        i, r = divmod(i - 1, len(_ONSETS) * len(_VOWELS))
        out.append(_ONSETS[r // len(_VOWELS)] + _VOWELS[r % len(_VOWELS)])
    return "".join(out)


class Zipf:
    """Ranks 0..n-1 drawn with P(k) ~ 1/(k+1)^s, by bisection over the cumulative weights."""

    def __init__(self, n: int, s: float, rnd: random.Random):
        self.rnd = rnd
        self.cum: list[float] = []
        total = 0.0
        for k in range(n):
            total += (k + 1) ** -s
            self.cum.append(total)
        self.total = total

    def __call__(self) -> int:
        return bisect.bisect_left(self.cum, self.rnd.random() * self.total)


# -- the dump ---------------------------------------------------------------------------------


class Generator:
    """Titles, names and page texts of a dump of ``pages`` pages (deterministic in ``seed``)."""

    QUALIFIERS = ["film", "album", "band", "river", "city", "novel", "song", "ship", "company", "footballer"]

    def __init__(self, pages: int, seed: int, shape: Shape):
        self.rnd = random.Random(seed)
        self.shape = shape
        self.n_articles = max(10, round(pages / (1 + REDIRECTS_PER_ARTICLE)))
        self.n_redirects = max(0, pages - self.n_articles)
        self.vocab = max(2000, int(20 * self.n_articles ** 0.6))  # text words: Heaps-like growth
        self.wordlist = [word(i) for i in range(self.vocab)]
        self.word_cum = Zipf(self.vocab, 1.05, self.rnd).cum
        self._pool: list[str] = []
        self._at = 0
        self.titles: list[str] = []
        self.heads: list[str] = []  # the name a title is short for ("Brea" of "Brea (film)")
        used: set[str] = set()
        n_dab = int(self.n_articles * DAB_SHARE)
        self.n_content = self.n_articles - n_dab
        for i in range(self.n_content):
            while True:
                head = " ".join(word(self.rnd.randrange(self.vocab * 4)).capitalize()
                                for _ in range(self.rnd.choice((1, 1, 2, 2, 2, 3, 4))))
                title = head
                if self.rnd.random() < 0.15:  # an ambiguous name: "Head (qualifier)"
                    title = f"{head} ({self.rnd.choice(self.QUALIFIERS)})"
                if title not in used:
                    break
            used.add(title)
            self.titles.append(title)
            self.heads.append(head)
        # Disambiguation pages: for names some titles share, else for any head.
        self.dabs: list[tuple[str, list[int]]] = []
        by_head: dict[str, list[int]] = {}
        for i, h in enumerate(self.heads):
            by_head.setdefault(h, []).append(i)
        for h, members in by_head.items():
            if len(self.dabs) >= n_dab:
                break
            title = f"{h} (disambiguation)"
            if title not in used and (len(members) > 1 or self.titles[members[0]] != h):
                used.add(title)
                self.dabs.append((title, members))
        # Zipfian in-links: a fixed random ranking of the articles.
        self.rank = list(range(self.n_content))
        self.rnd.shuffle(self.rank)
        self.targets = Zipf(self.n_content, ZIPF_S, self.rnd)
        self.redirects: list[tuple[str, int]] = []
        self.names: list[list[str]] = [[t] for t in self.titles]  # anchors already used, by article
        for _ in range(self.n_redirects):  # popular articles get more redirects
            target = self.rank[self.targets()]
            while True:
                name = " ".join(word(self.rnd.randrange(self.vocab * 4)).capitalize()
                                for _ in range(self.rnd.choice((1, 2, 3))))
                if name not in used:
                    break
            used.add(name)
            self.redirects.append((name, target))
        self.alt: dict[int, list[str]] = {}
        for name, target in self.redirects:
            self.alt.setdefault(target, []).append(name)
        self.fresh: dict[int, int] = {}  # next new name of each target
        self.links_done = 0
        self.anchors_seen = 0

    # -- text --

    def _words(self, n: int) -> str:
        """``n`` Zipfian words, taken from a pool drawn in bulk (one ``choices`` call per ~4,000)."""
        if self._at + n > len(self._pool):
            self._pool = self.rnd.choices(self.wordlist, cum_weights=self.word_cum, k=max(4096, n))
            self._at = 0
        self._at += n
        return " ".join(self._pool[self._at - n:self._at])

    def _anchor(self, target: int) -> str:
        """A name of ``target``: a new one as often as Heaps' law adds anchors, else a used one."""
        self.links_done += 1
        k, beta = self.shape.heaps_k, self.shape.heaps_beta
        p_new = min(1.0, k * beta * self.links_done ** (beta - 1))
        names = self.names[target]
        if self.rnd.random() < p_new:
            # The target's names in turn (head word, lower case, redirect names), then new
            # ones; a per-target cursor, so a target with 100,000 in-links costs O(1) a link.
            k = self.fresh.get(target, 0)
            self.fresh[target] = k + 1
            alts = self.alt.get(target, ())
            if k == 0:
                name = self.heads[target]
            elif k == 1:
                name = self.titles[target].lower()
            elif k - 2 < len(alts):
                name = alts[k - 2]
            else:
                name = f"{self.heads[target]} {self._words(1)}"
            if name != self.titles[target]:
                names.append(name)
            return name
        return self.rnd.choice(names)

    def _link(self) -> str:
        if self.rnd.random() < RED_LINK_SHARE:
            return f"[[{self._words(2).capitalize()}]]"
        t = self.rank[self.targets()]
        anchor = self._anchor(t)
        title = self.titles[t]
        return f"[[{title}]]" if anchor == title else f"[[{title}|{anchor}]]"

    def _sentence(self, links: list[str]) -> str:
        parts = [self._words(self.rnd.randint(3, 9)).capitalize()]
        while links and self.rnd.random() < 0.6:
            parts.append(links.pop())
            parts.append(self._words(self.rnd.randint(2, 8)))
        return " ".join(parts) + "."

    def _cite(self) -> str:
        return (f"<ref>{{{{cite web |title={self._words(4).capitalize()} |url=https://example.org/"
                f"{word(self.rnd.randrange(10**6))} |access-date=2020-01-0{self.rnd.randint(1, 9)}}}}}</ref>")

    def _table(self) -> str:
        rows = "\n".join(f"|-\n| {self._words(1)} || {self.rnd.randint(1, 9999)} || {self._words(2)}"
                         for _ in range(self.rnd.randint(2, 6)))
        return f'{{| class="wikitable"\n! {self._words(1)} !! {self._words(1)} !! {self._words(1)}\n{rows}\n|}}'

    def article(self, i: int) -> str:
        """The wikitext of content article ``i``."""
        u = self.rnd.random()
        length = max(120, int(_draw(self.shape.length_q, u, log=True)))
        density = _draw(self.shape.density_q, self.rnd.random(), log=False)
        links = [self._link() for _ in range(int(length * density / 1000 + self.rnd.random()))]
        title = self.titles[i]
        out = []
        if length > 3000:
            out.append(f"{{{{Infobox {self.rnd.choice(self.QUALIFIERS)}\n| name = {title}\n"
                       f"| founded = {self.rnd.randint(1500, 2020)}\n| type = {self._words(2)}\n}}}}")
        lead = f"'''{title}''' is a {self._words(3)}"
        if self.alt.get(i) and self.rnd.random() < 0.5:
            lead += f", also known as '''{self.alt[i][0]}'''"
        out.append(lead + ". " + self._sentence(links) + (self._cite() if self.rnd.random() < 0.5 else ""))
        size = sum(map(len, out))
        section = 0
        while size < length or links:
            if self.rnd.random() < 0.15:
                section += 1
                out.append(f"\n== {self._words(2).capitalize()} ==")
            if self.rnd.random() < 0.03 and length > 5000:
                out.append(self._table())
            para = " ".join(self._sentence(links) for _ in range(self.rnd.randint(2, 6)))
            if self.rnd.random() < 0.4:
                para += self._cite()
            out.append(para)
            size += len(para) + 1
            if size > 4 * length and not links:
                break
        out.append("\n== References ==\n{{Reflist}}")
        out.append(f"[[Category:{self._words(2).capitalize()}]]")
        return "\n\n".join(out)

    def dab(self, members: list[int], head: str) -> str:
        lines = [f"'''{head}''' may refer to:"]
        lines += [f"* [[{self.titles[m]}]], a {self._words(3)}" for m in members]
        return "\n".join(lines) + "\n\n{{disambiguation}}"

    def pages(self) -> Iterator[tuple[str, str, str | None]]:
        """(title, wikitext, redirect target) of every page: articles, disambiguation pages, redirects."""
        for i in range(self.n_content):
            yield self.titles[i], self.article(i), None
        for title, members in self.dabs:
            yield title, self.dab(members, title[: -len(" (disambiguation)")]), None
        for name, target in self.redirects:
            yield name, f"#REDIRECT [[{self.titles[target]}]]", self.titles[target]


HEADER = """<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" version="0.10" xml:lang="en">
  <siteinfo>
    <sitename>Synthetipedia</sitename>
    <dbname>enwiki</dbname>
    <base>https://synthetic.example/wiki/Main_Page</base>
    <case>first-letter</case>
    <namespaces>
      <namespace key="0" case="first-letter" />
      <namespace key="10" case="first-letter">Template</namespace>
      <namespace key="14" case="first-letter">Category</namespace>
    </namespaces>
  </siteinfo>
"""


def write_dump(pages: int, out: Path, seed: int = 0, shape: Shape | None = None) -> dict:
    """Write the dump (bz2 when ``out`` ends in .bz2); what it holds."""
    gen = Generator(pages, seed, (shape or measure_shape()).scaled(MEAN_CHARS, MEAN_LINKS))
    opener = (lambda p: bz2.open(p, "wt", encoding="utf-8", compresslevel=6)) if out.suffix == ".bz2" \
        else (lambda p: open(p, "w", encoding="utf-8"))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    n = chars = 0
    with opener(tmp) as f:
        f.write(HEADER)
        for n, (title, text, target) in enumerate(gen.pages(), 1):
            chars += len(text)
            redirect = f'    <redirect title="{escape(target, {chr(34): "&quot;"})}" />\n' if target else ""
            f.write(f"  <page>\n    <title>{escape(title)}</title>\n    <ns>0</ns>\n    <id>{n}</id>\n{redirect}"
                    f"    <revision>\n      <id>{n}</id>\n      <timestamp>2026-01-01T00:00:00Z</timestamp>\n"
                    f"      <text xml:space=\"preserve\">{escape(text)}</text>\n    </revision>\n  </page>\n")
        f.write("</mediawiki>\n")
    tmp.replace(out)
    return {"pages": n, "articles": gen.n_content, "disambiguation": len(gen.dabs),
            "redirects": len(gen.redirects), "links": gen.links_done, "wikitext_chars": chars,
            "distinct_anchors": sum(len(x) for x in gen.names), "shape": gen.shape.source}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pages", type=int, nargs="?")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--stats", action="store_true", help="print the real samples' shape and exit")
    args = ap.parse_args(argv)
    if args.stats:
        s = measure_shape()
        print(f"{s.source}\nlength deciles: {s.length_q}\nlinks per 1,000 chars deciles: {s.density_q}\n"
              f"Heaps' law of anchors: V = {s.heaps_k} * n^{s.heaps_beta}")
        t = s.scaled(MEAN_CHARS, MEAN_LINKS)
        print(f"scaled to English Wikipedia's means ({MEAN_CHARS:,} characters, {MEAN_LINKS} links per article):"
              f"\nlength deciles: {[round(x) for x in t.length_q]}\n"
              f"links per 1,000 chars deciles: {[round(x, 2) for x in t.density_q]}")
        return 0
    if not args.pages or args.pages < 10 or args.out is None:
        print("Error: give PAGES (at least 10) and --out FILE.xml[.bz2]", file=sys.stderr)
        return 2
    info = write_dump(args.pages, args.out, args.seed)
    print(f"{args.out}: {info}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
