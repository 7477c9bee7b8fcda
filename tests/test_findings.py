"""The written findings (findings.py): each figure filled in from the ledger, each claim pinned
with what the sentence needs, a render refused when the ledger stops saying it, and each view
shows only the findings it can support."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

from casualty_report.content import findings
from casualty_report.ledger.load import load_ledger
from casualty_report.paths import DEFAULT_DATASET, REPO_ROOT

from .conftest import main_in_process as run

PARAMS = sorted((REPO_ROOT / "params").glob("*.yml"))


def leads(shown) -> list[str]:
    return [re.match(r"\*\*(.+?)\*\*", finding.text).group(1) for finding in shown]


def test_the_shipped_findings_hold(ledger):
    assert findings.problems(ledger) == []
    assert len(ledger.info.findings) >= 5


def test_figures_are_filled_in_from_the_ledger(ledger):
    text = findings.markdown(ledger)
    # {R09a~R35a}: the ministry's own exact 164, so the gap is measured, not bounded
    assert "The Health Ministry's withdrawn 164 was 74 fewer than the final count of 238." in text
    assert "added up they make 42, our sum, not a toll officials gave" in text  # {A02+A03}
    assert "Officials' first toll that stood was 225, on 15 January 2022" in text  # {R23a:date}
    assert "{" not in text and not re.search(r"\b[ARS]\d{2}[a-z]?\b", text)  # no reference or id left


def test_cited_figures_are_linked_to_their_sources(ledger):
    html = findings.render(ledger.info.findings[0], ledger, lambda ids: f"[{' '.join(ids)}]")
    assert html.startswith("<strong>The only count of everyone killed")
    assert "The Health Ministry's 164[R09a] dead" in html
    assert "on 9 January 2022, was disowned" in html  # a date whose claim a figure cites cites nothing


@pytest.mark.parametrize("dataset", [DEFAULT_DATASET, "karakalpakstan-2022-07"])
def test_a_findings_plain_words_are_its_pages_sentence_without_markup(dataset):
    """findings.json and the site index take a finding's plain form, the run page its HTML: the
    two are written from the finding's own text, and say the same."""
    ledger = load_ledger(dataset)
    for finding in ledger.info.findings:
        written = findings.written(finding, ledger)
        page = findings.render(finding, ledger)
        assert html.unescape(re.sub(r"<[^>]+>", "", page)) == written.words
        assert f"<strong>{html.escape(written.heading, quote=False)}</strong>" in page
        assert written.claims and set(written.claims) <= set(ledger.claims["claim_id"])


def test_a_date_cites_its_claim_when_no_figure_does():
    nukus = load_ledger("karakalpakstan-2022-07")
    trials = next(f for f in nukus.info.findings if "died in custody" in f.text)
    html = findings.render(trials, nukus, lambda ids: f"[{' '.join(ids)}]")
    assert "the Prosecutor General's Office said on 6 February 2023[D01]." in html


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (
            {"as_of": "2022-01-10"},  # the article's world: nothing from after 9 January
            [
                (
                    "The only count of everyone killed that the authorities gave in the first week "
                    "was withdrawn within hours."
                ),
                "Officials gave counts of parts, not a toll.",
                "The article's 5,800 were detained across the country, not arrested in Almaty.",
                "The article's injured come from two counting systems that cannot be added.",
            ],
        ),
        (
            {"scope": "Almaty"},
            [
                "In Almaty, the withdrawn figure was below the city's final count.",
                "Officials' count for the city took a year to settle.",
                "A day's detentions, not the city's total.",
            ],
        ),
        (
            {"scope": "Kazakhstan"},
            [
                (
                    "The only count of everyone killed that the authorities gave in the first week "
                    "was withdrawn within hours."
                ),
                "Officials gave counts of parts, not a toll.",
                "The official count settled at {R35a} in August 2022.",
                "The withdrawn figure was below the final count, not above it.",
                "Detentions ran into the thousands within days.",
            ],
        ),
    ],
)
def test_a_view_shows_only_the_findings_it_holds(ledger, view, expected):
    shown = findings.shown_in(ledger.in_scope(view.get("scope")).known_before(view.get("as_of")), 5)
    assert leads(shown) == expected


