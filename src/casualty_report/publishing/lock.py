"""The render lock: one render writes an output folder at a time.

An exclusive ``flock`` on ``<out>/.render.lock``, which the OS drops when its holder exits,
however it exits; the holder writes its pid in the file so a waiting render can name it. Pool
workers close the inherited descriptor and die with their render (worker.warm_worker), so a
render killed by pid leaves nothing holding the lock; should anything still hold it after the
recorded holder died, the next render clears it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

from casualty_report.errors import BusyError, RenderError

LOCK_FILE = ".render.lock"


class RenderLock:
    """An exclusive flock on ``<out>/.render.lock``. The OS drops it when the holder exits,
    however it exits, so a lock left by a killed render never blocks the next one."""

    def __init__(self, out: Path, wait: float, log: Callable[[str], None]) -> None:
        self.path, self.wait, self.log = out / LOCK_FILE, wait, log

    def __enter__(self):
        try:
            self.handle = open(self.path, "a+")
        except OSError as error:
            raise RenderError(
                f"cannot write in the output folder {self.path.parent}: {error.strerror or error}"
            ) from None
        deadline, told, checked = time.monotonic() + self.wait, False, 0.0
        while True:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() - checked > 5:  # at once, then every few seconds
                    checked = time.monotonic()
                    if self._clear_orphans():
                        continue
                if time.monotonic() >= deadline:
                    self.handle.close()
                    raise BusyError(f"another render (pid {self._holder()}) holds {self.path}") from None
                if not told:
                    self.log(f"waiting for another render (pid {self._holder()}) to finish")
                    told = True
                time.sleep(0.2)
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"{os.getpid()}\n")
        self.handle.flush()
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()

    @property
    def fileno(self) -> int:
        """The lock's descriptor, which a forked worker must close (see worker.warm_worker)."""
        return self.handle.fileno()

    def _clear_orphans(self) -> bool:
        """If the render that wrote its pid in the lock is dead, whatever still holds the lock is
        what it left (pool workers of a version that kept the lock, or anything that inherited
        it): kill those and say so. True if something was cleared."""
        orphans = self._orphans()
        if not orphans:
            return False
        time.sleep(0.5)  # a render that has just taken the lock writes its pid at once
        orphans = [pid for pid in self._orphans() if pid in orphans]
        for pid in orphans:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        until = time.monotonic() + 5
        while any(alive(pid) for pid in orphans) and time.monotonic() < until:
            time.sleep(0.05)
        self.log(
            f"cleared the lock: render {self._holder()} is dead, and {len(orphans)} process(es) it "
            f"left still held it (pid {', '.join(map(str, orphans))})"
        )
        return bool(orphans)

    def _orphans(self) -> list[int]:
        """Processes that hold the lock (not merely have the file open, as a waiting render or a
        prune does) when the pid it names is not alive: Linux's /proc/<pid>/fdinfo lists a lock
        on the descriptor that holds it."""
        holder = self._holder()
        if not holder.isdigit() or alive(int(holder)):
            return []
        target, found = os.path.realpath(self.path), []
        for descriptors in Path("/proc").glob("[0-9]*/fd"):
            pid = int(descriptors.parent.name)
            if pid == os.getpid():
                continue
            with contextlib.suppress(OSError):
                for link in descriptors.iterdir():
                    if os.readlink(link) == target and _holds_a_lock(
                        descriptors.parent / "fdinfo" / link.name
                    ):
                        found.append(pid)
                        break
        return found

    def _holder(self) -> str:
        try:
            lines = self.path.read_text().split()
        except OSError:
            return "unknown"
        return lines[-1] if lines else "unknown"


def _holds_a_lock(fdinfo: Path) -> bool:
    try:
        return any(line.startswith("lock:") for line in fdinfo.read_text().splitlines())
    except OSError:
        return False


def alive(pid: int) -> bool:
    """Whether a process of that pid runs (one of another user's counts; a zombie, dead but not
    yet reaped by its parent, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"
