"""The two mention modes: ``entities`` finds named entities without links; ``wikipedia`` what editors link.

The KB is built from link-less JSONL written for the test, so the only
evidence is the articles' own text: how they write each name.
"""

from __future__ import annotations


import pytest
from conftest import jsonl_kb

import linkpedia
from linkpedia.errors import InputError

ARTICLES = {
    "Germany": "Germany is a country in Central Europe. Germany borders France. Its capital is Berlin.",
    "France": "France is a country in Western Europe. The capital of France is Paris.",
    "Paris": "Paris is the capital of France. Paris lies on the Seine. Many visit Paris in winter.",
    "Berlin": "Berlin is the capital of Germany. Berlin has many museums.",
    "Ukraine": "Ukraine is a country in Eastern Europe. Its capital is Kyiv. Ukraine borders Poland.",
    "NATO": "NATO is a military alliance. Members of NATO include France and Germany.",
    "Volkswagen": "Volkswagen is a car maker from Germany. Volkswagen builds cars in many countries.",
    "Winter": "Winter is the coldest season of the year. In winter, days are short. A cold winter "
              "follows autumn, and winter ends in spring. Snow falls in winter.",
    "Trade": "Trade is the exchange of goods. Trade between countries is called international trade; "
             "trade grows when barriers fall. Free trade is debated.",
    "Monday": "Monday is the day of the week between Sunday and Tuesday. Shops open on Monday. The court met "
              "on Monday and again last Monday; every Monday the market is held. Monday follows Sunday.",
    "March": "March is the third month of the year. The treaty was signed on 5 March 1920; the war ended in "
             "March 1945. Spring begins in March. Elections were held on 12 March. March has 31 days.",
    "Steve Jobs": "Steven Paul Jobs was an American businessman who founded Apple Computer. He built the "
                  "Macintosh computer; his company Apple later made the iPhone. Jobs returned to Apple in 1997.",
    "Macintosh": "The Macintosh is a personal computer made by Apple. Apple sold the first Macintosh computer "
                 "in 1984; the computer had a mouse.",
    "Year": "A year is the time the Earth takes to orbit the Sun. A year has twelve months; each year "
            "begins in January. A leap year has one more day.",
}

PARAGRAPH = ("Ministers from Germany, France and Ukraine met in Paris on Monday. NATO officials said "
             "trade with Volkswagen would grow this year, despite a hard winter.")


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return jsonl_kb(tmp_path_factory.mktemp("modes"), ARTICLES)


def test_entities_mode_links_the_named_entities_of_a_link_less_kb(kb):
    doc = kb.link(PARAGRAPH, mode="entities")
    linked = {lk.surface: lk.title for lk in doc.links}
    assert linked == {"Germany": "Germany", "France": "France", "Ukraine": "Ukraine", "Paris": "Paris",
                      "NATO": "NATO", "Volkswagen": "Volkswagen"}


def test_entities_mode_leaves_common_words_alone(kb):
    doc = kb.link(PARAGRAPH, mode="entities", threshold=0.2)
    assert not {"trade", "year", "winter"} & {lk.surface.lower() for lk in doc.links}
    # Capitalized at a sentence's start, a common word is still a common word: the KB writes it lower-case.
    doc = kb.link("Winter came early. Trade fell. Paris was cold.", mode="entities")
    assert [lk.surface for lk in doc.links] == ["Paris"]


def test_a_part_of_a_longer_name_or_a_date_is_not_linked_alone(kb):
    doc = kb.link("She studied at Paris Dauphine University and came back in March 2004. "
                  "President Berlin-Smith left.", mode="entities")
    assert "Paris" not in {lk.surface for lk in doc.links}


def test_months_and_weekdays_are_time_expressions_not_entities(kb):
    # Capitalized like names; the articles use them as times ("on Monday", "5 March").
    doc = kb.link("Ministers met in Paris on Monday and will meet again in March.", mode="entities")
    assert [lk.surface for lk in doc.links] == ["Paris"]


def test_a_lone_surname_needs_its_text_to_speak_of_that_person(kb):
    about = kb.link("At the launch, Jobs showed the new Apple computer and the Macintosh.", mode="entities")
    assert ("Jobs", "Steve Jobs") in [(lk.surface, lk.title) for lk in about.links]
    other = kb.link("The council said Jobs would be created in the harbour of Berlin.", mode="entities")
    assert "Jobs" not in {lk.surface for lk in other.links}


def test_headlines_and_datelines_fall_back_on_how_the_kb_writes_names(kb):
    doc = kb.link("PARIS — GERMANY AND FRANCE SIGN A TRADE DEAL\nThe deal was signed today.", mode="entities")
    assert {lk.title for lk in doc.links} == {"Paris", "Germany", "France"}


