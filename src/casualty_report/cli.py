"""``casualty-report``: validate the ledger, render the report.

Exit codes: 0 success (or nothing to do); 1 the ledger is invalid or a notebook failed; 2 bad
usage or parameters; 3 another render held the lock for longer than --wait; 130 interrupted
(Ctrl-C), 143 terminated (SIGTERM), each after cleaning up as a failure would. Errors are printed
as messages, never as tracebacks. Heavy libraries are imported only by the command that needs
them, so the CLI starts fast.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from casualty_report.paths import CLUSTER_ENV, DEFAULT_DATASET

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _terminated)  # a scheduler's stop: cleaned up as Ctrl-C is
    try:
        return int(args.command(args))
    except Terminated:
        print("terminated (SIGTERM)", file=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    # The last line of defence: a message, not a traceback.
    except Exception as error:  # noqa: BLE001
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        signal.signal(signal.SIGTERM, previous)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so every ``finally`` runs as after Ctrl-C."""


def _terminated(signum, frame) -> None:
    raise Terminated


def _validate(args: argparse.Namespace) -> int:
    from casualty_report.content.findings import check as findings_hold
    from casualty_report.errors import LedgerError
    from casualty_report.ledger.load import load_ledger
    from casualty_report.ledger.schema import PACKAGE_FILE, stale_datapackage

    try:
        ledger = findings_hold(load_ledger(args.dataset, args.data_dir))
    except LedgerError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    # A folder that ships a datapackage.json keeps it in step with the schema and vocabulary.
    stale = stale_datapackage(ledger.directory) if (ledger.directory / PACKAGE_FILE).exists() else None
    if stale is not None:
        print(LedgerError([stale]), file=sys.stderr)
        return EXIT_FAILED
    print(
        f"OK: {len(ledger.claims)} claims from {len(ledger.sources)} source"
        f"{'s' if len(ledger.sources) != 1 else ''} in {ledger.directory}"
    )
    return EXIT_OK


def _findings(args: argparse.Namespace) -> int:
    from casualty_report.content import findings
    from casualty_report.errors import LedgerError
    from casualty_report.ledger.load import load_ledger

    try:
        ledger = findings.check(load_ledger(args.dataset, args.data_dir))
    except LedgerError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    print(findings.markdown(ledger), end="")
    return EXIT_OK


def _datapackage(args: argparse.Namespace) -> int:
    from casualty_report.errors import LedgerError
    from casualty_report.ledger.schema import stale_datapackage, write_datapackage
    from casualty_report.paths import dataset_dir

    directory = dataset_dir(args.dataset, args.data_dir)
    try:
        stale = stale_datapackage(directory)
        if stale is not None and args.check:
            raise LedgerError([stale])
    except LedgerError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    if stale is None:
        print(f"OK: {directory / 'datapackage.json'} is up to date")
    else:
        print(f"wrote {write_datapackage(directory)}")
    return EXIT_OK


