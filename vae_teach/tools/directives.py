"""The exercise and solution directives in a chapter's markdown, found by the MyST parser the book uses.

A line pattern misses directives that MyST accepts: fences indented by up to three
spaces, ``:::`` colon fences, fences longer than three characters, a closing fence
longer than the opening one, directive names in capitals, a ``{solution}`` nested in
an admonition. Here markdown-it with myst-parser's configuration (the extensions of
``_config.yml``) finds the fences, and myst-parser's own directive parser, with
sphinx-exercise's directive classes, reads their arguments and options, so a
directive is recognised exactly when the book would render it as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.directives import MarkupError, parse_directive_text
from myst_parser.parsers.mdit import create_md_parser
from sphinx_exercise import directive as exercise_directives

__all__ = ["BOOK_EXTENSIONS", "EXERCISE_DIRECTIVES", "Directive", "DirectiveError", "find_directives"]

#: ``parse.myst_enable_extensions`` of the book's ``_config.yml`` (a test holds the two equal).
BOOK_EXTENSIONS = frozenset({"amsmath", "colon_fence", "dollarmath", "substitution"})

#: sphinx-exercise's directives (the names it registers) and their classes.
EXERCISE_DIRECTIVES = {
    "exercise": exercise_directives.ExerciseDirective,
    "exercise-start": exercise_directives.ExerciseStartDirective,
    "exercise-end": exercise_directives.ExerciseEndDirective,
    "solution": exercise_directives.SolutionDirective,
    "solution-start": exercise_directives.SolutionStartDirective,
    "solution-end": exercise_directives.SolutionEndDirective,
}

# Directives whose content is not MyST (code, rST, math, data): never searched for nested directives.
_LITERAL = {"code", "code-block", "sourcecode", "code-cell", "raw-cell", "literalinclude", "include", "raw",
            "math", "csv-table", "graphviz", "mermaid", "eval-rst", "glue", "glue:any", "glue:figure",
            "glue:math", "bibliography", "tableofcontents"}
# An exercise or solution written in reStructuredText inside {eval-rst}.
_RST_EXERCISE = re.compile(r"^\s*\.\.\s+(exercise|solution)(-start|-end)?::", re.IGNORECASE | re.MULTILINE)

_PARSER = create_md_parser(MdParserConfig(enable_extensions=set(BOOK_EXTENSIONS)), RendererHTML)


class DirectiveError(ValueError):
    """An exercise or solution directive that cannot be read safely (the message names its line)."""


@dataclass
class Directive:
    """One directive fence of a markdown text, with the exercise directives nested in it.

    start, stop: its lines in the text (0-based, stop exclusive), fences included; closed: False
    for a fence left open, which at the top of a markdown cell may mean a code cell inside it.
    body_start, body_stop: the lines of its body (after the options); label: an exercise's
    ``:label:``, or the exercise label a solution names; children: the directives of interest
    found in its content, with lines in the same text.
    """
    name: str
    start: int
    stop: int
    body_start: int
    body_stop: int
    closed: bool
    label: str | None = None
    children: list[Directive] = field(default_factory=list)


def _closed(lines: list[str], start: int, stop: int, markup: str) -> bool:
    """Whether the fence opened at ``start`` is closed by a fence on line ``stop - 1``."""
    if stop - 1 <= start or stop > len(lines):
        return False
    closing = lines[stop - 1].lstrip(" >\t")
    return re.fullmatch(re.escape(markup[0]) + "{%d,}[ \t]*" % len(markup), closing) is not None


def _read(name: str, arguments: str, content: str, colon: bool, line: int) -> tuple[str | None, int, int]:
    """(label, options lines, body lines) of an exercise directive, as myst-parser reads them."""
    if colon and content.startswith(":::"):  # as myst-parser: a nested fence first is not an option block
        content = "\n" + content
    try:
        parsed = parse_directive_text(EXERCISE_DIRECTIVES[name], arguments, content, line=line)
    except MarkupError as error:
        raise DirectiveError(f"line {line + 1}: {{{name}}} cannot be read: {error}") from None
    if name.startswith("solution") and name != "solution-end":
        label = parsed.arguments[0] if parsed.arguments else None
    else:
        label = parsed.options.get("label")
    offset = parsed.body_offset - (1 if colon and content.startswith("\n:::") else 0)
    return label, max(offset, 0), len(parsed.body)


def find_directives(text: str, first_line: int = 0, nested: bool = False) -> list[Directive]:
    """The exercise and solution directives of markdown ``text``, and the directives that contain them.

    Lines are counted from ``first_line``; ``nested``: the text is a directive's content, where
    a fence left open ends with the content (``closed`` stays True). Raises
    :class:`DirectiveError` for an exercise or solution written in rST inside ``{eval-rst}``,
    which the student notebooks could not hide.
    """
    lines = text.splitlines()
    found: list[Directive] = []
    for token in _PARSER.parse(text):
        if token.type not in ("fence", "colon_fence") or token.map is None:
            continue
        parts = token.info.strip().split(maxsplit=1)
        if not parts or not (parts[0].startswith("{") and parts[0].endswith("}")):
            continue
        name, arguments = parts[0][1:-1].lower(), parts[1] if len(parts) > 1 else ""
        start, stop = token.map
        closed = _closed(lines, start, stop, token.markup)
        open_at_end = not closed
        content_start, content_stop = start + 1, stop if open_at_end else stop - 1
        at = first_line + start
        if name == "eval-rst" and _RST_EXERCISE.search(token.content):
            raise DirectiveError(f"line {at + 1}: an exercise or solution in reStructuredText inside "
                                 "{eval-rst}; write it as a MyST directive (```{solution-start} ...) so that "
                                 "the student notebooks can leave the solution out")
        if name in EXERCISE_DIRECTIVES:
            label, offset, n_body = _read(name, arguments, token.content, token.type == "colon_fence", at)
            body_start = content_start + offset
            directive = Directive(name, at, first_line + stop, first_line + body_start,
                                  first_line + min(body_start + n_body, content_stop), closed or nested, label)
        elif name not in _LITERAL:
            directive = Directive(name, at, first_line + stop, first_line + content_start,
                                  first_line + content_stop, closed or nested)
        else:
            continue
        directive.children = find_directives(token.content, first_line + content_start, nested=True)
        if directive.name in EXERCISE_DIRECTIVES or directive.children:
            found.append(directive)
    return found
