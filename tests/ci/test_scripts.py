"""The command line keeps its word: every `mesh` and `mesh-standins` command that the README, the
docs, the CI scripts, the workflows, the Makefile or an error message names exists with the options
it is given, and help text shows its `<placeholders>`."""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.rich_utils
from typer.testing import CliRunner

from mesh.cli import app
from mesh_standins.cli import app as standins_app

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = [
    *sorted((REPO / "ci").glob("*.sh")),
    *sorted((REPO / ".github/workflows").glob("*.yml")),
    REPO / "Makefile",
]
DOCS = [REPO / "README.md", *sorted(REPO.glob("*/**/*.md"))]
SOURCES = [
    p for d in ("mesh", "publish", "standins", "ci") for p in sorted((REPO / d).rglob("*.py"))
]
APPS = {"mesh": app, "$MESH": app, "mesh-standins": standins_app}

SCRIPT_CALL = re.compile(
    r"""(?:\.venv/bin/|\$\(BIN\)/|\$\{BIN\}/|")(mesh(?:-standins)?|\$MESH)"?\s+([^#\n;]*)"""
)
#: `mesh ...` in inline code, at the start of a line in a code block, or after `&&` / `;`
DOC_CALL = re.compile(
    r"(?:`|^\s*(?:\$\s+)?|&&\s+|;\s+)(mesh(?:-standins)?)\s+([^`\n#;&]*)", re.MULTILINE
)


def _script_mentions() -> Iterator[tuple[str, str, str]]:
    for path in SCRIPTS:
        for line in path.read_text(encoding="utf-8").splitlines():
            for match in SCRIPT_CALL.finditer(line):
                yield f"{path.relative_to(REPO)}: {line.strip()}", match.group(1), match.group(2)


def _doc_mentions() -> Iterator[tuple[str, str, str]]:
    for path in DOCS:
        if any(part in {".venv", "dbt_packages", "target", "node_modules"} for part in path.parts):
            continue
        for match in DOC_CALL.finditer(path.read_text(encoding="utf-8")):
            text = match.group(0).strip()
            yield f"{path.relative_to(REPO)}: {text}", match.group(1), match.group(2)


def _strings(tree: ast.AST) -> Iterator[str]:
    """Every string literal, f-strings with each `{...}` as the placeholder `<x>`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
        elif isinstance(node, ast.JoinedStr):
            yield "".join(v.value if isinstance(v, ast.Constant) else "<x>" for v in node.values)


def _source_mentions() -> Iterator[tuple[str, str, str]]:
    for path in SOURCES:
        for text in _strings(ast.parse(path.read_text(encoding="utf-8"))):
            for match in re.finditer(r"`(mesh(?:-standins)?) ([^`]+)`", text):
                yield f"{path.relative_to(REPO)}: {match.group(0)}", match.group(1), match.group(2)


#: a word that stands for a command: `<command>`, `...`, `OPTIONS`
PLACEHOLDER_WORD = r"<\w+>|\.\.\.|[A-Z][A-Z_]*"


def mentions() -> list[tuple[str, str, str]]:
    return [*_script_mentions(), *_doc_mentions(), *_source_mentions()]


def _subcommands(command: Any) -> dict[str, Any]:
    """A group's commands (typer vendors click: its groups are no `click.Group`)."""
    return dict(getattr(command, "commands", None) or {})


def _command(root: Any, words: list[str]) -> tuple[list[str], Any, list[str]]:
    """The command path the words name (alternatives `a|b` each followed), and the rest."""
    path: list[str] = []
    command = root
    rest = list(words)
    while rest and _subcommands(command):
        names = rest[0].split("|")
        if not all(name in _subcommands(command) for name in names):
            break
        path.append(names[0])
        command = _subcommands(command)[names[0]]
        rest.pop(0)
    options_of = getattr(command, "options_go_to", None)  # `mesh publish [OPTIONS]` = `all`
    if options_of and rest and rest[0].startswith("-"):
        path.append(options_of)
        command = _subcommands(command)[options_of]
    return path, command, rest


