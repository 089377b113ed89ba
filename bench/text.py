"""Benchmark: the text analytics default path (language, masking, sentences, sentiment,
taxonomy themes, keywords, intents) over 100,000 mixed-language comments on two processes,
stage by stage, against a tokenise-only floor measured in the same run.

Comments come from the demo's comment writer (en, zh-Hans, ja, ro; one to three of them
joined, some naming staff, some with a phone number or an email address), with no locale for
a fifth of them so the detector works too. Each stage is the previous one plus one step;
each runs `--repeat` times on fresh worker processes and the median is printed, since the
cores are shared. Peak memory is the largest resident set of a worker in that stage. The
embedding model (asynchronous, batched) is measured on a sample for reference.

    .venv/bin/python bench/text.py [--comments 100000] [--processes 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

GOAL = 1000.0
LOCALES = ("en", "zh-hans", "ja", "ro")
THEMES = ("queue", "staff", "price", "cleanliness", "availability", "checkout", "quality",
          "online", "support_speed", "support_knowledge")  # fmt: skip
NAMES = ("Anna", "Ion", "Li Wei", "Yuki", "Tom", "Maria")
CONTACT = (" Call me on 07700 900{n:03d}.", " 邮箱 user{n}@example.com", "")


def comments(count: int, seed: int = 18) -> list[tuple[str, str]]:
    """(text, locale) pairs; locale '' for a fifth of them."""
    from voxloop.demo.comments import write_comment

    rng = random.Random(seed)
    out = []
    for n in range(count):
        locale = rng.choice(LOCALES)
        parts = [
            write_comment(rng, locale, rng.choice(THEMES), rng.choice(("neg", "mid", "pos")),
                          rng.choice(NAMES) if rng.random() < 0.3 else None)
            for _ in range(rng.choice((1, 1, 1, 2, 3)))
        ]  # fmt: skip
        joiner = "" if locale in ("zh-hans", "ja") else " "
        text = joiner.join(parts) + (rng.choice(CONTACT).format(n=n) if rng.random() < 0.1 else "")
        out.append((text, "" if rng.random() < 0.2 else locale))
    return out


# --- stages: each is the previous one plus one step ---------------------------------------
_state: dict = {}


def _init(stage: str) -> None:
    from voxloop.textanalytics import matching
    from voxloop.textanalytics.engine.pipeline import FastAnalyzer

    _state["stage"] = stage
    _state["engine"] = FastAnalyzer(with_keywords=stage in ("keywords", "full"))
    _state["matcher"] = matching.default_matcher()
    # Warm every lazy load (dictionaries, detector) outside the timing.
    for text, locale in (("warm up the engine", "en"), ("预热一下", "zh-hans"),
                         ("ウォームアップ", "ja"), ("Încălzire rapidă", "")):  # fmt: skip
        _run_one(text, locale)


def _run_one(text: str, locale: str):
    from voxloop.textanalytics.engine import language, pii, sentences
    from voxloop.textanalytics.engine.features import features
    from voxloop.textanalytics.engine.text import base_language, fold

    stage, engine = _state["stage"], _state["engine"]
    if stage == "floor":
        lang = base_language(locale) or "en"
        return features(fold(text, lang), lang)
    lang = language.detect(text, locale, engine.languages)
    if stage == "language":
        return lang
    masked = pii.mask_basic(text, lang)
    spans = sentences.split(masked)
    if stage == "sentences":
        return spans
    if stage == "sentiment":
        return [engine.model.sentence(fold(s.text, lang), lang) for s in spans]
    matcher = _state["matcher"] if stage in ("themes", "keywords", "full") else None
    return engine.analyse_one(text, locale, matcher)


def _work(batch: list[tuple[str, str]]) -> tuple[int, int, float]:
    start = time.process_time()
    for text, locale in batch:
        _run_one(text, locale)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return len(batch), rss, time.process_time() - start


STAGES = ("floor", "language", "sentences", "sentiment", "themes", "keywords")
LABELS = {
    "floor": "tokenise only (floor)",
    "language": "+ language",
    "sentences": "+ masking, sentences",
    "sentiment": "+ sentiment",
    "themes": "+ themes, intents",
    "keywords": "+ keywords (default path)",
}


def measure(stage: str, data: list, processes: int) -> tuple[float, float, float]:
    """(comments per second of wall time, of CPU time spread over the processes, peak
    resident MB of a worker) for one run of one stage. The second is what the cores do when
    nobody else uses them; the first what they did in this run."""
    chunk = 2000
    batches = [data[i : i + chunk] for i in range(0, len(data), chunk)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, initializer=_init, initargs=(stage,)) as pool:
        pool.map(_work, [[("x", "en")]] * processes)  # every worker started and warm
        start = time.perf_counter()
        results = pool.map(_work, batches, chunksize=1)
        elapsed = time.perf_counter() - start
    assert sum(n for n, _, _ in results) == len(data)
    cpu = sum(seconds for _, _, seconds in results) / processes
    return len(data) / elapsed, len(data) / cpu, max(rss for _, rss, _ in results) / 1024


def embedding_rate(data: list, sample: int) -> float | None:
    try:
        from voxloop.textanalytics import embeddings
    except ImportError:
        return None
    texts = [text for text, _ in data[:sample]]
    embeddings.embed(texts[:8])
    start = time.perf_counter()
    embeddings.embed(texts)
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--embed-sample", type=int, default=200)
    args = parser.parse_args()

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voxloop.config.settings")
    django.setup()
    data = comments(args.comments)
    chars = sum(len(t) for t, _ in data) / len(data)
    print(f"{len(data):,} comments, {chars:.0f} characters on average, "
          f"{args.processes} processes, median of {args.repeat} runs; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    print(f"  {'stage':<28} {'wall /s':>9} {'CPU /s':>9} {'floor time ×':>13} {'peak MB':>8}")
    rows = {}
    for stage in STAGES:
        runs = [measure(stage, data, args.processes) for _ in range(args.repeat)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        rows[stage] = (wall, cpu, max(r[2] for r in runs))
        times = rows["floor"][1] / cpu
        print(f"  {LABELS[stage]:<28} {wall:>9,.0f} {cpu:>9,.0f} {times:>13.1f} "
              f"{rows[stage][2]:>8.0f}", flush=True)  # fmt: skip
    wall, cpu, _ = rows["keywords"]
    print(f"Default path on {args.processes} processes: {wall:,.0f} comments/s measured, "
          f"{cpu:,.0f}/s by CPU time (goal ≥ {GOAL:,.0f}: "
          f"{'met' if min(wall, cpu) >= GOAL else 'met by CPU time' if cpu >= GOAL else 'NOT met'}"
          f"); ratio to the tokenise-only floor {cpu / rows['floor'][1]:.3f}")  # fmt: skip
    rate = embedding_rate(data, args.embed_sample)
    if rate is not None:
        print(f"Embeddings (background, one process, batched): {rate:,.0f} comments/s "
              f"on a sample of {args.embed_sample}")  # fmt: skip


if __name__ == "__main__":
    main()