@pytest.mark.parametrize("path", PARAMS, ids=lambda path: path.stem)
def test_every_shipped_set_opens_with_three_to_five_findings_that_hold(path):
    values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}  # comments only: the defaults
    ledger = load_ledger(values.get("dataset", DEFAULT_DATASET))
    view = ledger.in_scope(values.get("scope")).known_before(values.get("as_of"))
    shown = findings.shown_in(view, findings.FRONT_PAGE_FINDINGS)
    assert 3 <= len(shown) <= 5, path.name
    for finding in shown:  # every claim cited, in this view, with the value and status pinned
        for claim_id, value, status in finding.needs:
            assert int(view.claim[claim_id].value) == value
            assert not status or view.claim[claim_id].status == status


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_withdrawn_claim_cited_as_withdrawn_that_stands_again_fails_validation(ledger_copy):
    edit(
        ledger_copy / "claims.csv",
        "A01,2022-01-09,deaths,all,Kazakhstan,164,,at_least,running_total,Health Ministry,"
        "health_ministry,,retracted,2022-01-09,S12,",
        "A01,2022-01-09,deaths,all,Kazakhstan,164,,at_least,"
        "running_total,Health Ministry,health_ministry,,active,,,",
    )
    result = run("validate", "--data-dir", str(ledger_copy))
    assert result.returncode == 1
    assert (
        f"{ledger_copy / 'dataset.yml'}, column 'findings, item 1': got 'A01: 164 retracted'; "
        "expected what the ledger holds now (164 active): rewrite the finding, then its needs"
    ) in result.stderr


def test_a_figure_that_moved_fails_validation_and_the_render(ledger_copy, tmp_path):
    edit(
        ledger_copy / "claims.csv",
        "R35a,2022-08-16,deaths,all,Kazakhstan,238,",
        "R35a,2022-08-16,deaths,all,Kazakhstan,239,",
    )
    result = run("validate", "--data-dir", str(ledger_copy))
    assert result.returncode == 1 and "got 'R35a: 238 active'" in result.stderr
    rendered = run("render", "-p", f"data_dir={ledger_copy}", "--out", str(tmp_path / "reports"))
    assert rendered.returncode == 1 and "got 'R35a: 238 active'" in rendered.stderr
    assert not (tmp_path / "reports" / "latest").exists()  # refused before any kernel started


@pytest.mark.parametrize(
    ("text", "needs", "problem"),
    [
        ("{A01~A09}", "{A01: 164, A09: 12}", "two figures the comparison rules allow (they count different"),
        ("{A01}", "{A02: 26}", "got 'A01'; expected every cited claim listed in needs"),
        ("{A01 R35a}", "{A01: 164}", "expected a reference {ID}, {ID+ID}, {ID~ID} or {ID:date}"),
        ("{Z99}", "{Z99: 1}", "got 'Z99'; expected the claim_id of a row of claims.csv"),
    ],
)
def test_a_finding_that_breaks_a_rule_is_refused(ledger_copy, text, needs, problem):
    info = ledger_copy / "dataset.yml"
    info.write_text(
        info.read_text(encoding="utf-8").split("findings:")[0]
        + f'findings:\n  - text: "{text}"\n    needs: {needs}\n',
        encoding="utf-8",
    )
    found = findings.problems(load_ledger(data_dir=ledger_copy))
    assert any(problem in str(p) for p in found), [str(p) for p in found]


def test_a_malformed_needs_is_named(ledger_copy):
    info = ledger_copy / "dataset.yml"
    info.write_text(
        info.read_text(encoding="utf-8").split("findings:")[0]
        + 'findings:\n  - text: "{A01}"\n    needs: {A01: many}\n',
        encoding="utf-8",
    )
    result = run("validate", "--data-dir", str(ledger_copy))
    assert result.returncode == 1
    assert "column 'findings, item 1': got 'A01: many'; expected a claim_id with the value" in result.stderr
