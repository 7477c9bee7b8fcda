"""A synthetic ledger of 10,000 claims validates and renders, pages within budget. The 100,000-claim
run is in benchmarks/scale.py, which measures how time and memory grow."""

from __future__ import annotations

import pandas as pd

from casualty_report.ledger.load import load_ledger
from casualty_report.ledger.synthetic import write_synthetic_ledger
from casualty_report.publishing.render import render

from .conftest import SHIPPED


def test_a_ledger_of_10_000_claims_validates_and_renders(tmp_path):
    shipped = load_ledger(data_dir=SHIPPED).claims
    copies = -(-10_000 // len(shipped))  # whole copies of the shipped ledger, at least 10,000 claims
    folder = tmp_path / "synthetic"
    assert write_synthetic_ledger(SHIPPED, folder, 10_000) == copies * len(shipped)
    ledger = load_ledger(data_dir=folder)
    assert len(ledger.claims) == copies * len(shipped) and ledger.claims["claim_id"].is_unique

    run = render(
        tmp_path / "out", {"data_dir": str(folder)}, name="scale", jobs=1, log=lambda _: None
    ).directory
    casualties = pd.read_csv(run / "tables" / "casualties.csv")
    assert len(casualties) == (shipped["measure"] == "deaths").sum() * copies
    estimates = pd.read_csv(run / "tables" / "estimates.csv")
    national = estimates[
        (estimates["scope"] == "Kazakhstan")
        & (estimates["measure"] == "deaths")
        & (estimates["population"] == "all")
    ]
    assert national["best"].iloc[-1] == 238  # the first copy keeps the real places
    sizes = {page.name: page.stat().st_size for page in run.glob("*.html")}
    assert all(size < 2_000_000 for size in sizes.values()), sizes
