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

from casualty_report.ledger import Ledger
from casualty_report.narrative import display_value, gap_words, status_word, total_words
from casualty_report.vocabulary import CLAIMANT_GROUPS, COUNT_KINDS, MEASURES, POPULATIONS

# One wording everywhere: the tables say what the charts and findings say.


#: Past this a page shows the first rows and says so; the CSV download holds every row.
MAX_ROWS = 200
#: A body cell as pandas' Styler writes it, up to its class attribute; group 1: its column.
_CELL = re.compile(r'<td id="T_[^"]*_row\d+_col(\d+)" class="[^"]*"')


@dataclass(frozen=True)
class ReadableTable:
    """A table for reading: HTML in a notebook or page, aligned text elsewhere."""

    frame: pd.DataFrame
    name: str  # a stable id for the HTML (several tables share a page)
    numeric: tuple[str, ...] = ()  # columns of figures: right-aligned
    links: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # column -> cell text -> URL
    caption: str | None = None

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
        shown = self.shown
        styler = shown.style.hide(axis="index").format(escape="html", na_rep="")
        for column, urls in self.links.items():
            styler = styler.format(lambda text, urls=urls: _link(text, urls.get(html.unescape(text))),
                                   subset=[column], escape="html")  # fmt: skip
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
        markup = markup.replace(
            '<th id="', '<th role="columnheader" scope="col" id="'
        )  # they name their columns
        # Each cell names its column too: on a phone a row is shown as a card of labelled lines
        # (report.css), the figure and the note in view instead of off to the right. Explicit
        # roles keep it a table for screen readers that drop the semantics of re-laid-out cells.
        labels = [html.escape(str(column), quote=True) for column in shown.columns]
        markup = _CELL.sub(
            lambda cell: f'<td role="cell"{cell[0][3:]} data-label="{labels[int(cell[1])]}"', markup
        )
        for tag, role in (
            ("<table", "table"),
            ("<thead", "rowgroup"),
            ("<tbody", "rowgroup"),
            ("<tr", "row"),
        ):
            markup = re.sub(rf"{tag}(?=[ >])", f'{tag} role="{role}"', markup)
        label = html.escape(self.note or f"Table: {', '.join(map(str, shown.columns[:3]))}…", quote=True)
        # A box that scrolls sideways on a phone: focusable, so keyboards can scroll it too.
        return f'<div class="table-box" role="region" tabindex="0" aria-label="{label}">\n{markup}</div>\n'

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        if self.frame.empty:
            return "(no rows)"
        text = self.shown.to_string(index=False, na_rep="", max_colwidth=60)
        return f"{text}\n{self.note}" if self.note else text


# --- words for values --------------------------------------------------------------------------


def figure_words(value: int, qualifier: str) -> str:
    """'164', 'at least 164', 'over 5,800', 'dozens (counted as 12)'."""
    return display_value(value, qualifier)


def date_words(date) -> str:
    return "" if pd.isna(date) else f"{pd.Timestamp(date):%-d %b %Y}"


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
    return f"{words} ({date_words(since)})" if status == "retracted" and not pd.isna(since) else words


def counted_words(measure: str, population: str) -> str:
    """'dead: everyone', 'detained: everyone', 'injured: security forces'."""
    return f"{MEASURES[measure].label}: {POPULATIONS[population].label}"


def source_links(ledger: Ledger) -> dict[str, str]:
    """Claim id -> the URL of the page the figure was read in (http(s) only; none for sources
    without one)."""
    sources = ledger.sources
    urls = dict(
        zip(sources["source_id"].tolist(), sources["url"].fillna("").astype(str).tolist(), strict=True)
    )
    links = {}
    claims = ledger.claims
    for claim_id, source_id in zip(claims["claim_id"].tolist(), claims["source_id"].tolist(), strict=True):
        url = urls.get(source_id, "")
        if url.startswith(("https://", "http://")):
            links[claim_id] = url
    return links


def _link(text: str, url: str | None) -> str:
    # ``text`` arrives escaped by the Styler; the URL is escaped here.
    return f'<a href="{html.escape(url, quote=True)}">{text}</a>' if url else text


# --- the report's tables -----------------------------------------------------------------------


def claims(table: pd.DataFrame, ledger: Ledger, name: str) -> ReadableTable:
    """A claims table (``analysis.claims_table`` and its kin): one row per reported figure."""
    frame = pd.DataFrame({
        "Claim": table["claim_id"],
        "Reported": table["reported_on"].map(date_words),
        "Place": table["scope"],
        "Counted": [counted_words(m, p) for m, p in zip(table["measure"], table["population"], strict=True)],
        "Figure": [figure_words(int(v), q) for v, q in zip(table["value"], table["qualifier"], strict=True)],
        "Range": [range_words(lo, hi) for lo, hi in zip(table["low"], table["high"], strict=True)],
        "Claimed by": table["claimant"],
        "Status": [status_words(s, ledger.claim[i].status_effective) for s, i in zip(table["status"], table["claim_id"], strict=True)],
        "Note": table["note"],
    })  # fmt: skip
    return ReadableTable(
        frame.reset_index(drop=True), name, ("Figure", "Range"), {"Claim": source_links(ledger)}
    )


