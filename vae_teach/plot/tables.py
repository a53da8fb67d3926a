"""Tables of results as HTML, for the book's pages."""

from __future__ import annotations

from typing import Sequence


def html_table(rows: Sequence[Sequence[object]], headers: Sequence[str], digits: int = 2):
    """A small table as IPython HTML (rendered in Jupyter and in the built book); floats get ``digits`` decimals."""
    from html import escape

    from IPython.display import HTML

    def cell(v: object) -> str:
        return f"{v:.{digits}f}" if isinstance(v, float) else escape(str(v))

    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td style="text-align:right">{cell(v)}</td>' for v in row) + "</tr>"
                   for row in rows)
    return HTML(f'<table class="table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
