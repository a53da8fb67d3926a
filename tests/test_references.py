"""The references page: only cited works, labelled as the text cites them, each linked back to its citations."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pybtex.database import parse_string

from conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import bib_backrefs  # noqa: E402  (a Sphinx extension of the book, not a package module)

BIB = """
@article{one, author = {Williams, Ronald J.}, title = {T}, journal = {J}, year = {1992}}
@article{two, author = {Kingma, Diederik P. and Welling, Max}, title = {T}, journal = {J}, year = {2014}}
@article{three, author = {LeCun, Yann and Bottou, L{\\'e}on and Bengio, Yoshua}, title = {T}, journal = {J},
         year = {1998}}
@article{twin1, author = {Doe, Jane}, title = {A}, journal = {J}, year = {2016}}
@article{twin2, author = {Doe, Jane}, title = {B}, journal = {J}, year = {2016}}
@article{accent, author = {Rol{\\'i}nek, Michal}, title = {T}, journal = {J}, year = {2019}}
"""


def test_labels_read_like_the_in_text_citations():
    entries = parse_string(BIB, "bibtex").entries
    labels = dict(zip(entries, bib_backrefs.AuthorYearLabelStyle().format_labels(entries.values())))
    assert labels["one"] == "Williams, 1992"
    assert labels["two"] == "Kingma and Welling, 2014"
    assert labels["three"] == "LeCun et al., 1998"
    assert (labels["twin1"], labels["twin2"]) == ("Doe, 2016a", "Doe, 2016b")
    assert labels["accent"] == "Rolínek, 2019"


def test_the_book_selects_the_author_year_style():
    config = (ROOT / "_config.yml").read_text()
    assert "bibtex_default_style: plain_author_year" in config
    assert ":all:" not in (ROOT / "book" / "references.md").read_text()


class _Links(HTMLParser):
    """Elements with an id, and links (href, text) inside a class-marked element."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.entries: dict[str, dict] = {}   # citation id -> {"label": str, "cited_in": [href]}
        self.cite_links: list[tuple[str, str]] = []  # in-text citations: (href, text)
        self._entry: str | None = None
        self._in_label = self._in_cited = False
        self._link: list | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        classes = (a.get("class") or "").split()
        if tag == "div" and "citation" in classes:
            self._entry = a["id"]
            self.entries[self._entry] = {"label": "", "cited_in": []}
        elif self._entry and tag == "span" and "label" in classes:
            self._in_label, self._depth = True, 0
        elif self._in_label and tag == "span":
            self._depth += 1
        elif self._entry and tag == "p" and "bib-cited-in" in classes:
            self._in_cited = True
        elif tag == "a" and self._in_cited:
            self.entries[self._entry]["cited_in"].append(a.get("href", ""))
        elif tag == "a" and "references.html#" in a.get("href", ""):
            self._link = [a["href"], ""]

    def handle_endtag(self, tag):
        if tag == "span" and self._in_label:
            if self._depth:
                self._depth -= 1
            else:
                self._in_label = False
        elif tag == "p" and self._in_cited:
            self._in_cited, self._entry = False, None
        elif tag == "a" and self._link is not None:
            self.cite_links.append((self._link[0], self._link[1]))
            self._link = None

    def handle_data(self, data):
        if self._in_label:
            self.entries[self._entry]["label"] += data
        if self._link is not None:
            self._link[1] += data


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text())
    return parser


def _cited_keys() -> set[str]:
    keys = set()
    for page in (ROOT / "book").glob("*.md"):
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", page.read_text()):
            keys |= {k.strip() for k in group.split(",")}
    return keys


def test_references_list_only_cited_works_each_linked_to_its_citations(built_book):
    html = built_book.html / "book"
    refs = _parse(html / "references.html")
    assert len(refs.entries) == len(_cited_keys()), "the page lists works no page cites (or misses some)"
    for entry_id, entry in refs.entries.items():
        assert entry["cited_in"], f"{entry['label']}: no 'Cited in' link"
        for href in entry["cited_in"]:
            page, anchor = href.split("#")
            target = _parse(html / page)
            assert anchor in target.ids, f"{entry['label']}: {href} points to no element"
            assert any(h == f"references.html#{entry_id}" for h, _ in target.cite_links), \
                f"{entry['label']}: {page} does not cite it"


def test_in_text_citations_read_as_the_labels_of_their_entries(built_book):
    html = built_book.html / "book"
    labels = {i: e["label"].strip("[]") for i, e in _parse(html / "references.html").entries.items()}
    checked = 0
    for page in html.glob("*.html"):
        for href, text in _parse(page).cite_links:
            entry_id = href.split("#")[1]
            if entry_id in labels:
                # as a reader sees them: pybtex ties a name's "van den" with a no-break space in the text
                cited, listed = " ".join(text.split()), " ".join(labels[entry_id].split())
                assert cited == listed, f"{page.name}: cites {text!r}, listed as {labels[entry_id]!r}"
                checked += 1
    assert checked > 0
