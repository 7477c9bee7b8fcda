"""``casualty-report watch``: re-render as the ledger, the notebooks or the parameter sets change.

It watches every dataset folder the sets read, the notebooks and the parameter files (with
watchfiles, which waits on the OS's file events and groups a burst of them, such as an editor's
save, into one). After each change it runs the same render as ``casualty-report render``:

- every set's ledger is validated before any kernel starts; an invalid save prints its problems
  and publishes nothing, and the next save is tried again;
- a set whose inputs did not change is skipped by its fingerprint, so only the sets that read the
  changed files are rendered;
- Ctrl-C (or SIGTERM) during a render stops it as a render stops: staging removed, nothing half
  published.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from casualty_report.errors import BusyError, LedgerError, ParameterError, RenderError
from casualty_report.parameters import ParameterSet
from casualty_report.paths import DEFAULT_DATASET, dataset_dir


def watched_paths(
    sets: Sequence[ParameterSet], notebooks: Sequence[Path], files: Sequence[Path]
) -> list[Path]:
    """The dataset folders the sets read, the notebooks' folder and the parameter files' folders
    (an editor saves a file by writing a new one and renaming it over the old: a watch on the
    file itself would end with the first save)."""
    folders = {
        dataset_dir(s.parameters.get("dataset", DEFAULT_DATASET), s.parameters.get("data_dir")) for s in sets
    }
    paths = {*folders, *(notebook.parent for notebook in notebooks), *(Path(file).parent for file in files)}
    return sorted(path.resolve() for path in paths if path.exists())


def render_once(render: Callable[[], list], log: Callable[[str], None]) -> bool:
    """One render; True if it published or had nothing to do, False if it refused or failed."""
    try:
        results = render()
    except (LedgerError, ParameterError) as error:
        log(f"not published: {error}")
        return False
    except BusyError as error:
        log(f"not published: {error}")
        return False
    except RenderError as error:
        log(f"render failed: {error}")
        return False
    failed = [result for result in results if result.status == "failed"]
    for result in failed:
        log(f"render failed: set {result.name}: {result.error}")
    return not failed


def watch(
    paths: Sequence[Path],
    render: Callable[[], list],
    log: Callable[[str], None] = print,
    *,
    debounce_ms: int = 300,
    stop_event=None,
) -> None:
    """Render once, then again after each change under ``paths``, until interrupted (or until
    ``stop_event``, a ``threading.Event``, is set: the tests' way to stop it)."""
    from watchfiles import watch as changes_under

    render_once(render, log)
    log("watching " + ", ".join(str(path) for path in paths) + " (Ctrl-C stops)")
    for batch in changes_under(*paths, debounce=debounce_ms, stop_event=stop_event, raise_interrupt=True):
        changed = sorted({Path(path).name for _, path in batch if not Path(path).name.startswith(".")})
        if not changed:
            continue  # an editor's swap file, a checkpoint folder
        log(f"changed: {', '.join(changed[:5])}{' …' if len(changed) > 5 else ''}")
        render_once(render, log)