def test_the_two_modes_differ_as_documented(kb):
    # A KB without links knows no link probabilities: wikipedia mode trusts only
    # capitalized names (and a hand-set scorer); entities mode judges each span by case.
    wiki = kb.link(PARAGRAPH, mode="wikipedia")
    ents = kb.link(PARAGRAPH, mode="entities")
    assert kb.link(PARAGRAPH) == wiki  # the default mode is wikipedia
    assert {lk.surface for lk in ents.links} >= {"Germany", "France", "Paris"}
    assert ents != wiki
    assert kb.link_many([PARAGRAPH, "Berlin and Paris."], mode="entities") == [
        ents, kb.link("Berlin and Paris.", mode="entities")]


def test_given_spans_ignore_the_mode(kb):
    spans = [(PARAGRAPH.index("trade"), PARAGRAPH.index("trade") + 5)]
    assert kb.link(PARAGRAPH, mentions=spans, mode="entities") == kb.link(PARAGRAPH, mentions=spans)


def test_an_unknown_mode_is_one_clear_error(kb):
    with pytest.raises(InputError, match="unknown mention mode 'names' — use one of: wikipedia, entities"):
        kb.link("Paris", mode="names")


def test_info_says_what_each_mode_rests_on_and_which_suits_the_kb(kb, sample_kb):
    modes = kb.info()["mention_modes"]
    assert modes["suits"] == "entities (no source has links)"
    assert "hand-set default weights" in modes["wikipedia"] and "no links needed" in modes["entities"]
    linked = linkpedia.open_kb(sample_kb).info()["mention_modes"]
    assert linked["suits"].startswith("wikipedia")


# -- a text's lines are judged once, as the plain definition judges them --------------

from hypothesis import given, strategies as st  # noqa: E402

from linkpedia.link.mentions import Lines, is_shouted  # noqa: E402


def shouted_by_definition(text, start, end):
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start:line_end if line_end >= 0 else len(text)]
    written = text[start:end]
    if len(written) > 1 and written.isupper():  # shouted where a neighbouring word is in capitals too
        before = text[:start].rstrip(" ").rsplit(" ", 1)[-1] if text[:start].endswith(" ") else ""
        after = text[end:].lstrip(" ").split(" ", 1)[0] if text[end:].startswith(" ") else ""
        return any(len(w) > 1 and w.isalpha() and w.isupper() for w in (before, after))
    words = [w for w in line.split() if w[:1].isalpha()]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


@given(st.lists(st.sampled_from(["Paris", "paris", "THE", "news", "\n", " ", "Big", "and", "X"]), max_size=40)
       .map(" ".join), st.data())
def test_line_judgement_matches_the_definition(text, data):
    if not text:
        return
    lines = Lines(text)
    start = data.draw(st.integers(0, len(text) - 1))
    line_end = text.find("\n", start)
    if line_end == start:
        return
    end = data.draw(st.integers(start + 1, len(text) if line_end < 0 else line_end))  # spots keep to a line
    assert is_shouted(text, start, end, lines) == shouted_by_definition(text, start, end)


def test_a_line_break_ends_a_run_of_capitals():
    # The capitals before a line break are another line's: "$" had matched before it.
    text = "NEW YORK \nUS officials met."
    start = text.index("US")
    assert not is_shouted(text, start, start + 2)
    assert is_shouted("NEW YORK - US officials met.", 11, 13)


def test_given_spans_are_linked_whenever_they_have_a_candidate(kb):
    import re

    spans = [m.span() for m in re.finditer(r"\w+", PARAGRAPH)]
    with_candidates = {s for s in spans if kb.candidates(PARAGRAPH[s[0]:s[1]])}
    assert len(with_candidates) >= 8  # Germany, France, ..., winter, trade, year
    doc = kb.link(PARAGRAPH, mentions=spans)
    # D2KB: a known mention is linked to its best candidate unless NIL wins (best under 0.1).
    assert {(lk.start, lk.end) for lk in doc.links} == with_candidates


def test_a_common_word_capitalized_inside_a_name_is_part_of_it(kb):
    # "Winter" after "Trade" is a word of a longer name the KB lacks, not the season.
    doc = kb.link("He moved to Berlin in 1990 and joined the Trade Winter as its editor.", mode="entities",
                  threshold=0.2)
    assert [lk.surface for lk in doc.links] == ["Berlin"]


def test_a_given_span_that_cuts_a_word_is_looked_up_whole(kb):
    text = "Ministers met in Paris."
    doc = kb.link(text, mentions=[(text.index("Paris") + 1, text.index("Paris") + 5)])
    assert [lk.title for lk in doc.links] == ["Paris"]
