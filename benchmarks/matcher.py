"""Benchmark: matcher latency, index build time and memory with 200 playbooks (shipped + clones)."""

from __future__ import annotations

import csv
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plugin.language import detect_language  # noqa: E402
from plugin.playbooks.loader import PlaybookSet, load_playbooks  # noqa: E402
from plugin.playbooks.matcher import TicketText, match  # noqa: E402
from plugin.playbooks.schema import MatchSpec, Playbook  # noqa: E402

TARGET = 200
Texts = list[tuple[str, str | None]]


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _vary(sentences: list[str], copy: int) -> list[str]:
    """Rotate the words of each sentence so clones carry distinct, similar-sized examples."""
    varied = []
    for sentence in sentences:
        words = sentence.split()
        shift = copy % max(1, len(words))
        varied.append(" ".join(words[shift:] + words[:shift]))
    return varied


def _clone(playbook: Playbook, copy: int) -> Playbook:
    spec = playbook.match or MatchSpec()
    examples = {lang: _vary(s, copy) for lang, s in spec.examples.items()}
    new_match = spec.model_copy(update={"examples": examples})
    return playbook.model_copy(update={"id": f"{playbook.id}_copy{copy}", "match": new_match})


def _grow(shipped: PlaybookSet) -> PlaybookSet:
    playbooks = dict(shipped.playbooks)
    originals = [p for p in shipped.playbooks.values() if p.kind == "ticket"]
    copy = 0
    while len(playbooks) < TARGET:
        copy += 1
        for playbook in originals[: TARGET - len(playbooks)]:
            clone = _clone(playbook, copy)
            playbooks[clone.id] = clone
    return PlaybookSet(playbooks=playbooks, errors=[], version="bench")


def _texts(name: str) -> Texts:
    with (ROOT / "tests" / "data" / name).open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    return [(text, detect_language(text)) for text in texts]  # detection is not timed here


def _timed(playbook_set: PlaybookSet, texts: Texts) -> list[float]:
    times = []
    for text, lang in texts:
        start = time.perf_counter()
        match(playbook_set, TicketText(text=text), lang)
        times.append((time.perf_counter() - start) * 1e6)
    return sorted(times)


def _ms(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1e3


def _line(name: str, times: list[float]) -> str:
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return f"  {name:58} median {statistics.median(times):5.0f} µs, p99 {p99:5.0f} µs"


def main() -> None:
    dev, holdout = _texts("playbooks_dev.csv"), _texts("playbooks_holdout.csv")
    rss_before = _rss_kb()
    sets: list[PlaybookSet] = []
    load_ms = _ms(lambda: sets.append(_grow(load_playbooks(ROOT / "playbooks"))))
    playbook_set = sets[0]
    probe = TicketText(text="warm up the index")
    build_ms = _ms(lambda: match(playbook_set, probe, "en"))  # builds the index on first use
    _timed(playbook_set, dev)  # warm-up on other texts
    unseen = _timed(playbook_set, holdout)
    repeated = _timed(playbook_set, dev)
    rss_added = (_rss_kb() - rss_before) / 1024
    fresh = PlaybookSet(playbooks=dict(playbook_set.playbooks), errors=[], version="fresh")
    rebuild_ms = _ms(lambda: match(fresh, probe, "en"))
    first = _timed(fresh, holdout)
    detect = sorted(_ms(lambda t=text: detect_language(t)) * 1e3 for text, _ in dev)
    print(f"{len(playbook_set.playbooks)} playbooks; {len(dev)} dev, {len(holdout)} holdout texts")
    print(f"  load YAML + clone to {TARGET}: {load_ms:.0f} ms (not part of the matcher)")
    print(f"  index build (first match): {build_ms:.0f} ms; again, fresh set: {rebuild_ms:.0f} ms")
    print("match() per ticket, language given (detection timed separately):")
    print(_line("holdout, unseen texts, after a warm-up on dev [headline]", unseen))
    print(_line("holdout, first texts after a fresh build (empty caches)", first))
    print(_line("dev, texts seen before (caches filled)", repeated))
    print(f"  detect_language: median {statistics.median(detect):.0f} µs")
    tickets = len(dev) * 2 + len(holdout)
    print(f"RSS added by loading, index and caches after {tickets} tickets: {rss_added:.1f} MB")


if __name__ == "__main__":
    main()
