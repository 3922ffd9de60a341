"""Properties of ``convert`` on arbitrary and adversarial input.

Whatever goes in, ``convert`` returns, fast, with offsets that index its own
text, and with text shaped as documented (paragraphs separated by exactly one
blank line, single spaces). Simple links keep their anchors exactly.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkpedia.wikitext import Converted, convert, normalize_title, parse_redirect

FRAGMENTS = [
    "[[", "]]", "[", "]", "{{", "}}", "{", "}", "|", "||", "=", "==", "\n", "\n\n", " ", "\t",
    "[[File:", "[[Category:", "[[:Category:", "[[de:", "[[wikt:", "[[#", "#", "*", ":", ";",
    "<ref>", "</ref>", "<ref name=x/>", "<ref name=\"y\">", "<!--", "-->", "{|", "|}", "|-",
    "'''", "''", "'", "<nowiki>", "</nowiki>", "<math>", "</math>", "<b>", "</b>", "<br/>",
    "<span title=\"", "\">", "&amp;", "&nbsp;", "&#91;", "&#x5D;", "&", ";", "__TOC__",
    "[http://x.org", "[http://x.org label]", "----", "Foo", "bar", "Ünï", "йо", "ß", "1990",
    "_", "(", ")", ",", "\u00a0", "\u3000", "\ue0f1", "\ue0f2", "\ue0f3", "\ue0c1", "\r\n",
]

wikitext_from_fragments = st.lists(st.sampled_from(FRAGMENTS), max_size=120).map("".join)


def check_shape(result: Converted) -> None:
    text = result.text
    assert isinstance(text, str)
    assert "\n\n\n" not in text
    assert text == text.strip()
    for paragraph in text.split("\n\n") if text else []:
        assert paragraph and paragraph == paragraph.strip() and "\n" not in paragraph
        assert "  " not in paragraph
        assert all(c == " " or not c.isspace() for c in paragraph)
    previous_end = 0
    for link in result.links:
        assert previous_end <= link.start < link.end <= len(text)
        anchor = text[link.start : link.end]
        assert anchor == anchor.strip() and "\n" not in anchor
        assert link.target and normalize_title(link.target) == link.target
        previous_end = link.end
    assert all(result.categories) and all(result.templates)


FAST = dict(deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=300, **FAST)
@given(st.text(max_size=400))
def test_arbitrary_text(text):
    check_shape(convert(text))


@settings(max_examples=400, **FAST)
@given(wikitext_from_fragments)
def test_adversarial_markup(text):
    check_shape(convert(text))


word = st.text(alphabet="abcxyzABCéжЯß", min_size=1, max_size=8)
phrase = st.lists(word, min_size=1, max_size=3).map(" ".join)
target = st.text(alphabet="abXY09_ é", min_size=1, max_size=12).filter(normalize_title)
segment = st.one_of(
    word.map(lambda w: (w, w, None)),
    st.tuples(target, phrase).map(lambda tp: (f"[[{tp[0]}|{tp[1]}]]", tp[1], tp)),
    target.map(lambda t: (f"[[{t}]]", " ".join(t.split()), (t, t))),
    st.tuples(target, phrase).map(lambda tp: (f"'''[[{tp[0]}|{tp[1]}]]'''", tp[1], tp)),
    st.just(("{{cite web|url=http://x.org|title=[[Ignored]]}}", "", None)),
    st.just(("<ref>note [[Ignored]]</ref>", "", None)),
    st.just(("[[File:x.png|thumb|[[Ignored]] caption]]", "", None)),
    st.just(("[[Category:Ignored]]", "", None)),
)


@settings(max_examples=200, deadline=timedelta(seconds=2))
@given(st.lists(st.tuples(segment, st.sampled_from([" ", " ", "\n", "\n\n"])), max_size=30))
def test_simple_links_keep_their_anchors(pieces):
    wikitext = "".join(markup + sep for (markup, _, _), sep in pieces)
    result = convert(wikitext)
    check_shape(result)
    expected = [
        (shown, normalize_title(link[0])) for (_, shown, link), _ in pieces if link is not None
    ]
    assert [(result.text[x.start : x.end], x.target) for x in result.links] == expected
    # The text is the visible words in order, whatever the spacing.
    visible = " ".join(shown for (_, shown, _), _ in pieces if shown)
    assert result.text.split() == visible.split()


ADVERSARIAL = {
    "nested_braces": "{{" * 10_000 + "x" + "}}" * 10_000,
    "open_braces": "{{" * 50_000,
    "nested_links": "[[" * 10_000 + "x" + "]]" * 10_000,
    "nested_piped_links": "[[a|" * 10_000 + "x" + "]]" * 10_000,
    "unclosed_links": "[[a|" * 50_000,
    "nested_files": "[[File:x|" * 5_000 + "]]" * 5_000,
    "unclosed_refs": "<ref>" * 50_000,
    "unclosed_math": "<math>" * 20_000,
    "unclosed_comment": "text <!--" + " never closed" * 50_000,
    "open_tables": "{|\n" * 50_000,
    "quotes": "'" * 200_000,
    "single_braces": "{" * 100_000 + "}" * 100_000,
    "brackets": "[" * 100_000 + "]" * 100_000,
    "ext_links": "[http://x " * 50_000,
    "entities": "&#" * 100_000 + "&amp;" * 50_000,
    "tags_without_end": "<b " * 50_000,
    "huge_line": "word " * 600_000,
    "huge_link_target": "[[" + "a" * 1_000_000,
    "spaces_and_newlines": " \n" * 500_000,
    "tag_then_spaces": "<" + " " * 100_000 + "b",
    "closing_tag_then_spaces": "<ref>x</" + " " * 100_000 + "ref",
    "link_then_spaces": "[[" + " " * 100_000,
    "template_then_pipes": "{{" + "a" * 100_000 + "|" * 100_000,
    "line_of_spaces": "\n" + " " * 200_000 + "x\n",
}


def test_redirect_with_long_whitespace_is_fast():
    started = time.perf_counter()
    assert parse_redirect("#REDIRECT" + " " * 100_000 + "x") is None
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_inputs_finish_fast(name):
    text = ADVERSARIAL[name]
    started = time.perf_counter()
    result = convert(text)
    elapsed = time.perf_counter() - started
    check_shape(result)
    assert elapsed < 5, f"{name}: {elapsed:.2f}s for {len(text):,} characters"


def test_time_grows_linearly():
    unit = (
        "[[a|b]] {{c|[[d]]}} <ref>e</ref> '''f''' [http://g h] &amp; [[File:x|[[y]]]]\n"
        "* i\n== j ==\n"
    )

    def best(text: str) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            convert(text)
            times.append(time.perf_counter() - started)
        return min(times)

    small, large = best(unit * 2_000), best(unit * 16_000)
    assert large < 8 * small * 2.5 + 0.05, (small, large)
