"""The report's words that depend on the data: headings from ``dataset.yml`` and findings
computed from the ledger, as Markdown. Notebooks hold no event-specific text, so the same
notebooks report any dataset, and a finding can never go stale when the ledger changes."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import Markdown

from casualty_report import analysis
from casualty_report.ledger import Ledger


def heading(ledger: Ledger) -> Markdown:
    """Which report this page belongs to, and what it covers: place and date. (The lede is on
    the front page; every page repeating it would bury the page's own story.)"""
    return Markdown(f"*{_text(ledger.info.title)}* {coverage(ledger)}")


def coverage(ledger: Ledger) -> str:
    """Where and as of when, in one sentence of Markdown."""
    place = f"Place: **{_text(ledger.scope)}**." if ledger.scope else "Every place in the ledger."
    if ledger.as_of is not None:
        return f"{place} As known at the start of **{ledger.as_of:%-d %B %Y}**: later claims and status changes are left out."
    until = ledger.reported_until
    return place + (f" Figures reported up to **{until:%-d %B %Y}**." if until is not None else " No figures yet.")


def claims_summary(ledger: Ledger) -> Markdown:
    """How many claims, from how many sources, and how many no longer stand as published."""
    claims = ledger.claims
    counts = claims["status"].value_counts()
    standing = ", ".join(f"{counts.get(status, 0)} {status}" for status in ("retracted", "disputed", "superseded"))
    return Markdown(
        f"**What the numbers show.** {len(claims)} reported figures from "
        f"{claims['source_id'].nunique()} sources: {counts.get('active', 0)} stand as published; "
        f"{standing}."
    )


def toll_summary(ledger: Ledger) -> Markdown:
    """Officials' latest toll against the Health Ministry's, per place both reported."""
    comparison = analysis.compare_official_health(ledger.claims, "deaths")
    if comparison.empty:
        return Markdown("**What the numbers show.** No place has death tolls from both officials and the Health Ministry.")
    sentences = [
        f"In {_text(row.scope)}, officials' latest toll was {_total(row.official_value, row.official_lower_bound)}"
        f" ({row.official_reported_on:%-d %b %Y}, {_text(row.official_claim_ids)}{_flag(row.official_status)});"
        f" the Health Ministry's was {_total(row.health_ministry_value, row.health_ministry_lower_bound)}"
        f" ({row.health_ministry_reported_on:%-d %b %Y}, {_text(row.health_ministry_claim_ids)}"
        f"{_flag(row.health_ministry_status)}), {_gap(row.difference, row.ratio)}."
        for row in comparison.itertuples(index=False)
    ]
    return Markdown("**What the numbers show.** " + " ".join(sentences))


def timeline_summary(ledger: Ledger, measure: str = "deaths") -> Markdown:
    """Where the place's count started, where it ended, and the reconciled estimate now."""
    national = ledger.place
    points = analysis.toll_timeline(ledger.claims, measure, national)
    standing = points[points["status"] != "retracted"]
    if standing.empty:
        return Markdown(f"**What the numbers show.** No standing total of people {_word(measure)} yet.")
    first, last = standing.iloc[0], standing.iloc[-1]
    text = (
        f"**What the numbers show.** The first standing total of people {_word(measure)} in {_text(national)} was "
        f"{_total(first['value'], first['lower_bound'])} ({first['reported_on']:%-d %b %Y}, {_text(first['claim_ids'])}); "
        f"the latest is {_total(last['value'], last['lower_bound'])} ({last['reported_on']:%-d %b %Y}, "
        f"{_text(last['claim_ids'])})"
    )
    final = analysis.final_estimates(ledger.claims)
    final = final[(final["measure"] == measure) & (final["population"] == "all") & (final["scope"] == national)]
    if len(final) and not pd.isna(final["best"].iloc[0]):
        estimate = final.iloc[0]
        high = "open" if pd.isna(estimate["high"]) else f"{estimate['high']:,}"
        text += f". Reconciled: best {estimate['best']:,}, low {estimate['low']:,}, high {high}"
    retracted = points[points["status"] == "retracted"]
    if len(retracted):
        text += f". Withdrawn along the way: {', '.join(f'{v:,}' for v in retracted['value'].unique())}"
    return Markdown(text + ".")


def corrections_summary(ledger: Ledger) -> Markdown:
    """How the focus source's figures fared."""
    info = ledger.info
    said = ledger.claims[ledger.claims["source_id"] == info.focus_source]
    counts = said["status"].value_counts()
    parts = [
        _count(counts.get("active", 0), "stands as published", "stand as published"),
        _count(counts.get("superseded", 0), "was later revised by the same authorities",
               "were later revised by the same authorities"),
        _count(counts.get("disputed", 0), "is framed in a way other reporting contradicts",
               "are framed in a way other reporting contradicts"),
        _count(counts.get("retracted", 0), "had been withdrawn", "had been withdrawn"),
    ]  # fmt: skip
    return Markdown(
        f"**What the numbers show.** Of the {len(said)} figures in {_text(info.focus_label)}, "
        + ", ".join(parts[:-1]) + f" and {parts[-1]}."
    )


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _text(value: object) -> str:
    """Ledger text made inert in Markdown: no HTML, no emphasis, links or headings."""
    marked = "".join(f"\\{char}" if char in "\\`*_[]#|~" else char for char in str(value))
    return html.escape(marked, quote=False)  # after: an entity's '#' must not be escaped


def _total(value, lower_bound) -> str:
    return f"{'at least ' if lower_bound else ''}{int(value):,}"


def _flag(status: str) -> str:
    return {"active": "", "retracted": ", withdrawn"}.get(status, f", {status}")


def _gap(difference, ratio) -> str:
    """How the Health Ministry's toll compares with the officials': '3.9 times theirs', '74 fewer'."""
    if not pd.isna(ratio) and ratio >= 2:
        return f"{ratio:.1f} times theirs"
    if difference == 0:
        return "the same"
    return f"{abs(int(difference)):,} {'more' if difference > 0 else 'fewer'}"


def _word(measure: str) -> str:
    return analysis.MEASURE_WORDS[measure]
