"""Every command the documentation shows, found with a Markdown parser (markdown-it-py, the
CommonMark reference port), so code in lists, indented blocks and spans that wrap lines is found
as a reader's renderer finds it.

What counts as a command:
- every line of a ```bash / ```sh / ```shell / ```console block (continuations joined), with the
  output the page documents for it: the comment lines right after it that start with ``→`` or
  ``{`` (and their indented continuations);
- every ```python block, as one program;
- an indented code block or an inline code span whose first word is a program (``python``,
  ``make``, ``docker``, ``kubectl``...) — they are checked, never run.

A block is run unless an HTML comment right before it says otherwise:
``<!-- docs-test: skip — why -->`` (checked without running: tests/docs/static_checks.py) or
``<!-- docs-test: upstream — why -->`` (run with an OpenAI-compatible provider on the fake
upstream as the default). A block of any other language (untagged, ``text``, ``yaml``...) whose
lines look like commands is an error, so a command cannot hide from the test behind its tag.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

ROOT = Path(__file__).resolve().parents[2]
SHELL = {"bash", "sh", "shell", "console"}
# First words that make a line a command. `curl` and `open` only count in blocks: inline, they
# are quoted text (a header the redactor sees), not something to run.
PROGRAMS = {
    "python",
    "python3",
    ".venv/bin/python",
    "make",
    "docker",
    "kubectl",
    "kustomize",
    "promtool",
    "pytest",
    "manage.py",
    "manage",
    "apt-get",
    "celery",
}
BLOCK_ONLY_PROGRAMS = {"curl", "open"}
DIRECTIVE = re.compile(r"<!--\s*docs-test:\s*(\w+)(.*?)-->", re.S)
MODES = {"skip", "upstream"}
DASHES = "\u2014\u2013:-"  # em dash, en dash, colon or hyphen between the mode and its reason
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True)
class Command:
    page: str  # path relative to the repository root
    line: int  # 1-based line where the command starts
    text: str  # continuations joined
    kind: str  # "shell", "python" or "inline"
    mode: str = "run"  # "run", "skip" (checked without running) or "upstream"
    reason: str = ""  # why a block is not simply run
    expected: str = ""  # the output the page shows for it

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def pages() -> list[Path]:
    """Every Markdown page of the repository but vendored licences and tool caches."""
    skip_parts = {".git", ".venv", "node_modules", "staticfiles", "artifacts", "vendor"}
    return sorted(
        path
        for path in ROOT.rglob("*.md")
        if not skip_parts & set(path.relative_to(ROOT).parts)
        and not any(part.startswith(".") for part in path.relative_to(ROOT).parts)
    )


def program_of(text: str) -> str | None:
    """The program a command line runs (after ``VAR=value`` prefixes), or None."""
    try:
        words = shlex.split(text, comments=True)
    except ValueError:
        return None
    while words and ASSIGNMENT.match(words[0]):
        words = words[1:]
    return words[0] if words else None


def looks_like_command(text: str, *, in_block: bool) -> bool:
    program = program_of(text)
    if program is None:
        return False
    if not in_block and len(text.split()) < 2:
        return False  # a program named in prose (`promtool`), not a command
    programs = PROGRAMS | BLOCK_ONLY_PROGRAMS if in_block else PROGRAMS
    return program in programs or program.endswith(".sh")


def _shell_commands(token: Token, page: str, mode: str, reason: str) -> list[Command]:
    first = token.map[0] + 2  # the fence line, then the content
    lines = token.content.splitlines()
    commands: list[Command] = []
    index = 0
    while index < len(lines):
        start, text = index, lines[index]
        while text.rstrip().endswith("\\") and index + 1 < len(lines):
            index += 1
            text = text.rstrip()[:-1] + " " + lines[index].strip()
        index += 1
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        expected: list[str] = []
        while index < len(lines) and lines[index].lstrip().startswith("#"):
            body = lines[index].lstrip()[1:]
            opens = body.strip().startswith(("→", "{"))
            if not (opens if not expected else body.startswith("  ")):
                break
            expected.append(body.strip().removeprefix("→").strip())
            index += 1
        commands.append(
            Command(page, first + start, stripped, "shell", mode, reason, " ".join(expected))
        )
    return commands


def _directive(tokens: list[Token], index: int, page: str, errors: list[str]) -> tuple[str, str]:
    """The docs-test directive of the code block at ``tokens[index]``, or ("run", "")."""
    before = tokens[index - 1] if index else None
    if before is None or before.type != "html_block":
        return "run", ""
    match = DIRECTIVE.search(before.content)
    if match is None:
        return "run", ""
    mode, reason = match[1], match[2].strip().lstrip(DASHES).strip()
    if mode not in MODES or not reason:
        errors.append(f"{page}:{before.map[0] + 1}: want docs-test: skip|upstream — <reason>")
    return mode, reason


def extract(path: Path) -> tuple[list[Command], list[str]]:
    """(commands, errors) of one page; errors are code the test cannot classify."""
    page = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name
    tokens = MarkdownIt("commonmark").parse(path.read_text())
    commands: list[Command] = []
    errors: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "html_block" and DIRECTIVE.search(token.content):
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following is None or following.type not in ("fence", "code_block"):
                errors.append(f"{page}:{token.map[0] + 1}: a docs-test directive with no block")
        if token.type == "fence":
            mode, reason = _directive(tokens, index, page, errors)
            language = token.info.split()[0] if token.info.strip() else ""
            if language in SHELL:
                commands += _shell_commands(token, page, mode, reason)
            elif language == "python":
                line = token.map[0] + 2
                commands.append(Command(page, line, token.content, "python", mode, reason))
            else:  # untagged, text, json, yaml...: no command may hide there
                for offset, text in enumerate(token.content.splitlines()):
                    if looks_like_command(text, in_block=True):
                        line = token.map[0] + 2 + offset
                        errors.append(f"{page}:{line}: a command in an untagged block: {text}")
        elif token.type == "code_block":  # indented: commands only, checked without running
            mode, reason = _directive(tokens, index, page, errors)
            for offset, text in enumerate(token.content.splitlines()):
                if looks_like_command(text, in_block=True):
                    line = token.map[0] + 1 + offset
                    commands.append(Command(page, line, text.strip(), "inline", "skip", reason))
        elif token.type == "inline" and token.children:
            for child in token.children:
                text = " ".join(child.content.split())
                if child.type == "code_inline" and looks_like_command(text, in_block=False):
                    commands.append(Command(page, token.map[0] + 1, text, "inline", "skip"))
    return commands, errors


def all_commands() -> tuple[list[Command], list[str]]:
    commands: list[Command] = []
    errors: list[str] = []
    for path in pages():
        found, problems = extract(path)
        commands += found
        errors += problems
    return commands, errors
