"""book/_ext/inline_eval.py: ``{eval}`` numbers in a chapter's prose, resolved from the cached execution.

The reader part is tested on text; the whole path (hidden glue cells executed
through myst-nb's cache, the role reading them back, the errors) on a
one-page Sphinx project built with ``-W``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from myst_nb.core.read import read_myst_markdown_notebook
from myst_parser.config.main import MdParserConfig

from conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import inline_eval  # noqa: E402

HEADER = textwrap.dedent("""\
    ---
    jupytext:
      text_representation:
        extension: .md
        format_name: myst
    kernelspec:
      name: python3
      display_name: Python 3 (ipykernel)
      language: python
    ---
    """)

CONFIG = MdParserConfig(enable_extensions={"colon_fence", "dollarmath"})


def glue_calls(cell) -> list[str]:
    return [line for line in cell.source.splitlines() if line.startswith("_inline_eval_glue(")]


def test_expressions_are_read_from_prose_tables_and_directives_not_from_code():
    md = inline_eval.create_md_parser(CONFIG, inline_eval.RendererHTML)
    text = textwrap.dedent("""\
        A {eval}`a` and `{eval}`not_a_role`` in a code span.

        | value |
        |---|
        | {eval}`f"{b:.1f}"` |

        ```{admonition} Note
        :class: tip
        Inside a directive: {eval}`c`.
        ```

        ```python
        {eval}`not_in_a_code_block`
        ```
        """)
    assert list(inline_eval.eval_expressions(text, md)) == ["a", 'f"{b:.1f}"', "c"]


def test_a_glue_cell_goes_before_each_markdown_cell_that_quotes_and_keeps_its_line():
    text = HEADER + textwrap.dedent("""\
        # Title

        ```{code-cell} ipython3
        n = 4000
        ```

        There are {eval}`f"{n:,}"` images and {eval}`n` of them.

        ```{code-cell} ipython3
        n = 5
        ```

        Now {eval}`n`.
        """)
    plain = read_myst_markdown_notebook(text, config=CONFIG, add_source_map=True)
    notebook = inline_eval.add_eval_cells(read_myst_markdown_notebook(
        text, config=CONFIG, add_source_map=True), CONFIG)
    kinds = [(c.cell_type, c.metadata.get("tags")) for c in notebook.cells]
    assert kinds == [("markdown", None), ("code", None), ("code", ["remove-cell"]),
                     ("markdown", None), ("code", None), ("code", ["remove-cell"]),
                     ("markdown", None)]
    assert glue_calls(notebook.cells[2]) == [
        """_inline_eval_glue('eval[1] f"{n:,}"', (f"{n:,}"), display=False)""",
        "_inline_eval_glue('eval[1] n', (n), display=False)"]
    # the same expression again: its own key, evaluated where it stands
    assert glue_calls(notebook.cells[5]) == ["_inline_eval_glue('eval[2] n', (n), display=False)"]
    # a glue cell takes its markdown cell's line; the other cells keep theirs
    old, new = plain.metadata["source_map"], notebook.metadata["source_map"]
    assert new == [old[0], old[1], old[2], old[2], old[3], old[4], old[4]]


@pytest.mark.parametrize("plain, shown", [("'4,000'", "4,000"), ('"gappier than"', "gappier than"),
                                          ("26", "26"), ("np.float64(0.5)", "np.float64(0.5)"),
                                          ("'it\\'s'", "it\\'s")])
def test_a_string_loses_its_quotes_as_in_jupyterlab_myst(plain, shown):
    assert inline_eval.shown_text(plain) == shown


# --- the whole path, on a one-page book ---------------------------------------------------------

CONF_PY = textwrap.dedent(f"""\
    import sys
    sys.path.insert(0, {str(ROOT / "book" / "_ext")!r})
    extensions = ["myst_nb", "inline_eval"]
    nb_execution_mode = "cache"
    nb_execution_show_tb = True  # as the book (_config.yml)
    nb_execution_raise_on_error = True
    inline_eval_glob = "*.md"
    exclude_patterns = ["_build"]
    """)


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def pasted(html: str) -> list[str]:
    return re.findall(r'<span class="pasted-text">([^<]*)</span>', html)


def sphinx_build(source: Path, page: str) -> tuple[subprocess.CompletedProcess, str]:
    """Build a project whose only page is ``page`` (index.md) with ``-W``; the result and the HTML."""
    source.mkdir(exist_ok=True)
    (source / "conf.py").write_text(CONF_PY)
    (source / "index.md").write_text(page)
    out = source / "_build" / "html"
    env = dict(os.environ, PYTHONHASHSEED="0")
    result = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-b", "html", str(source), str(out)],
                            cwd=source, env=env, capture_output=True, text=True, timeout=300)
    html = (out / "index.html").read_text() if (out / "index.html").is_file() else ""
    return result, html


PAGE = HEADER + textwrap.dedent("""\
    # Numbers

    ```{code-cell} ipython3
    n = 4000
    word = "more"
    ```

    There are {eval}`f"{n:,}"` images, {eval}`word` than {eval}`n // 2` and {eval}`n`;
    `{eval}`n`` is code.

    ```{code-cell} ipython3
    before = n
    n = 5
    ```

    | then | now |
    |---|---|
    | {eval}`before` | {eval}`n` |
    """)


def test_the_book_shows_the_values_and_a_rebuild_takes_them_from_the_cache(tmp_path):
    result, html = sphinx_build(tmp_path / "book", PAGE)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # "n" twice: each occurrence shows the value it has where it stands
    assert pasted(html) == ["4,000", "more", "2000", "4000", "4000", "5"]
    assert html.count("{eval}") == 1  # the code span
    assert "_inline_eval_glue" not in html  # the glue cells are hidden

    again, html2 = sphinx_build(tmp_path / "book", PAGE.replace("images,", "pictures,"))  # prose only
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "Using cached notebook" in again.stdout + again.stderr
    assert pasted(html2) == pasted(html)


def test_a_missing_name_fails_the_build_and_says_which(tmp_path):
    page = PAGE.replace('{eval}`word`', '{eval}`f"{wrod:.1f}"`')
    result, _ = sphinx_build(tmp_path / "book", page)
    log = ANSI.sub("", result.stdout + result.stderr)
    assert result.returncode != 0
    assert "NameError" in log and "name 'wrod' is not defined" in log
    assert 'f"{wrod:.1f}"' in log  # the hidden cell's code names the expression


def test_eval_outside_a_notebook_is_a_build_error(tmp_path):
    result, _ = sphinx_build(tmp_path / "book", "# Plain page\n\nA value: {eval}`n`.\n")
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "no value was computed for {eval}`n`" in log