def steps(latest: pd.DataFrame, ledger: Ledger, name: str) -> ReadableTable:
    """``analysis.latest_steps``: each step from detention to sentence, its latest standing
    figure, when and by whom."""
    frame = pd.DataFrame({
        "Step": [MEASURES[m].label.capitalize() for m in latest["measure"]],
        "Latest figure": [figure_words(int(v), q) for v, q in zip(latest["value"], latest["qualifier"], strict=True)],
        "Counts": [MEASURES[m].unit for m in latest["measure"]],
        "Reported": latest["reported_on"].map(date_words),
        "Claimed by": latest["claimant"],
        "Claim": latest["claim_id"],
    })  # fmt: skip
    return ReadableTable(
        frame.reset_index(drop=True), name, ("Latest figure",), {"Claim": source_links(ledger)}
    )


def notes(
    claim_ids: Sequence[str], ledger: Ledger, name: str, only_not_standing: bool = False
) -> ReadableTable:
    """What to keep in mind about some claims (:meth:`Ledger.notes_for`): status and the
    curator's note, in full."""
    rows = ledger.notes_for(claim_ids, only_not_standing)
    frame = pd.DataFrame({
        "Claim": rows["claim_id"],
        "Figure": [figure_words(int(v), q) + " " + MEASURES[m].label
                   for v, q, m in zip(rows["value"], rows["qualifier"], rows["measure"], strict=True)],
        "Status": [status_words(s, since) for s, since in zip(rows["status"], rows["status_effective"], strict=True)],
        "Note": rows["note"],
    })  # fmt: skip
    return ReadableTable(frame, name, (), {"Claim": source_links(ledger)})


def comparison(table: pd.DataFrame, ledger: Ledger, name: str) -> ReadableTable:
    """``analysis.compare_official_health``: one row per place, each side's latest toll and date."""

    def side(prefix: str) -> list[str]:
        return [
            total_words(ledger, ids, value, lower) + ("" if status == "active" else f" ({status_word(status)})")
            for ids, value, lower, status in zip(table[f"{prefix}_claim_ids"], table[f"{prefix}_value"],
                                                 table[f"{prefix}_lower_bound"], table[f"{prefix}_status"], strict=True)
        ]  # fmt: skip

    gaps = [gap_words(ledger, row) for row in table.itertuples(index=False)]
    frame = pd.DataFrame({
        "Place": table["scope"],
        "Officials' latest toll": side("official"),
        "Officials, reported": table["official_reported_on"].map(date_words),
        "Health Ministry's latest toll": side("health_ministry"),
        "Health Ministry, reported": table["health_ministry_reported_on"].map(date_words),
        "Health Ministry against officials": [gap.removesuffix(" than") if gap else "not comparable" for gap in gaps],
        "Claims": table["official_claim_ids"] + "; " + table["health_ministry_claim_ids"],
    })  # fmt: skip
    return ReadableTable(frame, name, ("Officials' latest toll", "Health Ministry's latest toll"))


def timeline(table: pd.DataFrame, ledger: Ledger, name: str) -> ReadableTable:
    """``analysis.toll_timeline``: every reported total, in date order, worded as reported."""
    frame = pd.DataFrame({
        "Reported": table["reported_on"].map(date_words),
        "Counted by": table["claimant_group"].map(lambda group: CLAIMANT_GROUPS[group].label),
        "Total": [total_words(ledger, ids, v, lower)
                  for ids, v, lower in zip(table["claim_ids"], table["value"], table["lower_bound"], strict=True)],
        "Made of": [" + ".join(POPULATIONS[p].label for p in ps.split(" + ")) for ps in table["populations"]],
        "Status": table["status"].map(status_word),
        "Claims": table["claim_ids"],
    })  # fmt: skip
    return ReadableTable(frame, name, ("Total",))


def estimates(table: pd.DataFrame, name: str) -> ReadableTable:
    """``estimates.reconcile``: low, best and high at the end of each day a figure came in."""
    frame = pd.DataFrame({
        "As of the end of": table["date"].map(date_words),
        "Who": table["population"].map(lambda population: POPULATIONS[population].label),
        "Kind of count": table["count_kind"].map(lambda kind: COUNT_KINDS[kind].label),
        "Low": table["low"].map(count_words),
        "Best": table["best"].map(count_words),
        "High": [("open-ended" if pd.isna(h) and not pd.isna(lo) else count_words(h))
                 for lo, h in zip(table["low"], table["high"], strict=True)],
        "From claims": table["claim_ids"],
        "Left out (withdrawn)": table["excluded_ids"],
    })  # fmt: skip
    return ReadableTable(frame, name, ("Low", "Best", "High"))


def corrections(table: pd.DataFrame, ledger: Ledger, name: str) -> ReadableTable:
    """``narrative.corrections``: what the focus source said and what later reporting shows."""
    frame = pd.DataFrame({
        "Claim": table["claim_id"],
        "What it said": table["said"],
        "Status": table["status"].map(status_word),
        "What other reporting shows": table["what_other_reporting_shows"],
        "Latest estimate": table["latest_estimate"],
    })  # fmt: skip
    return ReadableTable(frame, name, (), {"Claim": source_links(ledger)})


def sources(table: pd.DataFrame, name: str) -> ReadableTable:
    """The sources behind the claims: outlet, title, date, link."""
    frame = pd.DataFrame({
        "Source": table["source_id"],
        "Outlet": table["outlet"],
        "Title": table["title"].fillna(""),
        "Published": table["published_on"].map(date_words),
        "Link": [url if str(url).startswith(("https://", "http://")) else "" for url in table["url"].fillna("")],
    })  # fmt: skip
    urls = {url: url for url in frame["Link"] if url}
    return ReadableTable(frame, name, (), {"Link": urls})
