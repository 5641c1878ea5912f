"""Tests for PlaybookRegistry: throttled mtime checks, hot reload, last-good fallback."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from plugin.playbooks.registry import PlaybookRegistry

VALID = Path(__file__).parent / "fixtures" / "playbooks" / "valid"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    target = tmp_path / "playbooks"
    shutil.copytree(VALID, target)
    return target


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))


def test_reload_is_throttled_to_the_interval(directory: Path) -> None:
    clock = FakeClock()
    registry = PlaybookRegistry(directory, clock=clock)
    first = registry.current()
    _rewrite(directory / "complaint.yaml", "priority: 40", "priority: 45")
    clock.now += 0.5
    assert registry.current() is first
    clock.now += 0.6
    reloaded = registry.current()
    assert reloaded is not first
    assert reloaded.playbooks["complaint"].priority == 45
    assert reloaded.version != first.version


def test_unchanged_files_keep_the_same_set(directory: Path) -> None:
    clock = FakeClock()
    registry = PlaybookRegistry(directory, clock=clock)
    first = registry.current()
    clock.now += 5
    assert registry.current() is first


def test_broken_edit_keeps_last_good_playbook_and_reports(directory: Path) -> None:
    clock = FakeClock()
    registry = PlaybookRegistry(directory, clock=clock)
    good = registry.current().playbooks["complaint"]
    _rewrite(directory / "complaint.yaml", "  negative:", "  negativ:")
    _rewrite(directory / "order_problem.yaml", "priority: 60", "priority: 61")
    clock.now += 2
    current = registry.current()
    assert current.playbooks["complaint"] is good
    assert current.playbooks["order_problem"].priority == 61
    (error,) = registry.errors
    assert str(error).startswith("playbooks/complaint.yaml:")
    assert "match.negativ" in str(error)

    _rewrite(directory / "complaint.yaml", "  negativ:", "  negative:")
    _rewrite(directory / "complaint.yaml", "priority: 40", "priority: 42")
    clock.now += 2
    assert registry.current().playbooks["complaint"].priority == 42
    assert registry.errors == []


def test_new_broken_file_is_not_loaded_and_deleted_file_disappears(directory: Path) -> None:
    clock = FakeClock()
    registry = PlaybookRegistry(directory, clock=clock)
    (directory / "newcomer.yaml").write_text("id: newcomer\nkind: ticket\n", encoding="utf-8")
    (directory / "vip_only.yaml").unlink()
    clock.now += 2
    current = registry.current()
    assert "newcomer" not in current.playbooks
    assert "vip_only" not in current.playbooks
    assert {Path(e.file).name for e in current.errors} == {"newcomer.yaml"}


def test_concurrent_current_calls_see_a_consistent_set(directory: Path) -> None:
    registry = PlaybookRegistry(directory, interval=0.0)
    _rewrite(directory / "complaint.yaml", "priority: 40", "priority: 43")
    seen: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            priority = registry.current().playbooks["complaint"].priority
            with lock:
                seen.append(priority)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 400
    assert set(seen) == {43}
