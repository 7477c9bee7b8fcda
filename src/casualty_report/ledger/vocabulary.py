"""The ledger's controlled words, each with everything the report says or draws for it.

One entry per word: what it means (the data README documents the same), how a page names it,
and for claimant groups the colour they are drawn in. Adding a word is one edit here plus its
line in the dataset's README; the validator, the codebook, the tables, the charts and the
sentences all read these registries when they run, so none of them can miss it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from casualty_report.ledger.source_vocabulary import KNOWN_FROM
from casualty_report.ledger.statuses import STATUSES


@dataclass(frozen=True)
class Measure:
    meaning: str  # what the figure counts (the data README's definition)
    label: str  # after a number on a page: "164 dead", "5,800 detained"
    unit: str = "people"  # what is counted: people, cases or complaints
    topic: str = ""  # the notebook table it belongs to: casualties, injuries, arrests or justice
    step: int = 0  # its place on the path from detention to sentence (0: not on it)
    # Another measure that counts the same people under another word (sources write "arrested"
    # for people officials count as detained): timelines, estimates and comparisons follow both.
    same_people_as: str = ""


@dataclass(frozen=True)
class Population:
    meaning: str
    label: str  # in brackets after a figure: "16 dead (security forces)"
    addable: bool  # part of a partition of "all": civilians + security forces + attackers


@dataclass(frozen=True)
class Qualifier:
    meaning: str
    prefix: str  # written before the number: "at least 164"; "" when the word itself is shown
    lower_bound: bool  # the true figure may be larger than any stated number
    word: str = ""  # a vague word shown instead of a number ("dozens (counted as 12)")
    # The claimant gave two numbers, the least and the most ('55–77'): the row's value is the
    # least and its value_high the most, and the figure is written and drawn as both.
    range: bool = False
    upper_bound: bool = False  # 'up to 1.1 billion': the true figure is at most this, from 0


@dataclass(frozen=True)
class CountKind:
    meaning: str
    label: str  # in a table or a sentence: "a count at one moment"
    aside: str = ""  # in brackets after a figure or what it counts: "719 (at one moment)"


@dataclass(frozen=True)
class ClaimantGroup:
    meaning: str
    label: str  # a heading or a legend: "Officials"
    counter: str  # after "counted by": "officials"
    whose: str  # starts a chart title: "Officials' count of …"
    colour: str  # Okabe & Ito (2008), safe for the common colour-vision deficiencies
    colour_name: str  # how a legend's key names the colour
    # Its figures form one series that a line may join (one state's counts); independent lists
    # and foreign bodies are separate counters, shown as points: a line would invent a trend.
    series: bool = False


MEASURES: dict[str, Measure] = {
    "deaths": Measure("people killed", "dead", topic="casualties"),
    "died_in_hospital": Measure(
        "people who died in medical facilities (a subset of deaths)", "died in hospital", topic="casualties"
    ),
    "died_in_custody": Measure("people who died in detention", "died in custody", topic="casualties"),
    "injured": Measure("people injured", "injured", topic="injuries"),
    "treated": Measure("people treated for injuries", "treated", topic="injuries"),
    "sought_care": Measure("people who sought medical help", "sought care", topic="injuries"),
    "hospitalised": Measure("people admitted to hospital", "in hospital", topic="injuries"),
    "critical": Measure(
        "people in intensive care or in a serious condition", "in a critical state", topic="injuries"
    ),
    "detained": Measure(
        "people detained (held by police, charged or not)", "detained", topic="arrests", step=1
    ),
    "arrested": Measure("people arrested", "arrested", topic="arrests", same_people_as="detained"),
    "in_custody": Measure("people held at one moment (not cumulative)", "held", topic="arrests"),
    "convicted": Measure("people convicted by a court", "convicted", topic="arrests", step=6),
    "remanded": Measure(
        "people a court ordered held before trial (a running total)",
        "held by court order",
        topic="justice",
        step=3,
    ),
    "administrative_arrests": Measure(
        "people jailed for days by a court for an administrative offence",
        "jailed for an administrative offence",
        topic="justice",
        step=2,
    ),
    "administrative_cases": Measure(
        "administrative-offence cases opened (cases, not people)",
        "administrative cases",
        unit="cases",
        topic="justice",
    ),
    "criminal_cases": Measure(
        "criminal cases opened (cases, not people)", "criminal cases", unit="cases", topic="justice", step=4
    ),
    "charged": Measure(
        "people charged with a crime or put on trial", "charged or on trial", topic="justice", step=5
    ),
    "imprisoned": Measure("people a court sentenced to prison", "sentenced to prison", topic="justice"),
    "restricted_freedom": Measure(
        "people a court sentenced to restricted freedom, a suspended term or parole instead of prison",
        "given a non-custodial sentence",
        topic="justice",
    ),
    "released": Measure(
        "people freed from custody (returned to their families, or released in court)",
        "released",
        topic="justice",
    ),
    "warned": Measure(
        "people given an official warning for an administrative offence", "warned", topic="justice"
    ),
    "fined": Measure("people fined for an administrative offence", "fined", topic="justice"),
    "amnestied": Measure(
        "people freed or given shorter sentences under an amnesty", "amnestied", topic="justice"
    ),
    "tortured": Measure(
        "people tortured or ill-treated in custody, by a count of cases documented",
        "tortured",
        topic="justice",
    ),
    "suspected": Measure(
        "people named suspects in a criminal investigation, not yet charged or tried",
        "suspects",
        topic="justice",
    ),
    "compensation_paid": Measure(
        "money paid to the injured and to the families of the dead, in tenge (money, not people)",
        "tenge paid in compensation",
        unit="tenge",
        topic="justice",
    ),
    "torture_complaints": Measure(
        "complaints of torture or ill-treatment received (complaints, not people)",
        "torture complaints",
        unit="complaints",
        topic="justice",
    ),
    "torture_cases": Measure(
        "criminal cases opened on torture or abuse of power (cases, not people)",
        "torture cases",
        unit="cases",
        topic="justice",
    ),
}

POPULATIONS: dict[str, Population] = {
    "all": Population("everyone counted, whatever their role", "everyone", addable=False),
    "civilians": Population(
        "people called civilians by the claimant or the source", "'civilians'", addable=True
    ),
    "security_forces": Population(
        "police, National Guard, army and other security personnel", "security personnel", addable=True
    ),
    "attackers": Population(
        "people the claimant calls attackers, rioters or armed criminals", "'attackers'", addable=True
    ),
    # The Prosecutor General's breakdown of January 2023 divided the dead who were neither
    # security personnel nor bystanders into these three groups and the attackers.
    "rule_breakers": Population(
        "people the claimant says broke the rules of the state of emergency or of the "
        "counter-terrorist operation",
        "'broke the emergency rules'",
        addable=True,
    ),
    "other_offenders": Population(
        "people the claimant says were committing crimes other than the unrest",
        "'other crimes'",
        addable=True,
    ),
    # Never added: a subset of another population, or a group that overlaps one.
    "previously_convicted": Population(
        "people with an earlier criminal conviction (overlaps the other populations, never added to them)",
        "previously convicted",
        False,
    ),
    "state_employees": Population(
        "employees of state bodies: security forces and other officials (overlaps security forces, "
        "never added to it)",
        "state employees",
        False,
    ),
    "minors": Population(
        "children under 18 (a subset of another population, never added to it)", "minors", False
    ),
    "soldiers": Population(
        "army service members (a subset of security forces, never added to it)", "soldiers", False
    ),
}
#: The populations of a figure for everyone, as computed frames carry them (a tuple per row).
EVERYONE = ("all",)

QUALIFIERS: dict[str, Qualifier] = {
    "exact": Qualifier("the figure as stated, with no qualifier", "", lower_bound=False),
    "at_least": Qualifier("'at least': a lower bound", "at least ", lower_bound=True),
    "more_than": Qualifier("'more than' or 'over': a strict lower bound", "over ", lower_bound=True),
    "about": Qualifier("'about' or 'some': a rounded figure", "about ", lower_bound=False),
    "nearly": Qualifier("'nearly' or 'almost': a rounded figure from below", "nearly ", lower_bound=False),
    "up_to": Qualifier("'up to': an upper bound", "up to ", lower_bound=False, upper_bound=True),
    "range": Qualifier(
        "a range the claimant gave: from value to value_high ('55–77')", "", lower_bound=False, range=True
    ),
    "several": Qualifier("'several': coded as 3", "", lower_bound=True, word="several"),
    "dozens": Qualifier(
        "'dozens': coded as 12 (ACLED's conservative rule)", "", lower_bound=True, word="dozens"
    ),
    "hundreds": Qualifier(
        "'hundreds': coded as 100 (ACLED's conservative rule)", "", lower_bound=True, word="hundreds"
    ),
    "thousands": Qualifier(
        "'thousands': coded as 1,000 (the least the word says, as for 'hundreds')",
        "",
        lower_bound=True,
        word="thousands",
    ),
}

# Only figures of one kind are compared, estimated together or said to replace each other: 719
# people in hospital on one day is not fewer than the 897 admitted over the whole emergency.
COUNT_KINDS: dict[str, CountKind] = {
    "running_total": CountKind("everyone counted so far, from the start of the events", "running total"),
    "snapshot": CountKind(
        "people in a state at one moment (in hospital, in custody, in a critical state now)",
        "count at one moment",
        aside="at one moment",
    ),
    "period": CountKind(
        "people counted in a stated period or part only (the past 24 hours, one trial of several)",
        "count for a period or part",
        aside="a period or part only",
    ),
}

CLAIMANT_GROUPS: dict[str, ClaimantGroup] = {
    "official": ClaimantGroup(
        "government, president's office, ministries other than health, police, prosecutors",
        label="Officials",
        counter="officials",
        whose="Officials'",
        colour="#0072B2",
        colour_name="blue",
        series=True,
    ),
    "health_ministry": ClaimantGroup(
        "the Health Ministry and health officials",
        label="Health Ministry",
        counter="the Health Ministry",
        whose="The Health Ministry's",
        colour="#D55E00",
        colour_name="orange",
        series=True,
    ),
    "independent": ClaimantGroup(
        "journalists' and civil-society counts",
        label="Independent counts",
        counter="independent counters",
        whose="Independent counters'",
        colour="#009E73",
        colour_name="green",
    ),
    "international": ClaimantGroup(
        "UN bodies and foreign governments",
        label="International bodies",
        counter="international bodies",
        whose="International bodies'",
        colour="#CC79A7",
        colour_name="pink",
    ),
}

#: Every registry by the ledger column it controls.
VOCABULARIES: dict[str, dict[str, Any]] = {
    "measure": MEASURES,
    "population": POPULATIONS,
    "qualifier": QUALIFIERS,
    "count_kind": COUNT_KINDS,
    "claimant_group": CLAIMANT_GROUPS,
    "status": STATUSES,
    "title_from": KNOWN_FROM,
    "date_from": KNOWN_FROM,
}


def range_words(low: int, high: int) -> str:
    """A range as every page writes it: '55–77', an en dash between its two figures."""
    return f"{low:,}–{high:,}"


def measures_about(topic: str) -> tuple[str, ...]:
    """The measures a notebook's table shows, in the vocabulary's order."""
    return tuple(word for word, measure in MEASURES.items() if measure.topic == topic)


def counted_as(measure: str) -> str:
    """The measure whose people a figure counts: 'detained' for 'arrested', else itself."""
    return MEASURES[measure].same_people_as or measure


def same_people(measure: str) -> tuple[str, ...]:
    """The measures that count the people of ``measure``, ``measure`` first."""
    return (measure, *(word for word in MEASURES if word != measure and counted_as(word) == measure))


def steps() -> tuple[str, ...]:
    """The measures on the path from detention to sentence, in its order."""
    return tuple(sorted((w for w, m in MEASURES.items() if m.step), key=lambda w: MEASURES[w].step))


def meanings(vocabulary: dict) -> dict[str, str]:
    """Word → meaning, as the data README documents them."""
    return {word: entry.meaning for word, entry in vocabulary.items()}
