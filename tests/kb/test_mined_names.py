"""Candidates when anchors are thin: names mined from each article, and an aliases file.

A KB built from link-less JSONL written for the test; every kind of name
must make its entry a candidate of the surface.
"""

from __future__ import annotations

import gzip
import json

import pytest

import linkpedia
from linkpedia.errors import SourceFormatError
from linkpedia.kb.names import acronyms, demonyms, lead_names, mine_names, person_names, recase, short_title, symbols

ARTICLES = [
    {"title": "United States", "text": "The United States of America (USA), also known as the United States "
     "(U.S.) or America, is a country in North America. The U.S. is a federal republic."},
    {"title": "Federal Bureau of Investigation", "text": "The Federal Bureau of Investigation is the domestic "
     "intelligence service of the United States. The FBI was founded in 1908. Agents of the FBI ..."},
    {"title": "China", "text": "China is a country in East Asia. Chinese culture is old. The Chinese state "
     "and the Chinese language are described here. Beijing is its capital."},
    {"title": "Steve Jobs", "text": "Steven Paul Jobs (February 24, 1955 – October 5, 2011) was an American "
     "businessman. He founded Apple with Steve Wozniak. His company made the Macintosh, and he led it."},
    {"title": "Apple Inc.", "text": "Apple Inc. is an American technology company that makes the iPhone."},
    {"title": "Apple", "text": "An apple is a round fruit produced by an apple tree."},
    {"title": "Mercury (disambiguation)", "text": "Mercury may refer to: a planet, an element, a god."},
    {"title": "Mercury (planet)", "text": "Mercury is the smallest planet of the Solar System."},
    {"title": "Saddam Hussein", "text": "Saddam Hussein was president of Iraq."},
    # Wikipedia's text keeps the no-break space of "symbol&nbsp;B"
    {"title": "Boron", "text": "Boron is a chemical element with symbol\u00a0B and atomic number\u00a05."},
]


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    d = tmp_path_factory.mktemp("names")
    src = d / "articles.jsonl"
    src.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    aliases = d / "aliases.tsv.gz"
    with gzip.open(aliases, "wt", encoding="utf-8") as f:
        f.write("# alias<TAB>title, lower-cased as DBpedia's list is\nsaddam\tsaddam hussein\n"
                "the red planet\tno such page\nuncle sam\tunited states\n"
                # a list older than the KB: the page's name was a redirect to another spelling
                "saddam hussein\tsaddam-hussein\nsadam huseyn\tsaddam-hussein\n"
                # a page among a missing title's names, spelled otherwise: no name of it
                "apple\tapple pie\nstrudel\tapple pie\n")
    linkpedia.build_kb([src], d / "kb", options=linkpedia.BuildOptions(jobs=1, aliases=(str(aliases),)))
    return linkpedia.open_kb(d / "kb")


def titles(kb, surface):
    return [c.title for c in kb.candidates(surface)]


def test_lead_sentence_names_are_candidates(kb):
    assert "United States" in titles(kb, "USA")
    assert "United States" in titles(kb, "United States of America")
    assert "United States" in titles(kb, "America")
    assert titles(kb, "Steven Paul Jobs") == ["Steve Jobs"]


def test_acronyms_the_article_writes_are_candidates(kb):
    assert titles(kb, "FBI") == ["Federal Bureau of Investigation"]
    assert titles(kb, "F.B.I.") == ["Federal Bureau of Investigation"]
    assert "United States" in titles(kb, "U.S.")


def test_demonyms_and_a_persons_names_are_candidates(kb):
    assert titles(kb, "Chinese") == ["China"]
    assert titles(kb, "Jobs") == ["Steve Jobs"]
    assert titles(kb, "Steve") == ["Steve Jobs"]


def test_aliases_file_is_matched_case_insensitively_and_recased(kb):
    assert titles(kb, "Saddam") == ["Saddam Hussein"]
    assert titles(kb, "uncle sam") == ["United States"]
    assert titles(kb, "the red planet") == []  # its title is no page of the KB: left out
    assert ("Saddam", 1) in kb.entry("Saddam Hussein").surfaces


def test_a_missing_title_spelled_as_a_page_names_that_page(kb):
    assert titles(kb, "sadam huseyn") == ["Saddam Hussein"]
    assert titles(kb, "saddam-hussein") == ["Saddam Hussein"]
    assert titles(kb, "strudel") == [] and titles(kb, "apple pie") == []


def test_a_disambiguation_page_is_never_a_candidate(kb):
    assert kb.entry("Mercury (disambiguation)").is_disambiguation
    assert "Mercury (disambiguation)" not in titles(kb, "Mercury")
    assert titles(kb, "Mercury") == ["Mercury (planet)"]
    doc = kb.link("Mercury (disambiguation) and Mercury.")
    assert "Mercury (disambiguation)" not in {lk.title for lk in doc.links}


def test_weak_names_rank_below_full_names(kb):
    # "Apple" is the fruit's title; the company's short name is weak.
    assert titles(kb, "Apple")[0] == "Apple"


