"""The first report checked: what the dataset's focus source (the article) said, claim by claim,
against what other reporting later established, each sentence built from ledger fields."""

from __future__ import annotations

import pandas as pd

from casualty_report.content.estimates import final_estimates
from casualty_report.content.narrative import describe
from casualty_report.ledger.statuses import STATUSES
from casualty_report.ledger.vocabulary import CLAIMANT_GROUPS, MEASURES, POPULATIONS, counted_as


def corrections(claims: pd.DataFrame, source_id: str) -> pd.DataFrame:
    """What one source said, claim by claim, and what other reporting established: each
    sentence built from ledger fields and tied to claim ids."""
    # Plain dicts of named tuples: a pandas look-up per claim cost most of the time at scale.
    by_id = {claim.claim_id: claim for claim in claims.itertuples(index=False)}
    final = {
        (estimate.measure, estimate.population, estimate.scope, estimate.count_kind): estimate
        for estimate in final_estimates(claims).itertuples(index=False)
    }
    rows = []
    for claim in claims[claims["source_id"] == source_id].itertuples(index=False):
        findings = []
        if STATUSES[claim.status].withdrawn:
            findings.append(f"withdrawn on {claim.status_effective:%-d %B %Y}")
        key = (counted_as(claim.measure), claim.population, claim.scope, claim.count_kind)
        replaced = [claim.superseded_by] if STATUSES[claim.status].replaced and claim.superseded_by else []
        for other_id in [*replaced, *claim.corrected_by.split()]:
            if other_id not in by_id:
                continue  # not reported yet in a view rewound with as_of
            other = by_id[other_id]
            differences = _differences(claim, other)
            verb = "replaced by " if other_id in replaced else ""
            findings.append(
                f"{verb}{other.claimant} ({other.reported_on:%-d %b %Y}): {describe(other)}"
                + (f", that is {'; '.join(differences)}" if differences else "")
            )
            # A figure whose label other reporting disputes (26 'civilians' who were 'attackers')
            # is followed under the label that holds, not its own.
            if (
                STATUSES[claim.status].contested
                and (counted_as(other.measure), other.scope) == (key[0], key[2])
                and other.population != key[1]
            ):
                key = (counted_as(other.measure), other.population, other.scope, other.count_kind)
        later = "no later figure"
        estimate = final.get(key)
        if estimate is not None and estimate.claim_ids not in ((), (claim.claim_id,)):
            later = f"{estimate.best:,} as of {estimate.date:%-d %b %Y}"
        rows.append(
            {
                "claim_id": claim.claim_id,
                "said": f"{describe(claim)}, per {claim.claimant}",
                "status": claim.status,
                "what_other_reporting_shows": "; ".join(findings),
                "latest_estimate": later,
            }
        )
    return pd.DataFrame(
        rows, columns=["claim_id", "said", "status", "what_other_reporting_shows", "latest_estimate"]
    )


def _differences(said, other) -> list[str]:
    """How a later claim reframes one: place, measure, population, who counted."""
    differences = []
    if other.scope != said.scope:
        differences.append(f"{other.scope}, not {said.scope}")
    if other.measure != said.measure:
        differences.append(f"{MEASURES[other.measure].label}, not {MEASURES[said.measure].label}")
    if other.population != said.population:
        differences.append(f"{POPULATIONS[other.population].label}, not {POPULATIONS[said.population].label}")
    if other.claimant_group != said.claimant_group:
        differences.append(
            f"counted by {CLAIMANT_GROUPS[other.claimant_group].counter}, "
            f"not {CLAIMANT_GROUPS[said.claimant_group].counter}"
        )
    return differences
