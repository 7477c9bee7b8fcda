"""The headline findings: sentences an editor wrote in ``dataset.yml``, their figures filled in
from the ledger when the report renders, so a sentence cannot drift from the rows it cites.

A finding's text refers to claims in braces:

- ``{R35a}``: the claim's figure as a reader reads it ('238', 'at least 164', "26 'attackers'");
- ``{A02+A03}``: the sum of some claims' figures (the words around it must call it a sum);
- ``{A01~R35a}``: how the first stands against the second, under the comparison rules
  (:mod:`casualty_report.content.comparisons`): 'at most 74 fewer than';
- ``{R23a:date}``: the day the claim was reported ('15 January 2022').

Every claim a text cites is pinned in its ``needs`` with the value the sentence was written for
and, where the sentence depends on it, the status. :func:`problems` checks the pins against the
whole ledger (the render and ``casualty-report validate`` fail on a mismatch: a withdrawn claim
cited as standing, a figure that moved); :func:`shown_in` keeps, for one view of the ledger
(``scope``, ``as_of``), the findings whose claims it holds with the statuses they need.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from casualty_report.content import comparisons
from casualty_report.errors import LedgerError
from casualty_report.ledger.files import INFO_FILE, Finding, Problem
from casualty_report.ledger.load import Ledger
from casualty_report.ledger.vocabulary import QUALIFIERS

REFERENCE = re.compile(r"\{([^{}]*)\}")
_ID = r"[A-Za-z0-9_-]+"
_FORMS = {
    "figure": re.compile(rf"({_ID})"),
    "sum": re.compile(rf"({_ID}(?:\+{_ID})+)"),
    "gap": re.compile(rf"({_ID})~({_ID})"),
    "date": re.compile(rf"({_ID}):date"),
}
#: The front page shows at most this many: a reader takes in five in half a minute.
FRONT_PAGE_FINDINGS = 5


@dataclass(frozen=True)
class Reference:
    form: str  # figure, sum, gap or date
    ids: tuple[str, ...]


def references(text: str) -> list[Reference | str]:
    """Each ``{…}`` of a text parsed, or the bad reference itself as a string."""
    found: list[Reference | str] = []
    for inner in REFERENCE.findall(text):
        for form, pattern in _FORMS.items():
            match = pattern.fullmatch(inner)
            if match:
                ids = tuple(match.group(1).split("+")) if form == "sum" else match.groups()
                found.append(Reference(form, ids))
                break
        else:
            found.append(inner)
    return found


def problems(ledger: Ledger) -> list[Problem]:
    """What is wrong with the dataset's findings against the whole ledger: a reference that does
    not parse, a claim that is missing or not pinned, a value or status that is not what the
    sentence was written for, a comparison the rules refuse."""
    file = str(ledger.directory / INFO_FILE)
    found = [
        Problem(file, 0, "final_counts", claim_id, "the claim_id of a row of claims.csv")
        for claim_id in ledger.info.final_counts
        if claim_id not in ledger.claim
    ]
    for number, finding in enumerate(ledger.info.findings, 1):
        column = f"findings, item {number}"
        pinned = {claim_id for claim_id, _, _ in finding.needs}
        for reference in references(finding.text):
            if isinstance(reference, str):
                found.append(
                    Problem(
                        file,
                        0,
                        column,
                        "{" + reference + "}",
                        "a reference {ID}, {ID+ID}, {ID~ID} or {ID:date}",
                    )
                )
                continue
            for claim_id in reference.ids:
                if claim_id not in pinned:
                    found.append(Problem(file, 0, column, claim_id, "every cited claim listed in needs"))
            if reference.form == "sum" and any(
                claim_id in ledger.claim and QUALIFIERS[ledger.claim[claim_id].qualifier].word
                for claim_id in reference.ids
            ):
                found.append(
                    Problem(
                        file,
                        0,
                        column,
                        "{" + "+".join(reference.ids) + "}",
                        "a sum of figures that are numbers, not vague words such as 'dozens'",
                    )
                )
            if reference.form == "gap" and set(reference.ids) <= set(ledger.claim):
                comparison = _gap(ledger, reference)
                if not comparison.compared:
                    found.append(
                        Problem(
                            file,
                            0,
                            column,
                            "{" + "~".join(reference.ids) + "}",
                            f"two figures the comparison rules allow ({comparison.reason})",
                        )
                    )
        for claim_id, value, status in finding.needs:
            claim = ledger.claim.get(claim_id)
            if claim is None:
                found.append(Problem(file, 0, column, claim_id, "the claim_id of a row of claims.csv"))
            elif int(claim.value) != value or (status and claim.status != status):
                said = f"{value}{' ' + status if status else ''}"
                found.append(
                    Problem(
                        file,
                        0,
                        column,
                        f"{claim_id}: {said}",
                        f"what the ledger holds now ({int(claim.value)} {claim.status}): "
                        "rewrite the finding, then its needs",
                    )
                )
    return found


def check(ledger: Ledger) -> Ledger:
    """The ledger, once its findings hold; else :class:`LedgerError` listing what does not."""
    found = problems(ledger)
    if found:
        raise LedgerError(found)
    return ledger


def shown_in(view: Ledger, limit: int | None = None) -> list[Finding]:
    """The findings a view of the ledger can show: every claim they cite is in it, with the
    status the sentence needs as known on the view's day. In the dataset's order."""
    shown = [
        finding
        for finding in view.info.findings
        if all(
            claim_id in view.claim and (not status or view.claim[claim_id].status == status)
            for claim_id, _, status in finding.needs
        )
    ]
    return shown[:limit]


def _gap(ledger: Ledger, reference: Reference) -> comparisons.Comparison:
    first, second = reference.ids
    return comparisons.compare(comparisons.figure(ledger, second), comparisons.figure(ledger, first))


def _words(ledger: Ledger, reference: Reference) -> str:
    claims = [ledger.claim[claim_id] for claim_id in reference.ids]
    if reference.form == "figure":
        return comparisons.figure_words(claims[0])
    if reference.form == "sum":  # 'at least' when a part is a floor, 'about' when one is rounded
        qualifiers = [QUALIFIERS[claim.qualifier] for claim in claims]
        prefix = (
            "at least "
            if any(q.lower_bound for q in qualifiers)
            else "about "
            if any(q.prefix for q in qualifiers)
            else ""
        )
        return f"{prefix}{sum(int(claim.value) for claim in claims):,}"
    if reference.form == "date":
        return comparisons.day_words(claims[0].reported_on)
    return comparisons.gap_words(_gap(ledger, reference))


def render(finding: Finding, ledger: Ledger, cite: Callable[[Sequence[str]], str] | None = None) -> str:
    """A finding as HTML: its text escaped, ``**lead**`` in bold, each reference filled in from
    the ledger, and after each figure or sum ``cite(claim_ids)`` (links to their sources); a
    date cites its claim too when no figure of the sentence does ('a defendant died in custody,
    the office said on 6 February 2023')."""
    cited = {
        claim_id
        for ref in references(finding.text)
        if isinstance(ref, Reference) and ref.form in ("figure", "sum")
        for claim_id in ref.ids
    }

    def fill(match: re.Match[str]) -> str:
        reference = references(match.group(0))[0]
        assert isinstance(reference, Reference), "problems() refuses a bad reference"
        words = html.escape(_words(ledger, reference), quote=False)
        uncited = reference.form == "date" and not set(reference.ids) <= cited
        if cite is not None and (reference.form in ("figure", "sum") or uncited):
            words += cite(reference.ids)
        return words

    escaped = html.escape(finding.text, quote=False)  # braces and ids pass through unescaped
    filled = REFERENCE.sub(fill, escaped)
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", filled)


@dataclass(frozen=True)
class Written:
    """A finding filled in from the ledger, in each form a page or a file takes it."""

    heading: str  # its bold lead, else its first sentence: plain text
    words: str  # the whole finding, plain text
    claims: tuple[str, ...]  # the claims it cites, ids of the run's ledger (``ledger/claims.csv``)

    @property
    def headline(self) -> str:
        """Its first sentence, for the site index."""
        return self.words.split(". ")[0]

    def as_data(self) -> dict[str, Any]:
        """For reuse (``findings.json``)."""
        return {"heading": self.heading, "words": self.words, "claims": list(self.claims)}


def _filled(finding: Finding, ledger: Ledger) -> str:
    """The finding's text with each reference filled in from the ledger (``**lead**`` kept)."""

    def fill(match: re.Match[str]) -> str:
        reference = references(match.group(0))[0]
        assert isinstance(reference, Reference), "problems() refuses a bad reference"
        return _words(ledger, reference)

    return REFERENCE.sub(fill, finding.text)


def written(finding: Finding, ledger: Ledger) -> Written:
    """A finding as plain text, references filled in, from its own text (not from a page)."""
    filled = _filled(finding, ledger)
    lead = re.search(r"\*\*(.+?)\*\*", filled)
    words = filled.replace("**", "")
    ids = {i for ref in references(finding.text) if isinstance(ref, Reference) for i in ref.ids}
    return Written(lead.group(1) if lead else words.split(". ")[0], words, tuple(sorted(ids)))


def markdown(ledger: Ledger) -> str:
    """Every finding of the dataset as a Markdown list, figures filled in: the README's text."""
    lines = []
    for finding in ledger.info.findings:
        lines.append(f"- {_filled(finding, ledger)}")
    return "\n".join(lines) + "\n"
