"""The command line: exit codes and messages, never a traceback.

Commands run in this process (``main`` with its output captured), which costs a fraction of a
new Python each; the installed script and ``python -m`` are run as real processes once each
here, and renders as processes in test_render_processes.py, test_schedule.py and test_faults.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from casualty_report.paths import REPO_ROOT

from .conftest import main_in_process as run

SCRIPT = Path(sys.executable).parent / "casualty-report"


def nothing_published(out: Path) -> bool:
    """No run, index or history: at most the lock file."""
    return not out.exists() or [p.name for p in out.iterdir()] in ([], [".render.lock"])


def test_validate_the_shipped_ledger(ledger):
    result = subprocess.run(
        [sys.executable, "-m", "casualty_report", "validate"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    counts = f"OK: {len(ledger.claims)} claims from {len(ledger.sources)} sources in "
    assert result.stdout.startswith(counts)


def test_the_console_script_is_installed_and_works_from_anywhere(tmp_path, ledger):
    result = subprocess.run(
        [str(SCRIPT), "validate"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert f"OK: {len(ledger.claims)} claims" in result.stdout


def test_validate_a_broken_copy_names_file_row_and_column(ledger_copy):
    claims = ledger_copy / "claims.csv"
    claims.write_text(claims.read_text(encoding="utf-8").replace(",164,", ",-164,", 1), encoding="utf-8")
    result = run("validate", "--data-dir", str(ledger_copy))
    assert result.returncode == 1
    assert f"{claims}, row 2, column 'value': got '-164'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_datapackage_check_passes_on_the_shipped_ledger():
    result = run("datapackage", "--check")
    assert result.returncode == 0, result.stderr
    assert "datapackage.json is up to date" in result.stdout


def test_a_stale_datapackage_fails_validate_until_regenerated(ledger_copy):
    package = ledger_copy / "datapackage.json"
    text = package.read_text(encoding="utf-8")
    assert '"deaths",\n' in text
    package.write_text(text.replace('"deaths",\n', "", 1), encoding="utf-8")  # a word missing
    for command in (["validate"], ["datapackage", "--check"]):
        result = run(*command, "--data-dir", str(ledger_copy))
        assert result.returncode == 1
        assert (
            f"{package}: expected the Data Package the ledger schema generates (out of date" in result.stderr
        )
    assert run("datapackage", "--data-dir", str(ledger_copy)).stdout.startswith("wrote ")
    assert run("validate", "--data-dir", str(ledger_copy)).returncode == 0


def test_validate_a_missing_folder(tmp_path):
    result = run("validate", "--data-dir", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert "claims.csv: expected the file to exist" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "scope"], "parameter 'scope' is not KEY=VALUE"),
        (
            ["-p", "colour=red"],
            "unknown parameter 'colour'; the notebooks take: as_of, data_dir, dataset, figure_formats, scope",
        ),
        (["-p", "output_dir=/tmp/x"], "parameter 'output_dir' is set by render itself: use --out instead"),
        (
            ["-p", "scope=5"],
            "parameter 'scope': got 5; expected a place name as the ledger writes it, or null",
        ),
        (
            ["-p", "scope=Atlantis"],
            (
                "parameter 'scope': got 'Atlantis'; "
                "expected one of the ledger's places: 'Almaty', 'Almaty region'"
            ),
        ),
        (
            ["-p", "as_of=2022-13-01"],
            (
                "parameter 'as_of': got '2022-13-01'; "
                "expected a date written YYYY-MM-DD, not in the future, or null"
            ),
        ),
        (["-p", "as_of=10/01/2022"], "parameter 'as_of': got '10/01/2022'"),
        (
            ["-p", "figure_formats=png"],
            "parameter 'figure_formats': got 'png'; expected a non-empty list of png, svg, pdf",
        ),
        (["-p", 'figure_formats=["gif"]'], "parameter 'figure_formats': got ['gif']"),
        (
            ["-p", "data_dir=/no/such/folder"],
            "parameter 'data_dir': got '/no/such/folder'; expected an existing folder",
        ),
        (["-p", "dataset=../../etc"], "parameter 'dataset': got '../../etc'; expected a dataset folder name"),
        (["--name", "../../elsewhere"], "set name '../../elsewhere': use lower-case letters, digits and '-'"),
        (["--params", "tests/no-such-set.yml"], "no-such-set.yml: not a readable YAML parameter set"),
        (
            ["-p", "as_of=2031-01-01"],
            "parameter 'as_of': got '2031-01-01'; expected a date written YYYY-MM-DD, not in the future",
        ),
        (["--jobs", "-3"], "argument --jobs: expected a whole number of 1 or more, got '-3'"),
        (["--jobs", "0"], "argument --jobs: expected a whole number of 1 or more, got '0'"),
    ],
)
def test_render_refuses_bad_parameters_before_any_kernel_starts(tmp_path, args, message):
    result = run("render", "--out", str(tmp_path / "reports"), *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert nothing_published(tmp_path / "reports")


def test_render_with_a_broken_ledger_publishes_nothing(tmp_path, ledger_copy):
    claims = ledger_copy / "claims.csv"
    claims.write_text(claims.read_text(encoding="utf-8").replace("A09,", "A08,", 1), encoding="utf-8")
    result = run("render", "--out", str(tmp_path / "reports"), "-p", f"data_dir={ledger_copy}")
    assert result.returncode == 1
    assert "row 10, column 'claim_id': got 'A08'" in result.stderr
    assert "Traceback" not in result.stderr
    assert nothing_published(tmp_path / "reports")


def test_usage_errors_exit_2():
    assert run("frobnicate").returncode == 2
    assert run().returncode == 2
