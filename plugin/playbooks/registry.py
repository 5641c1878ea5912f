"""Thread-safe holder of the current PlaybookSet, hot-reloaded when playbook files change."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from plugin.playbooks.loader import LoadError, PlaybookSet, load_playbooks

CHECK_INTERVAL_S = 1.0

_Snapshot = dict[str, tuple[int, int]]


def _snapshot(directory: Path) -> _Snapshot:
    """File name -> (mtime_ns, size) for every *.yaml in the directory."""
    result: _Snapshot = {}
    for path in directory.glob("*.yaml"):
        try:
            stat = path.stat()
        except OSError:
            continue
        result[path.name] = (stat.st_mtime_ns, stat.st_size)
    return result


def _merge(previous: PlaybookSet, fresh: PlaybookSet) -> PlaybookSet:
    """Keep the last good version of each playbook whose file now fails to load."""
    failed_stems = {Path(error.file).stem for error in fresh.errors}
    playbooks = dict(fresh.playbooks)
    for stem in failed_stems:
        if stem not in playbooks and stem in previous.playbooks:
            playbooks[stem] = previous.playbooks[stem]
    return PlaybookSet(playbooks=playbooks, errors=fresh.errors, version=fresh.version)


class PlaybookRegistry:
    """Holds the last good playbooks of a directory; `current()` reloads on file changes.

    File times are checked at most once per `interval` seconds. When a file that loaded before
    now fails, its last good playbook stays active and the error is reported in `.errors`.
    A file that is deleted takes its playbook with it.
    """

    def __init__(
        self,
        directory: str | Path,
        interval: float = CHECK_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._directory = Path(directory)
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._files = _snapshot(self._directory)
        self._set = load_playbooks(self._directory)
        self._checked_at = clock()

    @property
    def directory(self) -> Path:
        return self._directory

    @property
    def errors(self) -> list[LoadError]:
        """Errors of the most recent load (str() renders file:line: field: message)."""
        return self.current().errors

    def current(self) -> PlaybookSet:
        """The active PlaybookSet, reloaded first if any playbook file changed."""
        now = self._clock()
        if now - self._checked_at < self._interval:
            return self._set
        with self._lock:
            if now - self._checked_at >= self._interval:
                self._checked_at = now
                files = _snapshot(self._directory)
                if files != self._files:
                    self._files = files
                    self._set = _merge(self._set, load_playbooks(self._directory))
            return self._set