def _render(args: argparse.Namespace) -> int:
    # Not casualty_report.ledger.load: it loads pandas, and a render with nothing to do must not.
    from casualty_report.errors import BusyError, LedgerError, ParameterError, RenderError
    from casualty_report.parameters import load_parameter_sets, parse_parameter
    from casualty_report.publishing.notebooks import find_notebooks
    from casualty_report.publishing.render import render_sets

    def log(line: str) -> None:
        print(line, flush=True)

    try:
        overrides = dict(parse_parameter(text) for text in args.parameters)
        sets = load_parameter_sets(args.params, overrides, args.name)
        notebooks = find_notebooks(args.notebooks) if args.notebooks else None
        results = render_sets(sets, args.out, notebooks=notebooks, progress=log, **_render_options(args))
    except ParameterError as error:
        print(f"render refused: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BusyError as error:
        print(f"render busy: {error}", file=sys.stderr)
        return EXIT_BUSY
    except RenderError as error:
        print(f"render failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    except LedgerError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    failed = [result for result in results if result.status == "failed"]
    for result in failed:
        print(f"render failed: set {result.name}: {result.error}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def _prune(args: argparse.Namespace) -> int:
    from casualty_report.errors import BusyError
    from casualty_report.paths import REPORTS_DIR
    from casualty_report.publishing import site
    from casualty_report.publishing.lock import RenderLock
    from casualty_report.publishing.prune import prune

    out = args.out or REPORTS_DIR
    try:
        with RenderLock(out, args.wait, print):  # never while a render writes
            pruned = prune(out, keep_days=args.keep_days)
            site.write_index(out, print)
    except BusyError as error:
        print(f"prune busy: {error}", file=sys.stderr)
        return EXIT_BUSY
    print(f"removed {len(pruned.removed)} run(s); the index still lists them")
    for failure in pruned.not_removed:
        print(f"prune: could not remove {failure}", file=sys.stderr)
    return EXIT_FAILED if pruned.not_removed else EXIT_OK


def _watch(args: argparse.Namespace) -> int:
    from casualty_report.errors import ParameterError
    from casualty_report.parameters import load_parameter_sets, parse_parameter
    from casualty_report.publishing.notebooks import find_notebooks
    from casualty_report.publishing.render import render_sets
    from casualty_report.publishing.watch import watch, watched_paths

    def log(line: str) -> None:
        print(line, flush=True)

    try:
        overrides = dict(parse_parameter(text) for text in args.parameters)
        sets = load_parameter_sets(args.params, overrides, args.name)
    except ParameterError as error:
        print(f"watch refused: {error}", file=sys.stderr)
        return EXIT_USAGE
    notebooks = find_notebooks(args.notebooks) if args.notebooks else find_notebooks()
    options = _render_options(args)

    def render() -> list:  # parameter files and the notebooks' list re-read each time: both may change
        found = find_notebooks(args.notebooks) if args.notebooks else find_notebooks()
        sets_now = load_parameter_sets(args.params, overrides, args.name)
        return render_sets(sets_now, args.out, progress=log, notebooks=found, **options)

    watch(watched_paths(sets, notebooks, args.params), render, log)
    return EXIT_OK


def _baseline(args: argparse.Namespace) -> int:
    from casualty_report.publishing.notebooks import EXPLORER, find_notebooks, refresh_baseline

    for notebook in [*find_notebooks(), *([EXPLORER] if EXPLORER.exists() else [])]:
        refresh_baseline(notebook)
        print(f"refreshed {notebook.name}", flush=True)
    return EXIT_OK


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text[:40]!r}")
    return value


def _seconds(text: str) -> float:
    """A finite number of seconds, 0 or more: 'nan' or 'inf' would wait for ever."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, 0 or more, got {text[:40]!r}")
    return value


def _render_options(args: argparse.Namespace) -> dict[str, Any]:
    """What ``render`` and ``watch`` pass on to every render."""
    names = ("force", "jobs", "wait", "timeout", "cluster")
    return {name: getattr(args, name) for name in names}


def _render_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``render``, which ``watch`` shares."""
    parser.add_argument(
        "--params",
        nargs="+",
        default=[],
        type=Path,
        metavar="FILE",
        help="YAML parameter sets, one per file, named after the file (e.g. params/national.yml)",
    )
    parser.add_argument(
        "-p",
        "--parameter",
        dest="parameters",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a notebook parameter, applied to every set, e.g. -p scope=Almaty; "
        "VALUE is read as JSON when it parses",
    )
    parser.add_argument(
        "--out", type=Path, help="where runs are published (default: the repository's reports/)"
    )
    parser.add_argument(
        "--jobs", type=_at_least_one, help="notebooks run at once, 1 or more (default: the number of CPUs)"
    )
    parser.add_argument("--force", action="store_true", help="render even when no input has changed")
    parser.add_argument(
        "--name", help="the set's name without --params (default: from the parameters, e.g. scope-almaty)"
    )
    parser.add_argument(
        "--notebooks", type=Path, help="render the NN-verb-object notebooks of DIR (default: notebooks/)"
    )
    parser.add_argument(
        "--wait",
        type=_seconds,
        default=600.0,
        help="seconds to wait for another render's lock (default: %(default)s)",
    )
    parser.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=600.0,
        help="seconds a notebook cell may run before the notebook fails (default: %(default)s)",
    )
    parser.add_argument(
        "--cluster",
        metavar="ADDRESS",
        default=os.environ.get(CLUSTER_ENV) or None,
        help="run the notebooks on the Dask cluster whose scheduler is at ADDRESS, e.g. "
        f"tcp://10.0.0.5:8786 (default: ${CLUSTER_ENV} if set, else this machine; --jobs is then unused)",
    )


def _positive_seconds(text: str) -> float:
    """A timeout: a finite number of seconds above 0."""
    value = _seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError("expected a number of seconds above 0, got '0'")
    return value


def _dataset_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dataset", default=DEFAULT_DATASET, help="dataset folder name (default: %(default)s)"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="a dataset folder (holding claims.csv) or a folder of datasets "
        "(default: the repository's data/)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casualty-report",
        description="Validate the claims ledger and render the casualty-figures report.",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        help="check the ledger (and that its datapackage.json is current); print OK or every problem",
    )
    _dataset_arguments(validate)
    validate.set_defaults(command=_validate)

    datapackage = commands.add_parser(
        "datapackage", help="write the dataset's datapackage.json from the ledger schema (if it changed)"
    )
    _dataset_arguments(datapackage)
    datapackage.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the file is missing or out of date"
    )
    datapackage.set_defaults(command=_datapackage)

    findings = commands.add_parser(
        "findings", help="print the dataset's written findings as Markdown, figures filled in (the README's)"
    )
    _dataset_arguments(findings)
    findings.set_defaults(command=_findings)

    render = commands.add_parser("render", help="execute the notebooks and publish HTML, figures and tables")
    _render_arguments(render)
    render.set_defaults(command=_render)

    watch = commands.add_parser(
        "watch", help="render, then render again whenever a dataset, a notebook or a parameter set changes"
    )
    _render_arguments(watch)
    watch.set_defaults(command=_watch)

    prune = commands.add_parser(
        "prune",
        help="remove old runs: keep the last KEEP_DAYS days, and the last run of each set in each month",
    )
    prune.add_argument("--out", type=Path, help="the published reports (default: the repository's reports/)")
    prune.add_argument(
        "--keep-days", type=_at_least_one, default=30, help="days kept whole (default: %(default)s)"
    )
    prune.add_argument("--wait", type=_seconds, default=600.0, help="seconds to wait for a render's lock")
    prune.set_defaults(command=_prune)

    baseline = commands.add_parser(
        "baseline", help="re-execute the notebooks in place with default parameters (nbval's baseline)"
    )
    baseline.set_defaults(command=_baseline)
    return parser