def test_a_bad_aliases_file_is_one_clear_error(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text(json.dumps(ARTICLES[0]) + "\n", encoding="utf-8")
    bad = tmp_path / "bad.tsv"
    bad.write_text("ok\tUnited States\nno tab here\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"bad.tsv \(line 2\): expected 'alias<TAB>title'"):
        linkpedia.build_kb([src], tmp_path / "kb", options=linkpedia.BuildOptions(jobs=1, aliases=(str(bad),)))
    assert not (tmp_path / "kb").exists()


# -- the mining rules on their own ---------------------------------------------------


def test_a_listed_name_is_the_whole_phrase_or_nothing():
    # "Ford" alone would make every Ford the algorithm's candidate, "Muslim" every Muslim the calendar.
    lead = "The Ford–Fulkerson method or Ford–Fulkerson algorithm (FFA) is a greedy algorithm."
    assert lead_names("Ford–Fulkerson algorithm", lead) == ["FFA"]
    lead = "The Hijri calendar, also known in English as the Islamic calendar or Muslim calendar, is a calendar."
    assert lead_names("Islamic calendar", lead) == []
    lead = "The Dow Jones Industrial Average, Dow Jones, or simply the Dow, is a stock market index."
    assert lead_names("Dow Jones Industrial Average", lead) == ["Dow Jones Industrial Average", "Dow"]


def test_lead_names_skip_sentence_openers_and_other_subjects():
    assert lead_names("Actor", "An actor is a person who acts.") == []
    assert lead_names("History of Iraq", "Iraq is a country with a long history.") == []
    assert "Lietuva" in lead_names("Lithuania", "Lithuania (Lithuanian: Lietuva) is a country.")


def test_an_official_name_of_the_lead_is_a_name():
    assert "French Republic" in lead_names("France", "France, officially the French Republic, is a country.")
    assert "Federal Republic of Germany" in lead_names(
        "Germany", "Germany, officially the Federal Republic of Germany (German: Bundesrepublik Deutschland), is a country.")


def test_a_later_sentence_of_the_lead_names_its_subject_by_pronoun():
    text = ("Der Ring des Nibelungen is a cycle of four operas by Richard Wagner. "
            "It is often referred to as the Ring Cycle, or simply the Ring.")
    assert lead_names("Der Ring des Nibelungen", text) == ["Ring Cycle", "Ring"]
    assert "Red Planet" in lead_names("Mars", 'Mars is the fourth planet. It is also known as the "Red Planet".')
    # another subject than the article's: "the diamond" is no pronoun for the film
    text = "The Pink Panther is a comedy film. The diamond is called the Pink Panther."
    assert lead_names("The Pink Panther", text) == []


def test_bold_phrases_of_a_wikitext_lead():
    wikitext = "'''Kaunas''' (also '''Kovno''') is the second-largest city in [[Lithuania]]."
    assert "Kovno" in lead_names("Kaunas", "Kaunas (also Kovno) is the second-largest city in Lithuania.", wikitext)


def test_acronyms_need_the_article_to_write_them():
    assert acronyms("North Atlantic Treaty Organization", "The alliance, NATO, was formed in 1949.") == [
        "NATO", "N.A.T.O."]  # one abbreviation, its periods optional
    assert acronyms("North Atlantic Treaty Organization", "The alliance was formed in 1949.") == []
    assert acronyms("British Airways", "BA flies. B.A. lands.") == ["BA", "B.A."]
    assert acronyms("British Airways", "BA flies.") == []  # two letters once say little
    # only where written on its own: not inside a word, nor after a period
    assert acronyms("North Atlantic Treaty Organization", "NATOs and X.NATO and NATO_x.") == []
    assert acronyms("North Atlantic Treaty Organization", "(NATO).") == ["NATO", "N.A.T.O."]


def test_demonyms_and_person_names():
    assert demonyms("Iraq", "Iraqi oil. Iraqi army. The Iraqi state. Iraq.") == ["Iraqi"]
    assert demonyms("Iraq", "Iraqi oil.") == []
    # irregular ones: most of the title, a few letters, a distinctive suffix
    norway = "Norway is a country. Norwegian is spoken. The Norwegian state. Norwegian oil."
    assert demonyms("Norway", norway) == ["Norwegian"]
    assert demonyms("Scotland", "Scottish law. Scottish clans. Scottish Gaelic.") == ["Scottish"]
    # a title of five letters keeps all but two: Spain -> Spanish; four are too few (Iraq is no "Iranian")
    assert demonyms("Spain", "Spanish wine. Spanish law. The Spanish state.") == ["Spanish"]
    assert demonyms("Iraq", "Iranian oil. Iranian army. The Iranian state.") == []
    # "English" shares too little of Englewood to be its people's name
    assert demonyms("Englewood", "English settlers. English law. English names.") == []
    assert person_names("Steve Jobs", "Steven Paul Jobs (born 1955) was a businessman. He ... his ... he") == [
        "Steve", "Jobs"]
    assert person_names("Dragon Ball", "Dragon Ball is a manga. He fights. His friend. He wins.") == []
    # No dates, no surname alone, but the lead names the subject in full: given names and surname.
    assert person_names("Donald Trump", "Donald John Trump is an American politician. As president, he "
                        "signed a law.") == ["Donald", "Trump"]
    assert recase("saddam", "Saddam Hussein") == "Saddam" and recase("the fed", "Federal Reserve") == "the fed"
    assert ("person", "Jobs") in mine_names("Steve Jobs", "Steve Jobs (1955–2011) was a man. He did; his; he.")


def test_an_abbreviation_in_parentheses_must_spell_the_subject():
    # "(US)" marks a spelling and "(CIV)" a numeral; neither names the subject.
    assert "US" not in lead_names("Skepticism", "Skepticism (US) or scepticism (UK) is a questioning attitude.")
    assert "CIV" not in lead_names("104", "Year 104 (CIV) was a leap year starting on Monday.")
    assert "WUSTL" in lead_names("Washington University in St. Louis",
                                 "Washington University in St. Louis (WUSTL) is a private university.")
    assert "Lietuva" in lead_names("Lithuania", "Lithuania (Lithuanian: Lietuva) is a country in Europe.")


def test_a_given_span_is_looked_up_without_possessive_and_qualifier(kb):
    assert titles(kb, "China's") == ["China"]
    assert titles(kb, "China, East Asia") == ["China"]
    assert titles(kb, "Jay-Steve") == []  # a hyphen is no qualifier


def test_a_title_without_its_trailing_abbreviation_is_a_weak_name(kb):
    assert short_title("Apple Inc.") == ["Apple"]
    assert short_title("Carter Harrison, Jr.") == ["Carter Harrison"]
    assert short_title("Boney M.") == []  # an initial is part of the name
    assert titles(kb, "Apple") == ["Apple", "Apple Inc."]  # the fruit's title first, the company by context


def test_a_parenthetical_abbreviation_must_abbreviate_the_subject():
    assert lead_names("Soviet Union", "The Soviet Union, officially the Union of Soviet Socialist Republics "
                      "(USSR), was a state.") == ["USSR", "Soviet Union", "Union of Soviet Socialist Republics"]
    # a spelling variant's label, and another name's abbreviation, are not the subject's names
    assert "US" not in lead_names("Industrialisation", "Industrialisation (UK) or industrialization (US) is "
                                  "the period of change.")
    assert "US" not in lead_names("National Academies", "The National Academies serve as the academy for "
                                  "the United States (US). They are old.")


def test_a_lower_case_span_reaches_only_full_names_with_its_letters(kb):
    # "steve" and "fbi" written lower-case are words, not a first name or an acronym
    assert titles(kb, "steve") == [] and titles(kb, "fbi") == []
    # a full name written lower-case still reaches its entry (titles and names begin with a capital)
    assert "United States" in titles(kb, "america")
    assert titles(kb, "china") == ["China"]


def test_a_leads_symbol_is_a_weak_name():
    assert symbols("Scandium", "Scandium is a chemical element with the symbol Sc and atomic number 21.") == ["Sc"]
    assert symbols("Joule", "The joule (symbol: J) is the unit of energy.") == ["J"]
    assert symbols("Flag", "A flag is a symbol, often of a state.") == []
    assert ("symbol", "Sc") in mine_names("Scandium", "Scandium is a chemical element with the symbol Sc.")
    assert symbols("Boron", "Boron is a chemical element with symbol\u00a0B and atomic number\u00a05.") == ["B"]


def test_a_single_character_given_as_a_span_is_looked_up(kb):
    # Never spotted (a letter, a pronoun), but a span given whole is a mention: "the elements B, Al".
    assert titles(kb, "B") == ["Boron"]
    text = "The first ionization energies of the elements B and Al differ."
    start = text.index("B ")
    assert [lk.title for lk in kb.link(text, mentions=[(start, start + 1)]).links] == ["Boron"]
    assert all(lk.surface != "B" for lk in kb.link(text).links)  # found, not given: never a link


def test_a_lead_that_spells_out_an_initial_makes_a_biography():
    text = "George Walker Bush is an American politician who was president. He was born in Connecticut; his father"
    assert person_names("George W. Bush", text) == ["George", "Bush"]


def test_a_plain_disambiguation_page_may_name_another_form_first():
    from linkpedia.kb.extract import _plain_disambiguation

    assert _plain_disambiguation("Dow", "Dow, or the acronym DOW, may refer to:")
    assert _plain_disambiguation("Joel", "Joel or Yoel may refer to:")
    assert _plain_disambiguation("Mercury", "Mercury may refer to: a planet, an element, a god.")
    # An article that says what its subject can mean, after a comma that is no other form of it.
    assert not _plain_disambiguation("Rabbinic literature",
                                     "Rabbinic literature, in its broadest sense, can mean the entire spectrum.")
    assert not _plain_disambiguation("Paris", "Paris is the capital of France. It may refer to the city.")
