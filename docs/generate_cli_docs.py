"""Write docs/cli.md from the real ``--help`` of every command (run after changing the CLI).

    .venv/bin/python docs/generate_cli_docs.py

tests/test_docs.py fails when the file is out of date or a command is missing.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from linkpedia.cli import cli

OUT = Path(__file__).with_name("cli.md")


def render() -> str:
    runner = CliRunner()
    parts = ["# Command-line reference\n",
             "Generated from `linkpedia COMMAND --help` by `docs/generate_cli_docs.py`.\n"]
    for name in ["(main)", *sorted(cli.list_commands(None))]:
        args = ["--help"] if name == "(main)" else [name, "--help"]
        out = runner.invoke(cli, args, prog_name="linkpedia", terminal_width=100).output
        title = "linkpedia" if name == "(main)" else f"linkpedia {name}"
        parts.append(f"## {title}\n\n```\n{out.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