def _variants(arguments: str) -> list[list[str]]:
    """The command lines a mention stands for: `a\\|b` each alternative, `[sub]` with and
    without it; dbt arguments after `--` left out."""
    text = arguments.replace("\\|", "|").split(" -- ")[0].split("[-- ")[0]
    try:
        tokens = shlex.split(text)
    except ValueError:
        tokens = text.split()
    variants: list[list[str]] = [[]]
    for token in tokens:
        optional = token.startswith("[") and token.endswith("]")
        word = token.strip("[]")
        if not word:
            continue
        choices = [word] if word.startswith("-") else word.split("|")
        choices += [""] if optional and not word.startswith("-") else []
        variants = [[*v, c] if c else v for v in variants for c in choices]
    return variants


def _options(command: Any) -> set[str]:
    return {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)} | {"--help"}


@pytest.mark.parametrize(("where", "program", "arguments"), mentions(), ids=lambda v: str(v)[:70])
def test_every_mentioned_command_and_option_exists(
    where: str, program: str, arguments: str
) -> None:
    root = typer.main.get_command(APPS[program])
    for words in _variants(arguments):
        path, command, rest = _command(root, words)
        shown = f"`{program} {' '.join(words)}`"
        if _subcommands(command) and rest and not rest[0].startswith("-"):
            # `mesh <command>` or `mesh ci ...`: a placeholder for any command of the group
            assert re.fullmatch(PLACEHOLDER_WORD, rest[0]), f"{where}: {shown}: no command"
        result = CliRunner().invoke(APPS[program], [*path, "--help"])
        assert result.exit_code == 0, f"{where}: `{program} {' '.join(path)} --help` failed"
        known = _options(command)
        for option in (w.split("=")[0] for w in rest):
            if option.startswith("-") and option != "-":
                assert option in known, f"{where}: {shown}: `{' '.join(path)}` has no {option}"


def test_every_caller_was_read() -> None:
    found = mentions()
    assert len([m for m in found if m[0].startswith(("ci/", ".github", "Makefile"))]) >= 15
    assert len([m for m in found if m[0].startswith("README.md")]) >= 30
    assert len([m for m in found if m[0].split(": ", 1)[0].endswith(".py")]) >= 10


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in _subcommands(command).items():
        yield from _commands(sub, (*path, name))


PLACEHOLDER = re.compile(r"<[a-z_][a-z_ ]*>")


@pytest.mark.parametrize("program", ["mesh", "mesh-standins"])
def test_help_keeps_every_placeholder(program: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """typer's markdown mode drops `<bucket>` as an HTML tag unless it is in backticks."""
    monkeypatch.setattr(typer.rich_utils, "MAX_WIDTH", 1000)
    for path, command in _commands(typer.main.get_command(APPS[program])):
        texts = [command.help or "", *(getattr(p, "help", None) or "" for p in command.params)]
        wanted = {m for text in texts for m in PLACEHOLDER.findall(text)}
        if not wanted:
            continue
        result = CliRunner().invoke(APPS[program], [*path, "--help"])
        shown = " ".join(result.output.split())
        missing = sorted(p for p in wanted if p not in shown)
        assert not missing, f"`{program} {' '.join(path)} --help` loses {missing}"


DOMAIN_OPTIONS = {"--select", "-s", "--domain", "-d"}


def test_domain_options_are_the_same_everywhere() -> None:
    """One name for "which domains" on every command: --select/-s, with --domain/-d kept."""
    root = typer.main.get_command(app)
    takers = []
    for path, command in _commands(root):
        for param in command.params:
            opts = set(param.opts) | set(param.secondary_opts)
            if opts & DOMAIN_OPTIONS:
                takers.append(" ".join(path))
                assert opts >= DOMAIN_OPTIONS, f"`mesh {' '.join(path)}`: {sorted(opts)}"
    assert len(takers) >= 6, takers


@pytest.mark.parametrize(
    "path", [p for p, _ in _commands(typer.main.get_command(app))], ids=" ".join
)
def test_every_command_helps(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
