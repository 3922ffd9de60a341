"""What a wiki calls its namespaces and magic words.

A Bulgarian dump writes ``[[Файл:...]]`` and ``[[Категория:...]]``; the
converter must drop those just like ``[[File:...]]``. Readers fill a
``SiteInfo`` from the dump's ``<siteinfo>``; the English defaults cover
sources that carry none (WikiExtractor, JSONL).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["SiteInfo", "DEFAULT_SITE"]

_EN_FILE = ("file", "image", "media")
_EN_CATEGORY = ("category",)
_EN_OTHER = (
    "talk", "user", "user talk", "wikipedia", "wikipedia talk", "project", "file talk",
    "mediawiki", "mediawiki talk", "template", "template talk", "help", "help talk",
    "category talk", "portal", "portal talk", "draft", "draft talk", "module", "module talk",
    "special", "wp", "wikt", "wiktionary", "s", "wikisource", "q", "wikiquote", "b",
    "wikibooks", "n", "wikinews", "v", "wikiversity", "voy", "wikivoyage", "d", "wikidata",
    "c", "commons", "m", "meta", "mw", "species", "w", "wikipedia", "meta", "user",
    "timedtext", "book", "education program", "gadget", "gadget definition", "topic",
)
_EN_REDIRECT = ("#redirect",)
_DISAMBIG_TEMPLATES = (
    "disambiguation", "disambig", "dab", "disamb", "hndis", "geodis", "surname",
    "given name", "set index article", "sia", "shipindex", "mountainindex",
    "place name disambiguation", "disambiguation cleanup", "school disambiguation",
    "human name disambiguation", "letter-number combination disambiguation",
    "roaddis", "hospitaldis", "mathdab", "numberdis", "call sign disambiguation",
    # Bulgarian and a few other languages' names for the same template
    "пояснение", "многозначност", "begriffsklärung", "homonymie", "disambigua",
    "desambiguación", "неоднозначность", "ujednoznacznienie",
)
# Aliases a dump's <siteinfo> does not list but its pages use: bgwiki still
# writes [[Картинка:...]] for files, and redirects say "#пренасочване".
_LANG_EXTRAS: dict[str, dict[str, tuple[str, ...]]] = {
    "bg": {
        "file": ("файл", "картинка", "изображение", "медия"),
        "category": ("категория",),
        "other": (
            "беседа", "потребител", "потребителка", "потребител беседа", "уикипедия",
            "уикипедия беседа", "у", "уп", "файл беседа", "медияуики", "медияуики беседа",
            "шаблон", "шаблон беседа", "помощ", "помощ беседа", "категория беседа", "портал",
            "портал беседа", "модул", "модул беседа", "специални",
        ),
        "redirect": ("#пренасочване", "#виж"),
    },
}


@dataclass(frozen=True)
class SiteInfo:
    """Namespace prefixes (lower-case, no colon) and magic words of one wiki."""

    lang: str = "en"
    dbname: str | None = None
    base: str | None = None  # <siteinfo><base>: the main page's URL
    file_prefixes: frozenset[str] = field(default_factory=lambda: frozenset(_EN_FILE))
    category_prefixes: frozenset[str] = field(default_factory=lambda: frozenset(_EN_CATEGORY))
    other_prefixes: frozenset[str] = field(default_factory=lambda: frozenset(_EN_OTHER))
    redirect_words: frozenset[str] = field(default_factory=lambda: frozenset(_EN_REDIRECT))
    disambiguation_templates: frozenset[str] = field(
        default_factory=lambda: frozenset(_DISAMBIG_TEMPLATES)
    )

    def merged(
        self,
        *,
        lang: str | None = None,
        dbname: str | None = None,
        base: str | None = None,
        file_prefixes: tuple[str, ...] = (),
        category_prefixes: tuple[str, ...] = (),
        other_prefixes: tuple[str, ...] = (),
        redirect_words: tuple[str, ...] = (),
    ) -> "SiteInfo":
        """A copy that also knows a dump's localized names (English ones stay valid).

        Naming a ``lang`` with known extra aliases (see ``_LANG_EXTRAS``) adds those too.
        """

        def low(xs: tuple[str, ...]) -> frozenset[str]:
            return frozenset(x.strip().lower() for x in xs if x.strip())

        extras = _LANG_EXTRAS.get((lang or self.lang or "").lower(), {})
        file_prefixes += extras.get("file", ())
        category_prefixes += extras.get("category", ())
        other_prefixes += extras.get("other", ())
        redirect_words += extras.get("redirect", ())

        return SiteInfo(
            lang=lang or self.lang,
            dbname=dbname or self.dbname,
            base=base or self.base,
            file_prefixes=self.file_prefixes | low(file_prefixes),
            category_prefixes=self.category_prefixes | low(category_prefixes),
            other_prefixes=self.other_prefixes | low(other_prefixes),
            redirect_words=self.redirect_words | low(redirect_words),
            disambiguation_templates=self.disambiguation_templates,
        )


DEFAULT_SITE = SiteInfo()
