"""Benchmark: how many comments per second one process masks (voxloop.privacy.redaction).

Comments: the demo's customer sentences in en/zh/ja/ro (mostly no personal data, like real
comments) mixed with the test set's sentences full of phones, cards, ids and emails, about
one in four carrying something to mask. The baseline in the same run is the cheapest pass any
masking must make: normalising each comment's characters (`str.translate`). The text
analytics budget is 1,000 comments/s on 2 cores for everything; masking should take a small
share of it.

    .venv/bin/python bench/redaction.py [--comments 50000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
# The demo's sentences live in a package that imports models: Django must be set up (no
# database is touched).
os.environ.setdefault("VOXLOOP_HOME", tempfile.mkdtemp(prefix="vx_bench_redaction-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voxloop.config.settings")
import django  # noqa: E402

django.setup()

from tests.privacy.corpus import SENTENCES, parsed  # noqa: E402

from voxloop.demo.comment_texts import THEMES  # noqa: E402
from voxloop.privacy.redaction import mask, normalised  # noqa: E402


def comments(count: int) -> list[str]:
    plain = [s for themes in THEMES.values() for tones in themes.values() for s in
             (x for texts in tones.values() for x in texts)]  # fmt: skip
    personal = [parsed(marked)[0] for _, marked in SENTENCES]
    rng = random.Random(7)
    made = []
    for _ in range(count):
        parts = rng.sample(plain, 2)
        if rng.random() < 0.25:
            parts.append(rng.choice(personal))
        made.append(" ".join(parts))
    return made


def rate(fn, texts: list[str]) -> float:
    began = time.perf_counter()
    for text in texts:
        fn(text)
    return len(texts) / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=50_000)
    args = parser.parse_args()
    texts = comments(args.comments)
    rate(mask, texts[:2000])  # warm the regular expressions
    baseline = rate(normalised, texts)
    masking = rate(mask, texts)
    changed = sum(mask(t) != t for t in texts[:5000]) / 50
    print(f"comments: {len(texts)}, {changed:.0f}% of them with something masked")
    print(f"baseline (normalise only): {baseline:,.0f} comments/s")
    print(f"mask:                      {masking:,.0f} comments/s per process")
    print(f"ratio mask/baseline: {masking / baseline:.3f}")
    print(f"share of the text analytics budget (1,000/s on 2 cores): {1000 / (2 * masking):.1%}")


if __name__ == "__main__":
    main()
