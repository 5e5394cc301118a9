"""The documentation covers the command line and the output tables (after sqlite-utils'
tests/test_docs.py).

* every command and sub-command has a help text and is documented in README.md or
  docs/cli.md (a heading, or a code span ``waardenscan <command>``);
* every ``--long-option`` of every command appears in README.md or docs/*.md, and
  docs/cli.md lists each option of a command in that command's section;
* every column of every table in :data:`analyzer.schemas.ALL_TABLES` is described in
  docs/outputs.md, in the section whose heading names the table's file, as a code span
  `` `column` `` or a table row starting with it (a row's type cell, if any, must be the
  schema's dtype); the "Types" section names every dtype.

The parser is walked and the Markdown read, nothing is run: about 1-2 s with pytest start-up.
"""

from __future__ import annotations

import argparse
import functools
import re
from pathlib import Path

import pytest

from analyzer import schemas
from analyzer.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
CLI_MD = DOCS / "cli.md"
OUTPUTS_MD = DOCS / "outputs.md"
PROG = "waardenscan"


# --- Markdown, read just enough ---------------------------------------------------------

@functools.cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _without_fences(text: str) -> list[str]:
    """The lines of a Markdown text outside fenced code blocks."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


@functools.cache
def sections(text: str) -> tuple[tuple[str, str], ...]:
    """(heading, body) of every heading; a body runs to the next heading of the same or a
    higher level (so it includes its sub-sections)."""
    lines = _without_fences(text)
    heads = [(i, len(m.group(1)), m.group(2)) for i, line in enumerate(lines) if (m := _HEADING.match(line))]
    out = []
    for k, (i, level, title) in enumerate(heads):
        end = next((j for j, lv, _ in heads[k + 1:] if lv <= level), len(lines))
        out.append((title, "\n".join(lines[i + 1:end])))
    return tuple(out)


def headings(text: str) -> list[str]:
    return [title for title, _ in sections(text)]


@functools.cache
def code_spans(text: str) -> tuple[str, ...]:
    """Inline code spans (outside fenced blocks), whitespace normalised."""
    body = "\n".join(_without_fences(text))
    return tuple(" ".join(m.group(2).split()) for m in re.finditer(r"(`+)(.+?)\1", body, re.DOTALL))


def table_rows(text: str) -> list[list[str]]:
    """Cells of the Markdown table rows of a text (header and separator rows included)."""
    rows = []
    for line in _without_fences(text):
        line = line.strip()
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


# --- the command line -------------------------------------------------------------------

def walk(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(command path, parser, help text, names of its sub-commands) of every sub-command."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {a.dest: a.help for a in action._choices_actions}
        for name, sub in action.choices.items():
            yield (*path, name), sub, helps.get(name), _subcommands(sub)
            yield from walk(sub, (*path, name))


def _subcommands(parser: argparse.ArgumentParser) -> set[str]:
    return {name for a in parser._actions if isinstance(a, argparse._SubParsersAction) for name in a.choices}


def option_strings(parser: argparse.ArgumentParser, *, long_only: bool = True) -> list[str]:
    out = []
    for action in parser._actions:
        for opt in action.option_strings:
            if opt in ("-h", "--help") or (long_only and not opt.startswith("--")):
                continue
            out.append(opt)
    return out


PARSER = build_parser()
COMMANDS = list(walk(PARSER))
"""(path, parser, help, sub-command names) of every command below ``waardenscan``."""
PARSERS = [((), PARSER, _subcommands(PARSER)), *[(p, sub, names) for p, sub, _, names in COMMANDS]]
"""(path, parser, sub-command names) of ``waardenscan`` itself and every command."""
PARSER_IDS = [" ".join(path) or PROG for path, _, _ in PARSERS]


def names_command(text: str, path: tuple[str, ...], subcommands: set[str]) -> bool:
    """Does a heading or code span name exactly this command (and not one of its
    sub-commands, which have their own entry)?"""
    text = text.replace("`", " ")
    tokens = re.findall(r"[^\s:;,.()\[\]]+", text)
    if tokens[:1] == [PROG]:
        tokens = tokens[1:]
    n = len(path)
    return tokens[:n] == list(path) and (len(tokens) == n or tokens[n] not in subcommands)


def command_sections(text: str, path: tuple[str, ...], subcommands: set[str]) -> list[str]:
    return [body for title, body in sections(text) if names_command(title, path, subcommands)]


def option_pattern(option: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(option)}(?![\w-])")


def _ids(path: tuple[str, ...]) -> str:
    return " ".join(path) or PROG


def test_the_parser_has_commands():
    assert len(COMMANDS) >= 10  # a broken walk would make every test below vacuous
    assert {("lexicon", "check"), ("model", "train")} <= {p for p, *_ in COMMANDS}
    assert PARSER.description


@pytest.mark.parametrize("path,sub,help_text,subcommands", COMMANDS, ids=[_ids(c[0]) for c in COMMANDS])
def test_commands_have_help(path, sub, help_text, subcommands):
    assert help_text and help_text.strip(), f"waardenscan {' '.join(path)} has no help text"


@pytest.mark.parametrize("path,sub,help_text,subcommands", COMMANDS, ids=[_ids(c[0]) for c in COMMANDS])
def test_commands_are_documented(path, sub, help_text, subcommands):
    found = False
    for doc in (README, CLI_MD):
        text = _read(doc)
        found = found or any(names_command(h, path, subcommands) for h in headings(text))
        found = found or any(names_command(s, path, subcommands) for s in code_spans(text)
                             if s.split()[:1] == [PROG])
    assert found, f"`waardenscan {' '.join(path)}` is documented neither in README.md nor in docs/cli.md"


@pytest.mark.parametrize("path,sub,subcommands", PARSERS, ids=PARSER_IDS)
def test_options_are_documented(path, sub, subcommands):
    texts = [_read(README), *(_read(p) for p in sorted(DOCS.glob("*.md")))]
    missing = [opt for opt in option_strings(sub) if not any(option_pattern(opt).search(t) for t in texts)]
    assert not missing, f"options of `{_ids(path)}` in neither README.md nor docs/*.md: {missing}"


@pytest.mark.parametrize("path,sub,subcommands", PARSERS, ids=PARSER_IDS)
def test_cli_reference_lists_every_option_of_its_command(path, sub, subcommands):
    options = option_strings(sub, long_only=False)
    bodies = command_sections(_read(CLI_MD), path, subcommands)
    assert bodies or not options, f"docs/cli.md has no section for `{_ids(path)}`"
    missing = [opt for opt in options if not any(option_pattern(opt).search(b) for b in bodies)]
    assert not missing, f"docs/cli.md does not list {missing} under `{_ids(path)}`"


# --- the output tables ------------------------------------------------------------------

def table_sections(table: schemas.Table) -> list[str]:
    name = re.compile(rf"(?<![\w.]){re.escape(table.file)}(?!\w)")
    return [body for title, body in sections(_read(OUTPUTS_MD)) if name.search(title)]


def _type_column(rows: list[list[str]]) -> int | None:
    for cells in rows:
        lowered = [c.strip("`* ").lower() for c in cells]
        if "type" in lowered:
            return lowered.index("type")
    return None


def undocumented(table: schemas.Table, bodies: list[str]) -> tuple[list[str], list[str]]:
    """Columns of a table not described in its sections, and table rows whose type cell is
    not the schema's dtype."""
    found: set[str] = set()
    wrong: list[str] = []
    dtypes = dict(table.columns)
    for body in bodies:
        rows = table_rows(body)
        type_at = _type_column(rows)
        for cells in rows:
            column = cells[0].strip("`") if cells else ""
            if column not in dtypes:
                continue
            found.add(column)
            if type_at is not None and type_at < len(cells) and cells[type_at].strip("` ") != dtypes[column]:
                wrong.append(f"`{column}` is {dtypes[column]}, documented as {cells[type_at]}")
        found.update(set(code_spans(body)) & set(dtypes))
    return [c for c in table.names if c not in found], wrong


@pytest.mark.parametrize("table", schemas.ALL_TABLES, ids=[t.file for t in schemas.ALL_TABLES])
def test_columns_are_documented(table):
    bodies = table_sections(table)
    assert bodies, f"docs/outputs.md has no heading naming {table.file}"
    missing, wrong = undocumented(table, bodies)
    assert not missing, f"columns of {table.file} not described in its section of docs/outputs.md: {missing}"
    assert not wrong, f"docs/outputs.md, {table.file}: " + "; ".join(wrong)


def test_types_are_documented():
    bodies = [body for title, body in sections(_read(OUTPUTS_MD)) if title.strip().lower() == "types"]
    assert bodies, "docs/outputs.md has no 'Types' section"
    spans = set(code_spans(bodies[0]))
    used = {dtype for table in schemas.ALL_TABLES for _, dtype in table.columns}
    missing = sorted(used - spans)
    assert not missing, f"the Types section of docs/outputs.md does not describe {missing}"
    assert "read_table" in bodies[0]
