"""The converter against the data corpus in ``cases/*.txt`` (broken markup included).

Each file holds blocks::

    %% case: NAME
    %% input
    wikitext...
    %% text
    expected plain text...
    %% links            (optional; "anchor -> Target" per line, in text order)
    %% categories       (optional; one per line)
    %% templates        (optional; one per line)
    %% site             (optional; "bg" for Bulgarian namespace names)

A section's lines are joined with "\\n"; trailing blank lines are ignored.
Lines before the first case are the file's description.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from linkpedia.wikitext import DEFAULT_SITE, convert

CASES_DIR = Path(__file__).parent / "cases"
SECTIONS = {"input", "text", "links", "categories", "templates", "site"}


@dataclass
class Case:
    name: str
    sections: dict[str, str]


def load_cases(path: Path) -> list[Case]:
    raw: list[tuple[str, dict[str, list[str]]]] = []
    section = None
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if line.startswith("%% case:"):
            raw.append((line[len("%% case:") :].strip(), {}))
            section = None
        elif line.startswith("%% ") and raw:
            section = line[3:].strip()
            assert section in SECTIONS, f"{path.name}:{number}: unknown section {section!r}"
            raw[-1][1][section] = []
        elif section is not None:
            raw[-1][1][section].append(line)
    cases = []
    for name, sections in raw:
        joined = {key: "\n".join(lines).rstrip("\n") for key, lines in sections.items()}
        cases.append(Case(name, joined))
    return cases


ALL_CASES = [
    pytest.param(case, id=f"{path.stem}:{case.name}")
    for path in sorted(CASES_DIR.glob("*.txt"))
    for case in load_cases(path)
]


def test_corpus_is_well_formed():
    names = [param.id for param in ALL_CASES]
    assert len(names) >= 60
    assert len(names) == len(set(names)), "case names must be unique within a file"
    for param in ALL_CASES:
        case = param.values[0]
        assert {"input", "text"} <= case.sections.keys(), param.id


@pytest.mark.parametrize("case", ALL_CASES)
def test_case(case: Case):
    s = case.sections
    site = DEFAULT_SITE.merged(lang="bg") if s.get("site", "").strip() == "bg" else DEFAULT_SITE
    result = convert(s["input"], site)
    assert result.text == s["text"]
    got_links = [f"{result.text[link.start:link.end]} -> {link.target}" for link in result.links]
    expected_links = s["links"].split("\n") if s.get("links") else []
    assert got_links == expected_links
    if "categories" in s:
        assert result.categories == (s["categories"].split("\n") if s["categories"] else [])
    if "templates" in s:
        assert result.templates == (s["templates"].split("\n") if s["templates"] else [])
    for link in result.links:
        assert 0 <= link.start < link.end <= len(result.text)
