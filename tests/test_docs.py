"""The docs tell the truth: the CLI reference matches the real --help, every
command has help ending with an example, and the README opens with the setup."""

from __future__ import annotations

import importlib.util

from click.testing import CliRunner

from linkpedia.cli import cli

from conftest import REPO


def _generator():
    spec = importlib.util.spec_from_file_location("gen", REPO / "docs" / "generate_cli_docs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_cli_reference_is_current():
    gen = _generator()
    assert (REPO / "docs" / "cli.md").read_text(encoding="utf-8") == gen.render(), \
        "docs/cli.md is stale: run .venv/bin/python docs/generate_cli_docs.py"


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    for name in cli.list_commands(None):
        out = runner.invoke(cli, [name, "--help"]).output
        assert "Example:" in out, name
        assert (REPO / "docs" / "cli.md").read_text().count(f"## linkpedia {name}\n") == 1


def test_readme_opens_with_the_two_setup_commands():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    head = text[: text.index("## Using it")]
    assert "make demo" in head and "make test" in head
