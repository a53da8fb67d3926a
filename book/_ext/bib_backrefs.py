"""Sphinx extension: the references page in the chapters' author-year style, each entry linked to where it is cited.

The chapters cite with sphinxcontrib-bibtex's ``author_year`` reference style
("[Kingma and Welling, 2014]"), but pybtex's formatting styles label the
bibliography's entries with numbers or "alpha" keys ("[KW14]"). This extension

1. registers a pybtex label style, ``author_year``, whose label is the text of
   the in-text citation (one author: "Williams, 1992"; two: "Kingma and Welling,
   2014"; three or more: "Rezende et al., 2014"; "a", "b" after the year when
   two entries would share a label), and a formatting style ``plain_author_year``
   (pybtex's ``plain`` with that label), which ``bibtex_default_style`` selects;
2. appends to each entry of a ``{bibliography}`` a line "Cited in: ..." with a
   link to every place in the book that cites it (sphinxcontrib-bibtex's own
   back-references work only within one page).
"""

from __future__ import annotations

from collections import Counter
from typing import Iterator

from docutils import nodes
from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from sphinx.application import Sphinx

LABEL_STYLE = "author_year"
FORMATTING_STYLE = "plain_author_year"


def _last_name(person) -> str:
    """A person's last name as plain text (LaTeX accents and braces resolved)."""
    return Text.from_latex(" ".join(person.prelast_names + person.last_names)).render_as("text")


def author_year_label(entry) -> str:
    """The in-text citation of a pybtex entry without brackets: "Rezende et al., 2014"."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_last_name(p) for p in people]
    if not names:
        who = entry.fields.get("title", entry.key)
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels that read like the in-text citations; "2016a", "2016b" where two would coincide."""

    def format_labels(self, sorted_entries) -> Iterator[str]:
        labels = [author_year_label(entry) for entry in sorted_entries]
        total = Counter(labels)
        seen: Counter[str] = Counter()
        for label in labels:
            if total[label] > 1:
                seen[label] += 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]
            else:
                yield label


class AuthorYearStyle(PlainStyle):
    """pybtex's ``plain`` formatting with author-year labels."""

    default_label_style = LABEL_STYLE


def _place_name(app: Sphinx, docname: str) -> str:
    """How a page is named in "Cited in": its number in the table of contents, if any, and title."""
    title = app.env.titles[docname].astext() if docname in app.env.titles else docname
    number = app.env.toc_secnumbers.get(docname, {}).get("")
    return f"{'.'.join(map(str, number))}. {title}" if number else title


def add_backrefs(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    """After the bibliography is resolved: a "Cited in" line under each of its entries."""
    domain = app.env.get_domain("cite")
    key_of = {citation.citation_id: citation.key for citation in domain.citations
              if citation.bibliography_key.docname == fromdocname}
    if not key_of:
        return
    order = {name: i for i, name in enumerate(_reading_order(app))}
    for citation_node in list(doctree.findall(nodes.citation)):
        key = next((key_of[i] for i in citation_node["ids"] if i in key_of), None)
        if key is None:
            continue
        places: dict[str, list[str]] = {}
        for ref in domain.citation_refs:
            if key in {target.key for target in ref.targets}:
                places.setdefault(ref.docname, []).append(ref.citation_ref_id)
        if not places:
            continue
        line = nodes.paragraph(classes=["bib-cited-in"])
        line += nodes.Text("Cited in: ")
        for n, docname in enumerate(sorted(places, key=lambda d: order.get(d, len(order)))):
            if n:
                line += nodes.Text("; ")
            uri = app.builder.get_relative_uri(fromdocname, docname)
            ids = places[docname]
            line += nodes.reference("", _place_name(app, docname), internal=True,
                                    refuri=f"{uri}#{ids[0]}")
            for k, ref_id in enumerate(ids[1:], start=2):
                line += nodes.Text(", " if k > 2 else " (also ")
                line += nodes.reference("", str(k), internal=True, refuri=f"{uri}#{ref_id}")
            if len(ids) > 1:
                line += nodes.Text(")")
        citation_node += line


def _reading_order(app: Sphinx) -> list[str]:
    """Page names in the order of the table of contents (root first)."""
    env = app.env
    ordered: list[str] = []

    def walk(docname: str) -> None:
        if docname in ordered:
            return
        ordered.append(docname)
        for child in env.toctree_includes.get(docname, []):
            walk(child)

    walk(app.config.root_doc)
    return ordered


def setup(app: Sphinx) -> dict:
    register_plugin("pybtex.style.labels", LABEL_STYLE, AuthorYearLabelStyle, force=True)
    register_plugin("pybtex.style.formatting", FORMATTING_STYLE, AuthorYearStyle, force=True)
    app.connect("doctree-resolved", add_backrefs)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
