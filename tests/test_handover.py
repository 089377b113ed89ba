"""The hand-over of gathered ids (decision 0049), tried again while the queue is away (0057)."""

import threading
import time

from voxloop import handover
from voxloop.handover import Gatherer


def test_a_failed_hand_over_is_tried_again_until_it_goes_through(monkeypatch):
    monkeypatch.setattr(handover, "RETRY", 0.01)
    calls, done = [], threading.Event()

    def hand(key, ids):
        calls.append((key, ids))
        if len(calls) < 3:
            raise ConnectionError("Redis restarting")
        done.set()

    gatherer = Gatherer("test", lambda: 0.01, hand, retry_for=5.0)
    gatherer.add(1, 7)
    gatherer.add(1, 8)
    assert done.wait(5)
    assert calls == [(1, [7, 8])] * 3


def test_without_retry_a_failed_hand_over_is_left_to_the_sweep(monkeypatch):
    monkeypatch.setattr(handover, "RETRY", 0.01)
    calls = []

    def hand(key, ids):
        calls.append(ids)
        raise ConnectionError("Redis away")

    gatherer = Gatherer("test", lambda: 0.01, hand)
    gatherer.add(1, 7)
    time.sleep(0.3)
    assert calls == [[7]]


def test_retrying_gives_up_after_its_time(monkeypatch):
    monkeypatch.setattr(handover, "RETRY", 0.01)
    calls = []

    def hand(key, ids):
        calls.append(ids)
        raise ConnectionError("Redis away for good")

    gatherer = Gatherer("test", lambda: 0.01, hand, retry_for=0.1)
    gatherer.add(1, 7)
    time.sleep(0.5)
    count = len(calls)
    assert count >= 2
    time.sleep(0.2)
    assert len(calls) == count  # no more tries
