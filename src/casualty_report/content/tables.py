"""Tables for people: the frames ``analysis`` computes, shown with words instead of codes.

Headers in words, thousands separators, qualifiers as words ("at least 164"), readable dates,
statuses as words, full notes, no bare index, and each claim id linked to the page it was read
in. Built with pandas' Styler (escaping every cell as HTML, a fixed id so the output is
byte-stable) and shown through :class:`ReadableTable`, whose plain-text form is the same table
as text, so nbval compares words, not an object's address.

The CSV downloads keep the machine-friendly columns (see ``codebook``); these are for reading.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from casualty_report.content import comparisons
from casualty_report.content.narrative import claim_value, display_value, status_word, total_words
from casualty_report.conventions import ids_given
from casualty_report.ledger.load import Ledger
from casualty_report.ledger.source_vocabulary import KNOWN_FROM
from casualty_report.ledger.statuses import STANDING, STATUSES
from casualty_report.ledger.vocabulary import CLAIMANT_GROUPS, COUNT_KINDS, MEASURES, POPULATIONS

#: Past this a page shows the first rows and says so; the CSV download holds every row.
MAX_ROWS = 200
#: A body cell as pandas' Styler writes it, up to its class attribute; group 1: its column.
_CELL = re.compile(r'<td id="T_[^"]*_row\d+_col(\d+)" class="[^"]*"')
#: The table's parts and their explicit roles.
_ROLES = (("<table", "table"), ("<thead", "rowgroup"), ("<tbody", "rowgroup"), ("<tr", "row"))


@dataclass(frozen=True)
class ReadableTable:
    """A table for reading: HTML in a notebook or page, aligned text elsewhere."""

    frame: pd.DataFrame
    name: str  # a stable id for the HTML (several tables share a page)
    numeric: tuple[str, ...] = ()  # columns of figures: right-aligned
    links: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # column -> cell text -> URL
    caption: str | None = None
    # column -> for each row, the (words, URL) of every page it cites: several links in one cell
    cited: Mapping[str, Sequence[Sequence[tuple[str, str]]]] = field(default_factory=dict)

    @property
    def shown(self) -> pd.DataFrame:
        """The rows a page shows: all of them, up to :data:`MAX_ROWS`."""
        return self.frame.head(MAX_ROWS)

    @property
    def note(self) -> str | None:
        """The caption: the table's own, and a word when rows were left off the page."""
        cut = (
            f"The first {MAX_ROWS:,} of {len(self.frame):,} rows; the CSV download has them all."
            if len(self.frame) > MAX_ROWS
            else ""
        )
        return " ".join(part for part in (self.caption, cut) if part) or None

    def to_html(self) -> str:
        anchor = html.escape(self.name, quote=True)
        if self.frame.empty:  # a header row over nothing reads as a broken page
            return f'<p class="empty-table" id="table-{anchor}">None in this report.</p>\n'
        shown = self.shown.copy()
        for column, rows in self.cited.items():  # built escaped here: the Styler leaves it as it is
            shown[column] = [
                "; ".join(_link(html.escape(words, quote=False), url) for words, url in pages)
                for pages in list(rows)[: len(shown)]
            ]
        styler = shown.style.hide(axis="index").format(escape="html", na_rep="")
        for column, urls in self.links.items():
            styler = styler.format(lambda text, urls=urls: _link(text, urls.get(html.unescape(text))),
                                   subset=[column], escape="html")  # fmt: skip
        if self.cited:
            styler = styler.format(lambda markup: markup, subset=list(self.cited), escape=None)
        classes = pd.DataFrame("", index=shown.index, columns=shown.columns)
        for column in self.numeric:
            classes[column] = "number"
        styler = (
            styler.set_td_classes(classes).set_uuid(self.name).set_table_attributes('class="report-table"')
        )
        # For JupyterLab, which right-aligns every cell; published pages use report.css instead.
        styler = styler.set_table_styles([
            {"selector": "th, td", "props": "text-align: left; vertical-align: top;"},
            {"selector": ".number", "props": "text-align: right; white-space: nowrap;"},
        ])  # fmt: skip
        if self.note:
            styler = styler.set_caption(html.escape(self.note))
        markup = styler.to_html(doctype_html=False)
        for position, column in enumerate(shown.columns):
            if column in self.numeric:  # header cells of figures line up with their figures
                markup = markup.replace(f'class="col_heading level0 col{position}"',
                                        f'class="col_heading level0 col{position} number"')  # fmt: skip
        # Header cells name their columns.
        markup = markup.replace('<th id="', '<th role="columnheader" scope="col" id="')
        # Each cell names its column too: on a phone a row is shown as a card of labelled lines
        # (report.css), the figure and the note in view instead of off to the right. Explicit
        # roles keep it a table for screen readers that drop the semantics of re-laid-out cells.
        labels = [html.escape(str(column), quote=True) for column in shown.columns]
        markup = _CELL.sub(
            lambda cell: f'<td role="cell"{cell[0][3:]} data-label="{labels[int(cell[1])]}"', markup
        )
        for tag, role in _ROLES:
            markup = re.sub(rf"{tag}(?=[ >])", f'{tag} role="{role}"', markup)
        label = html.escape(self.note or f"Table: {', '.join(map(str, shown.columns[:3]))}…", quote=True)
        # A box that scrolls sideways on a phone: focusable, so keyboards can scroll it too.
        return (
            f'<div class="table-box" id="table-{anchor}" role="region" tabindex="0" '
            f'aria-label="{label}">\n{markup}</div>\n'
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        if self.frame.empty:
            return "None in this report."
        text = self.shown.to_string(index=False, na_rep="", max_colwidth=60)
        return f"{text}\n{self.note}" if self.note else text


# --- words for values --------------------------------------------------------------------------


def figure_words(value: int, qualifier: str, top: float | None = None) -> str:
    """'164', 'at least 164', 'over 5,800', 'dozens (counted as 12)', '55–77'."""
    return display_value(value, qualifier, top)


def date_words(date, known_from: str = "") -> str:
    """'15 Jan 2022'; '15 Jan 2022 (worked out from the text)' for a date no copy shows."""
    aside = KNOWN_FROM[known_from].aside if known_from else ""
    return "" if pd.isna(date) else f"{pd.Timestamp(date):%-d %b %Y}" + (f" ({aside})" if aside else "")


def count_words(value) -> str:
    return "" if pd.isna(value) else f"{int(value):,}"


def range_words(low, high) -> str:
    """'164 or more', '5,750 to 5,849', '238'."""
    if pd.isna(low):
        return ""
    if pd.isna(high):
        return f"{int(low):,} or more"
    return f"{int(low):,}" if int(low) == int(high) else f"{int(low):,} to {int(high):,}"


def status_words(status: str, since=None) -> str:
    words = status_word(status)
    return f"{words} ({date_words(since)})" if STATUSES[status].withdrawn and not pd.isna(since) else words


def counted_words(measure: str, population: str, kind: str = "running_total") -> str:
    """'people dead', 'security personnel injured', 'people held (at one moment)', 'criminal
    cases' (a count of cases or complaints names no people)."""
    counts = MEASURES[measure]
    if counts.unit != "people":
        who = "" if population == "all" else f"{POPULATIONS[population].label}: "
    else:
        who = "people " if population == "all" else f"{POPULATIONS[population].label} "
    aside = COUNT_KINDS[kind].aside
    when = f" ({aside})" if aside else ""
    return f"{who}{counts.label}{when}"


def _link(text: str, url: str | None) -> str:
    # ``text`` arrives escaped by the Styler; the URL is escaped here.
    return f'<a href="{html.escape(url, quote=True)}">{text}</a>' if url else text


def read_in(ledger: Ledger, claim_ids: Sequence[str]) -> list[tuple[str, str]]:
    """Where some claims were read, for a reader: 'TASS, para 2' and the page's address (http(s)
    only), once each. (The downloads keep the claim ids; a page shows who published the figure.)"""
    pages: dict[tuple[str, str], None] = {}
    for claim_id in ids_given(claim_ids):
        claim = ledger.claim.get(claim_id)
        if claim is None or (source := ledger.source.get(claim.source_id)) is None:
            continue
        http = isinstance(source.url, str) and source.url.startswith(("https://", "http://"))
        url = source.url if http else ""
        pages.setdefault((f"{source.outlet}, {claim.locator}", url), None)
    return list(pages)


def cited_words(pages: Sequence[tuple[str, str]]) -> str:
    return "; ".join(words for words, _ in pages)


#: A claim id or a source id as the ledger's notes cite them: 'R09a', 'A02', 'S55'.
_CITED_ID = re.compile(r"\b([ARS]\d{2}[a-z]?)\b")
#: A bracket of ids only, a curator's cross-reference: '(R09a)', '(source S12)', '(R52a, R52b)'.
_ID_BRACKET = re.compile(r"\s*\((?:source\s+)?[ARS]\d{2}[a-z]?(?:(?:,|;| and)\s*[ARS]\d{2}[a-z]?)*\)")
#: A source cited inside a note with its paragraph: ', S55 para 1'.
_SOURCE_AT = re.compile(r",?\s*\bS\d{2}(?: para \d+)?\b")


def note_words(note: str, ledger: Ledger) -> str:
    """A curator's note as a reader reads it: a bracketed cross-reference to other rows is left
    out (the tables list those rows), a claim id in a sentence becomes the figure it names ('the
    897 in hospital (18 Feb 2022)'), and a source id beside its paragraph is left out (the note
    names the outlet; the table links the page)."""

    def words(match: re.Match[str]) -> str:
        claim = ledger.claim.get(match.group(1))
        if claim is None:
            return "another figure in the ledger"
        return f"{claim_value(claim)} {MEASURES[claim.measure].label} ({date_words(claim.reported_on)})"

    return _CITED_ID.sub(words, _SOURCE_AT.sub("", _ID_BRACKET.sub("", note)))


# --- the report's tables -----------------------------------------------------------------------


def claims(table: pd.DataFrame, ledger: Ledger, name: str) -> ReadableTable:
    """A claims table (``analysis.claims_table`` and its kin): one row per reported figure."""
    pages = [read_in(ledger, [claim_id]) for claim_id in table["claim_id"]]
    frame = pd.DataFrame({
        "Reported": table["reported_on"].map(date_words),
        "Place": table["scope"],
        "Counted": [counted_words(m, p, k) for m, p, k in
                    zip(table["measure"], table["population"], table["count_kind"], strict=True)],
        "Figure": [figure_words(int(v), q, h) for v, q, h in
                   zip(table["value"], table["qualifier"], table["high"], strict=True)],
        "Range": [range_words(lo, hi) for lo, hi in zip(table["low"], table["high"], strict=True)],
        "Claimed by": table["claimant"],
        "Status": [status_words(s, ledger.claim[i].status_effective) for s, i in
                   zip(table["status"], table["claim_id"], strict=True)],
        "Note": [note_words(note, ledger) for note in table["note"]],
    })  # fmt: skip
    return ReadableTable(
        frame.assign(**{"Read in": [cited_words(p) for p in pages]}).reset_index(drop=True),
        name, ("Figure", "Range"), cited={"Read in": pages},
    )  # fmt: skip


def steps(latest: pd.DataFrame, ledger: Ledger, name: str) -> ReadableTable:
    """``analysis.latest_steps``: each step to sentence, its latest standing figure, when, by whom."""
    frame = pd.DataFrame({
        "Step": [MEASURES[m].label.capitalize() for m in latest["measure"]],
        "Latest figure": [figure_words(int(v), q, h) for v, q, h in
                          zip(latest["value"], latest["qualifier"], latest["high"], strict=True)],
        "Counts": [MEASURES[m].unit for m in latest["measure"]],
        "Reported": latest["reported_on"].map(date_words),
        "Claimed by": latest["claimant"],
    })  # fmt: skip
    pages = [read_in(ledger, [claim_id]) for claim_id in latest["claim_id"]]
    frame["Read in"] = [cited_words(p) for p in pages]
    return ReadableTable(frame.reset_index(drop=True), name, ("Latest figure",), cited={"Read in": pages})


def notes(
    claim_ids: Sequence[str], ledger: Ledger, name: str, only_not_standing: bool = False
) -> ReadableTable:
    """What to keep in mind about some claims (:meth:`Ledger.notes_for`): status and the
    curator's note, in full."""
    rows = ledger.notes_for(claim_ids, only_not_standing)
    pages = [read_in(ledger, [claim_id]) for claim_id in rows["claim_id"]]
    frame = pd.DataFrame({
        "Figure": [f"{claim_value(row)} {MEASURES[row.measure].label}"
                   for row in rows.itertuples(index=False)],
        "Claimed by": rows["claimant"],
        "Status": [status_words(s, since) for s, since in
                   zip(rows["status"], rows["status_effective"], strict=True)],
        "Note": [note_words(note, ledger) for note in rows["note"]],
        "Read in": [cited_words(p) for p in pages],
    })  # fmt: skip
    return ReadableTable(frame, name, (), cited={"Read in": pages})


def comparison(table: pd.DataFrame, ledger: Ledger, name: str) -> ReadableTable:
    """``comparisons.official_against``: one row per place, the other counter's latest toll (the
    Health Ministry's, or whoever the dataset's ``compared_with`` names), officials' as known on
    its day, and how the two compare under the rules, in words."""
    other = ledger.info.compared_with
    whose, label = CLAIMANT_GROUPS[other].whose, CLAIMANT_GROUPS[other].label

    def side(prefix: str) -> list[str]:
        return [
            total_words(ledger, ids, value, lower)
            + ("" if status == STANDING else f" ({status_word(status)})")
            for ids, value, lower, status in zip(table[f"{prefix}_claim_ids"], table[f"{prefix}_value"],
                                                 table[f"{prefix}_lower_bound"], table[f"{prefix}_status"],
                                                 strict=True)
        ]  # fmt: skip

    judged = [comparisons.judge(ledger, row) for row in table.itertuples(index=False)]
    frame = pd.DataFrame({
        "Place": table["scope"],
        "Officials' toll beside it": side("official"),
        "Officials, reported": table["official_reported_on"].map(date_words),
        f"{whose} latest toll": side(other),
        f"{label}, reported": table[f"{other}_reported_on"].map(date_words),
        "How they compare": [comparisons.sentence(c) for c in judged],
    })  # fmt: skip
    pages = [read_in(ledger, [*c.first.claim_ids, *c.second.claim_ids]) for c in judged]
    frame["Read in"] = [cited_words(p) for p in pages]
    return ReadableTable(
        frame, name, ("Officials' toll beside it", f"{whose} latest toll"), cited={"Read in": pages}
    )


def timeline(table: pd.DataFrame, ledger: Ledger, name: str) -> ReadableTable:
    """``analysis.toll_timeline``: every reported total, in date order, worded as reported."""
    frame = pd.DataFrame({
        "Reported": table["reported_on"].map(date_words),
        "Counted by": table["claimant_group"].map(lambda group: CLAIMANT_GROUPS[group].label),
        "Total": [total_words(ledger, ids, v, lower) for ids, v, lower in
                  zip(table["claim_ids"], table["value"], table["lower_bound"], strict=True)],
        "Made of": [" + ".join(POPULATIONS[p].label for p in ps) for ps in table["populations"]],
        "Status": table["status"].map(status_word),
    })  # fmt: skip
    pages = [read_in(ledger, ids) for ids in table["claim_ids"]]
    frame["Read in"] = [cited_words(p) for p in pages]
    return ReadableTable(frame, name, ("Total",), cited={"Read in": pages})


def estimates(table: pd.DataFrame, ledger: Ledger, name: str) -> ReadableTable:
    """``estimates.reconcile``: low, best and high at the end of each day a figure came in."""
    frame = pd.DataFrame({
        "As of the end of": table["date"].map(date_words),
        "Who": table["population"].map(lambda population: POPULATIONS[population].label),
        "Kind of count": table["count_kind"].map(lambda kind: COUNT_KINDS[kind].label),
        "Low": table["low"].map(count_words),
        "Best": table["best"].map(count_words),
        "High": [("open-ended" if pd.isna(h) and not pd.isna(lo) else count_words(h))
                 for lo, h in zip(table["low"], table["high"], strict=True)],
    })  # fmt: skip
    used = [read_in(ledger, ids) for ids in table["claim_ids"]]
    left_out = [read_in(ledger, ids) for ids in table["excluded_ids"]]
    frame["From figures read in"] = [cited_words(p) for p in used]
    frame["Withdrawn, left out"] = [cited_words(p) for p in left_out]
    return ReadableTable(frame, name, ("Low", "Best", "High"),
                         cited={"From figures read in": used, "Withdrawn, left out": left_out})  # fmt: skip


def corrections(table: pd.DataFrame, ledger: Ledger, name: str) -> ReadableTable:
    """``first_report.corrections``: what the focus source said and what later reporting shows."""
    frame = pd.DataFrame({
        "What it said": table["said"],
        "Status": table["status"].map(status_word),
        "What other reporting shows": table["what_other_reporting_shows"],
        "Latest estimate": table["latest_estimate"],
    })  # fmt: skip
    return ReadableTable(frame.reset_index(drop=True), name, ())


def sources(table: pd.DataFrame, name: str) -> ReadableTable:
    """The sources behind the claims: outlet, title, date, link."""
    frame = pd.DataFrame({
        "Outlet": table["outlet"],
        "Title": table["title"].fillna(""),
        "Published": [date_words(*dated) for dated in
                      zip(table["published_on"], table["date_from"], strict=True)],
        "Link": [url if str(url).startswith(("https://", "http://")) else ""
                 for url in table["url"].fillna("")],
    })  # fmt: skip
    return ReadableTable(frame, name, (), {"Link": {url: url for url in frame["Link"] if url}})
